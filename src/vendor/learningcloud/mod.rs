//! Netex learningCloud: users, their roles per platform section and their enabled state, in
//! one tenant per target. Everything roster knows about learningCloud is in this folder: its
//! target keys ([`spec`]), its manifest fields and schema ([`settings`], [`user`], [`roles`]),
//! what `import` writes, and its client.

pub(crate) mod client;
mod roles;
mod settings;
mod spec;
mod user;

pub use settings::Settings;
pub use spec::LEARNINGCLOUD;

/// Field names, as plans, `ignore:` lists and output use them.
pub(crate) mod names {
    pub const USERNAME: &str = "username";
    pub const EMAIL: &str = "email";
    pub const NAME: &str = "name";
    pub const SURNAME: &str = "surname";
    pub const LANGUAGE: &str = "language";
    pub const TIMEZONE: &str = "timezone";
    pub const ENABLED: &str = "enabled";
    pub const ROLES: &str = "roles";
    pub const EXTERNAL_ID: &str = "external_id";
    pub const EXTENDED_FIELDS: &str = "extended_fields";
}

#[cfg(test)]
mod tests;
