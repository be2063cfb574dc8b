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
    pub users: Spanned<Vec<Spanned<RawUser>>>,
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
