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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawManifest {
    pub target: Option<Spanned<String>>,
    pub users: Spanned<Vec<Spanned<RawUser>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUser {
    pub id: Option<Spanned<Scalar>>,
    pub email: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub password: Option<Spanned<RawSecret>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    // xtracta
    pub workflows: Option<Spanned<Vec<Spanned<u64>>>>,
    pub group_id: Option<Spanned<u64>>,
    // uipath
    pub user_name: Option<Spanned<String>>,
    pub surname: Option<Spanned<String>>,
    pub active: Option<Spanned<bool>>,
    pub groups: Option<Spanned<Vec<Spanned<String>>>>,
    // learningcloud
    pub username: Option<Spanned<String>>,
    pub language: Option<Spanned<String>>,
    pub timezone: Option<Spanned<String>>,
    pub enabled: Option<Spanned<bool>>,
    pub roles: Option<Spanned<RawRoles>>,
    pub external_id: Option<Spanned<String>>,
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
