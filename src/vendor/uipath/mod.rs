//! UiPath Identity: users, their active state and group membership, in one organisation
//! (partition) per target. Everything roster knows about UiPath is in this folder: its target
//! keys ([`spec`]), its manifest fields and schema ([`settings`], [`user`]), what `import`
//! writes, and its client.

pub(crate) mod client;
#[cfg(test)]
mod expiry_tests;
mod settings;
mod spec;
mod user;

pub use settings::Settings;
pub use spec::UIPATH;

/// Field names, as plans, `ignore:` lists and output use them.
pub(crate) mod names {
    pub const EMAIL: &str = "email";
    pub const USER_NAME: &str = "user_name";
    pub const NAME: &str = "name";
    pub const SURNAME: &str = "surname";
    pub const ACTIVE: &str = "active";
    pub const GROUPS: &str = "groups";
}

/// A GUID such as `6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11`.
pub(crate) fn is_uuid(s: &str) -> bool {
    let s = s.trim();
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// UiPath's token endpoint for an Identity base URL: host-level `/identity_/connect/token`
/// (Automation Cloud and Suite), or `/identity/connect/token` for a standalone server.
pub(crate) fn token_url(base: &reqwest::Url) -> reqwest::Url {
    let mut url = base.clone();
    let standalone = !base.path().contains("identity_");
    url.set_path(if standalone {
        "/identity/connect/token"
    } else {
        "/identity_/connect/token"
    });
    url.set_query(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls() {
        let u = |s: &str| token_url(&reqwest::Url::parse(s).unwrap()).to_string();
        assert_eq!(
            u("https://cloud.uipath.com/acme/identity_"),
            "https://cloud.uipath.com/identity_/connect/token"
        );
        assert_eq!(
            u("https://host/identity"),
            "https://host/identity/connect/token"
        );
        assert_eq!(
            u("http://127.0.0.1:9/acme/identity_/"),
            "http://127.0.0.1:9/identity_/connect/token"
        );
        assert!(is_uuid("6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11"));
        assert!(!is_uuid("DatacomGroup"));
    }
}
