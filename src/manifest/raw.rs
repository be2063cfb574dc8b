//! Manifest files as written, with the location of every value, before validation.
//!
//! Vendor-specific user keys all live on [`RawUser`]; `manifest` checks which ones the target's
//! provider takes.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Visitor};
use serde_saphyr::Spanned;

pub(crate) use crate::config::RawSecretRef as RawSecret;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawManifest {
    #[schemars(with = "Option<String>")]
    pub target: Option<Spanned<String>>,
    #[schemars(with = "Vec<RawUser>")]
    pub users: Spanned<Users>,
}

/// Users one manifest file may declare: the YAML budget's size (`diag/budget.rs`), and a bound
/// on the memory the raw entries take before they are validated (about 1.7 KB each).
pub(crate) const MAX_USERS_PER_FILE: usize = crate::diag::USERS_PER_FILE;

/// The `users:` list, refused once it holds more than [`MAX_USERS_PER_FILE`] entries, while it
/// is read rather than after.
#[derive(Debug, Default)]
pub(crate) struct Users(pub Vec<Spanned<RawUser>>);

impl std::ops::Deref for Users {
    type Target = Vec<Spanned<RawUser>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Users {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Users;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of users")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Users, A::Error> {
                let mut users = Vec::new();
                while let Some(u) = seq.next_element()? {
                    if users.len() == MAX_USERS_PER_FILE {
                        return Err(de::Error::custom(format!(
                            "more than {MAX_USERS_PER_FILE} users in one file; split it into several files"
                        )));
                    }
                    users.push(u);
                }
                Ok(Users(users))
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUser {
    #[schemars(with = "Option<Scalar>")]
    pub id: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<String>")]
    pub email: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[schemars(with = "Option<RawSecret>")]
    pub password: Option<Spanned<RawSecret>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub ignore: Option<Vec<Spanned<String>>>,
    // xtracta
    #[schemars(with = "Option<Vec<u64>>")]
    pub workflows: Option<Spanned<Vec<Spanned<u64>>>>,
    #[schemars(with = "Option<u64>")]
    pub group_id: Option<Spanned<u64>>,
    // uipath
    #[schemars(with = "Option<String>")]
    pub user_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub surname: Option<Spanned<String>>,
    #[schemars(with = "Option<bool>")]
    pub active: Option<Spanned<bool>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub groups: Option<Spanned<Vec<Spanned<String>>>>,
    // learningcloud
    #[schemars(with = "Option<String>")]
    pub username: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub language: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub timezone: Option<Spanned<String>>,
    #[schemars(with = "Option<bool>")]
    pub enabled: Option<Spanned<bool>>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, Vec<String>>>")]
    pub roles: Option<Spanned<RawRoles>>,
    #[schemars(with = "Option<String>")]
    pub external_id: Option<Spanned<String>>,
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub extended_fields: Option<Spanned<BTreeMap<String, String>>>,
}

/// learningCloud roles: section → role names.
pub(crate) type RawRoles = BTreeMap<String, Spanned<Vec<Spanned<String>>>>;

/// A scalar that may be written as a number or a string (vendor ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id (a number or a string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Scalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VendorId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["integer", "string"],
            "description": "the vendor's own user id (a number for Xtracta, a GUID for UiPath, 32 hex digits for learningCloud)"
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{MAX_USERS_PER_FILE, RawManifest};
    use crate::diag;

    /// `n` users as `roster import` writes them for Xtracta.
    fn users(n: usize) -> String {
        let mut text = String::from("target: acme\nusers:\n");
        for i in 0..n {
            text.push_str(&format!(
                "  - id: {i}\n    email: user{i}@example.com\n    name: User {i}\n    workflows: [496553, 496941]\n"
            ));
        }
        text
    }

    #[test]
    fn thirty_thousand_users_are_well_within_the_budget() {
        let raw: RawManifest = diag::parse_yaml(&users(30_000), "users/a.yaml").unwrap();
        assert_eq!(raw.users.value.len(), 30_000);
    }

    #[test]
    fn more_users_than_a_file_may_hold_is_a_readable_error() {
        let mut text = String::from("users:\n");
        text.push_str(&"- {}\n".repeat(MAX_USERS_PER_FILE + 1));
        let e = diag::parse_yaml::<RawManifest>(&text, "users/a.yaml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "users/a.yaml:2:3: more than 200000 users in one file; split it into several files"
        );
    }

    #[test]
    fn aliases_that_would_expand_past_the_budget_fail_fast() {
        let started = Instant::now();
        let ids = vec!["1"; 1000].join(", ");
        let mut text = format!("users:\n  - {{ email: a@x.example, workflows: &w [{ids}] }}\n");
        text.push_str(&"  - { email: b@x.example, workflows: *w }\n".repeat(1000));
        let e = diag::parse_yaml::<RawManifest>(&text, "users/bomb.yaml").unwrap_err();
        assert_eq!(
            e.message,
            "too large or too deeply aliased: aliases expand to more than 250000 YAML nodes"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
