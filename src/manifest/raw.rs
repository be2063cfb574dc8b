//! Manifest files as written, with the location of every value, before validation. Users are
//! kept as located trees: their keys belong partly to the core and partly to the target's
//! vendor, and `manifest::user` reads them key by key.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Visitor};
use serde_saphyr::Spanned;

use crate::yaml::Node;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawManifest {
    pub target: Option<Spanned<String>>,
    pub users: Spanned<Users>,
}

/// Users one manifest file may declare: the YAML budget's size (`diag/budget.rs`), and a bound
/// on the memory the raw entries take before they are validated.
pub(crate) const MAX_USERS_PER_FILE: usize = crate::diag::USERS_PER_FILE;

/// The `users:` list, refused once it holds more than [`MAX_USERS_PER_FILE`] entries, while it
/// is read rather than after.
#[derive(Debug, Default)]
pub(crate) struct Users(pub Vec<Spanned<Node>>);

impl std::ops::Deref for Users {
    type Target = Vec<Spanned<Node>>;
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
