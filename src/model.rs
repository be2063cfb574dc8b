//! Vendor-neutral domain types shared by the loader, the planner, the renderer and the providers.
//!
//! Nothing here knows a vendor's wire format, touches the network or the file system.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::secret::SecretRef;

pub mod expiry;
mod fields;
mod set;

pub use expiry::{Expiries, Expiry};
pub use fields::Fields;
pub use set::Set;

/// Where something was declared: a file, a 1-based line and column.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Origin {
    // The file as shown to people: one name per file read, shared by every origin in it. (Not
    // a doc comment: it would enter the plan output's JSON Schema.)
    #[serde(serialize_with = "file_out", deserialize_with = "file_in")]
    pub file: Arc<str>,
    pub line: u64,
    pub column: u64,
}

// As the `String` it was; serde's impls for `Arc` need its `rc` feature.
fn file_out<S: Serializer>(file: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(file)
}

fn file_in<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    String::deserialize(d).map(Arc::from)
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The value of one managed field.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Text(String),
    Bool(bool),
    /// An unordered set, such as workflow ids, group names or `section:role` pairs.
    Set(Set),
    /// A key/value map, such as extended fields.
    Map(BTreeMap<String, String>),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Self {
        Value::Text(s.into())
    }

    pub fn set<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Value::Set(items.into_iter().map(Into::into).collect())
    }

    pub fn as_set(&self) -> Option<&Set> {
        match self {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Set(items) => {
                f.write_str("[")?;
                for (i, item) in sorted_for_display(items).iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(item)?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v:?}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Numbers sort as numbers (`9` before `10`), everything else as text.
pub fn sorted_for_display<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let mut v: Vec<&str> = items.into_iter().map(String::as_str).collect();
    v.sort_by(|a, b| match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    });
    v
}

/// A user as the manifests declare it, for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredUser {
    /// Normalised identity (e.g. a lower-cased, trimmed e-mail): how users are matched.
    pub key: String,
    /// Optional binding to the vendor's own id, so that the identity itself can change.
    pub id: Option<String>,
    /// The managed fields: only those the manifest sets.
    pub fields: Fields,
    /// Sent only when the user is created; never compared.
    pub password: Option<SecretRef>,
    /// Fields roster must leave alone for this user.
    pub ignore: BTreeSet<String>,
    /// When the user's access ends, and its memberships'.
    pub expiry: Expiries,
    pub origin: Origin,
}

/// A user as the vendor reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActualUser {
    pub id: String,
    /// Normalised identity, computed the same way as [`DesiredUser::key`].
    pub key: String,
    pub fields: Fields,
}

/// How a vendor lets a field be changed on an existing user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mutability {
    /// Changed by the provider's user update call.
    Update,
    /// A set whose members are collections (e.g. workflows) changed collection by
    /// collection, not through the user.
    Membership,
    /// Cannot be changed through the API: a person must act.
    NeedsPerson,
}

/// One field a provider understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub mutability: Mutability,
    /// Used as the identity: a change to it is a rename.
    pub identity: bool,
    /// The kind of value the field holds.
    pub kind: ValueKind,
    /// For a set: what one member is called in plans ("workflow", "group", "role").
    pub noun: Option<&'static str>,
}

/// The kind of [`Value`] a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Bool,
    Set,
    Map,
}

impl FieldSpec {
    /// A text field.
    pub const fn text(name: &'static str, mutability: Mutability) -> Self {
        FieldSpec {
            name,
            mutability,
            identity: false,
            kind: ValueKind::Text,
            noun: None,
        }
    }

    /// The identity field (e.g. the e-mail): a change to it is a rename.
    pub const fn identity(name: &'static str, mutability: Mutability) -> Self {
        FieldSpec {
            identity: true,
            ..FieldSpec::text(name, mutability)
        }
    }

    pub const fn bool(name: &'static str, mutability: Mutability) -> Self {
        FieldSpec {
            kind: ValueKind::Bool,
            ..FieldSpec::text(name, mutability)
        }
    }

    /// A set whose members are called `noun` in plans.
    pub const fn set(name: &'static str, mutability: Mutability, noun: &'static str) -> Self {
        FieldSpec {
            kind: ValueKind::Set,
            noun: Some(noun),
            ..FieldSpec::text(name, mutability)
        }
    }

    /// A map of which only the keys a manifest sets are managed.
    pub const fn map(name: &'static str, mutability: Mutability) -> Self {
        FieldSpec {
            kind: ValueKind::Map,
            ..FieldSpec::text(name, mutability)
        }
    }
}

/// What a provider tells the planner about itself.
#[derive(Clone, Debug)]
pub struct Schema {
    pub provider: &'static str,
    pub fields: Vec<FieldSpec>,
    /// The field and value that deactivate a user, when the vendor has such a switch.
    pub deactivate: Option<(&'static str, Value)>,
}

impl Schema {
    /// What one membership is called in plans: the noun of the first membership field.
    pub fn membership_noun(&self) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|f| f.mutability == Mutability::Membership)
            .and_then(|f| f.noun)
    }

    pub fn spec(&self, field: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == field)
    }
}

/// What happens to users in scope that no manifest declares.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Unmanaged {
    #[default]
    Report,
    Delete,
    Deactivate,
}

/// Normalises an e-mail or username into a matching key.
pub fn normalise_key(raw: &str) -> String {
    raw.trim().to_lowercase()
}
