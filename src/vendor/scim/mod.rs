//! SCIM 2.0 (RFC 7643 schema, RFC 7644 protocol): one provider for every SaaS tool that
//! provisions users through the standard. Users (user name, e-mail, names, active state,
//! external id, the enterprise extension's common fields) and their group membership, at one
//! SCIM base URL per target. Everything roster knows about SCIM is in this folder: its target
//! keys ([`spec`]), its manifest fields and schema ([`settings`], [`user`]), what `import`
//! writes, and its client.

pub(crate) mod client;
mod settings;
mod spec;
mod user;

#[cfg(test)]
mod tests;

pub use settings::{PatchMode, Settings};
pub use spec::SCIM;

/// Field names, as plans, `ignore:` lists and output use them.
pub(crate) mod names {
    pub const USER_NAME: &str = "user_name";
    pub const EMAIL: &str = "email";
    pub const GIVEN_NAME: &str = "given_name";
    pub const FAMILY_NAME: &str = "family_name";
    pub const DISPLAY_NAME: &str = "display_name";
    pub const ACTIVE: &str = "active";
    pub const EXTERNAL_ID: &str = "external_id";
    pub const GROUPS: &str = "groups";
    pub const ENTERPRISE: &str = "enterprise";
}

/// The keys of the `enterprise` map and the attributes of the enterprise extension
/// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`) they stand for.
pub(crate) const ENTERPRISE_KEYS: [(&str, &str); 4] = [
    ("employee_number", "employeeNumber"),
    ("department", "department"),
    ("cost_center", "costCenter"),
    ("manager", "manager"),
];

/// The enterprise extension's schema URN.
pub(crate) const ENTERPRISE_URN: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
