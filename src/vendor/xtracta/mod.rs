//! Xtracta: users and their workflow assignments, in one group per target (and any other
//! group a user names). Everything roster knows about Xtracta is in this folder: its target
//! keys ([`spec`]), its manifest fields and schema ([`settings`], [`user`]), what `import`
//! writes ([`import`]) and its client.

pub(crate) mod client;
#[cfg(test)]
mod expiry_tests;
mod import;
mod settings;
mod spec;
mod user;

pub use settings::Settings;
pub use spec::XTRACTA;

/// Field names, as plans, `ignore:` lists and output use them.
pub(crate) mod names {
    pub const NAME: &str = "name";
    pub const EMAIL: &str = "email";
    pub const WORKFLOWS: &str = "workflows";
    pub const GROUP_ID: &str = "group_id";
}
