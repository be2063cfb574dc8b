//! The simulated learningCloud tenant: the configured extended-field keys and the users in
//! creation order, in the shape of the state file and of `GET /_sim/state`, and the rules a
//! username must follow.
//!
//! Pure data: no I/O, no HTTP. Checking a loaded world is `store.rs`'s job, changing one is
//! `ops.rs`'s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids;
use super::roles::{self, Roles};
use crate::sim::unique::Unique;

/// The extended-field keys of a tenant that does not configure its own.
pub(crate) const DEFAULT_EXTENDED_FIELDS: [&str; 2] = ["costCenter", "department"];

/// What every user gets as `authSource` unless told otherwise.
pub(crate) const LOCAL: &str = "LOCAL";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct World {
    /// The tenant's extended-field keys; every user shows all of them.
    #[serde(default = "default_extended_fields")]
    pub(crate) extended_fields: Vec<String>,
    /// In creation order, which is the order `GET /users` pages through.
    #[serde(default)]
    pub(crate) users: Vec<User>,
    /// The counter the next created user's id and commonId come from.
    #[serde(default)]
    pub(crate) next_seq: u64,
    /// Which user (by id) has each username, by [`username_key`]; rebuilt by `normalise`,
    /// kept by `ops`.
    #[serde(skip)]
    pub(crate) usernames: Unique<String>,
}

/// A user as the simulator keeps it. `password` is the plain password (simulator-only, so
/// tests can see a change); the API only ever shows a hash of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) common_id: String,
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) surname: Option<String>,
    #[serde(default)]
    pub(crate) language: Option<String>,
    #[serde(default)]
    pub(crate) timezone: Option<String>,
    pub(crate) enabled: bool,
    pub(crate) roles: Roles,
    #[serde(default)]
    pub(crate) external_id: Option<String>,
    /// Only the keys that have a value.
    #[serde(default)]
    pub(crate) extended_fields: BTreeMap<String, String>,
    #[serde(default = "local")]
    pub(crate) auth_source: String,
    #[serde(default)]
    pub(crate) office_phone: Option<String>,
    #[serde(default)]
    pub(crate) mobile_phone: Option<String>,
    #[serde(default)]
    pub(crate) interests: Option<String>,
    #[serde(default)]
    pub(crate) about_me: Option<String>,
    #[serde(default)]
    pub(crate) location: Option<String>,
    #[serde(default)]
    pub(crate) image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) password: Option<String>,
}

fn default_extended_fields() -> Vec<String> {
    DEFAULT_EXTENDED_FIELDS.map(str::to_owned).to_vec()
}

fn local() -> String {
    LOCAL.to_owned()
}

/// What a consistency problem is about, by position in the world as loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    ExtendedField(usize),
    User(usize),
}

impl Default for World {
    /// A tenant with the default extended fields and no users.
    fn default() -> Self {
        Self {
            extended_fields: default_extended_fields(),
            users: Vec::new(),
            next_seq: 1,
            usernames: Unique::default(),
        }
    }
}

/// The key under which usernames are compared: case-folded.
pub(crate) fn username_key(username: &str) -> String {
    username.to_lowercase()
}

/// Why a username is unacceptable, if it is. It is a path segment, so no `/`.
pub(crate) fn username_problem(username: &str) -> Option<&'static str> {
    if username.is_empty() {
        Some("must not be empty")
    } else if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        Some("must not contain whitespace")
    } else if username.contains('/') {
        Some("must not contain '/'")
    } else {
        None
    }
}

impl User {
    /// The `seq`-th user a world creates, with nothing set but its username: enabled, with
    /// the default roles and `authSource` LOCAL, everything else empty.
    pub(crate) fn new(seq: u64, username: impl Into<String>) -> Self {
        Self {
            id: ids::user_id(seq),
            common_id: ids::common_id(seq),
            username: username.into(),
            email: None,
            name: None,
            surname: None,
            language: None,
            timezone: None,
            enabled: true,
            roles: roles::default_roles(),
            external_id: None,
            extended_fields: BTreeMap::new(),
            auth_source: LOCAL.to_owned(),
            office_phone: None,
            mobile_phone: None,
            interests: None,
            about_me: None,
            location: None,
            image_url: None,
            password: None,
        }
    }
}

impl World {
    /// The position of the user with this id, else this username (case-insensitive).
    pub(crate) fn position(&self, id_or_username: &str) -> Option<usize> {
        let by_id = |id: &str| self.users.iter().position(|u| u.id == id);
        by_id(id_or_username).or_else(|| {
            let holder = self.usernames.holder(&username_key(id_or_username))?;
            by_id(holder)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_id_then_username_case_insensitively() {
        let mut world = World {
            users: vec![User::new(1, "ana"), User::new(2, "Bo.Chen")],
            ..World::default()
        };
        crate::sim::store::World::normalise(&mut world);
        assert_eq!(world.position(&ids::user_id(2)), Some(1));
        assert_eq!(world.position("bo.chen"), Some(1));
        assert_eq!(world.position("nobody"), None);
    }

    #[test]
    fn username_rules() {
        assert_eq!(username_problem("restuser.acme"), None);
        assert!(username_problem("").is_some());
        assert!(username_problem("a b").is_some());
        assert!(username_problem("a/b").is_some());
    }
}
