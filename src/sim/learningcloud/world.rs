//! The simulated learningCloud tenant: the configured extended-field keys and the users in
//! creation order, in the shape of the state file and of `GET /_sim/state`, plus the
//! consistency checks every loaded world must pass.
//!
//! Pure data: no I/O, no HTTP. Changing a world is `ops.rs`'s job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids;
use super::roles::{self, Roles};

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

pub(crate) type Problem = crate::sim::problem::Problem<Subject>;

impl Default for World {
    /// A tenant with the default extended fields and no users.
    fn default() -> Self {
        Self {
            extended_fields: default_extended_fields(),
            users: Vec::new(),
            next_seq: 1,
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

impl World {
    /// The position of the user with this id, else this username (case-insensitive).
    pub(crate) fn position(&self, id_or_username: &str) -> Option<usize> {
        let by_id = self.users.iter().position(|u| u.id == id_or_username);
        by_id.or_else(|| {
            let key = username_key(id_or_username);
            self.users
                .iter()
                .position(|u| username_key(&u.username) == key)
        })
    }

    /// Every consistency problem, in the order the world lists things.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut push = |subject, message: String, first| {
            out.push(Problem {
                subject,
                message,
                first,
            });
        };
        let mut keys = BTreeMap::new();
        for (i, key) in self.extended_fields.iter().enumerate() {
            let at = Subject::ExtendedField(i);
            if key.trim().is_empty() {
                push(at, "extended field key must not be empty".to_owned(), None);
            } else if let Some(&first) = keys.get(key) {
                let message = format!("duplicate extended field {key}");
                push(at, message, Some(Subject::ExtendedField(first)));
            }
            keys.entry(key).or_insert(i);
        }
        let (mut ids, mut common_ids, mut usernames) =
            (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        for (i, user) in self.users.iter().enumerate() {
            let at = Subject::User(i);
            let unique = |seen: &mut BTreeMap<String, usize>, what: &str, value: &str| {
                if let Some(&first) = seen.get(value) {
                    return Some((format!("duplicate {what} {value}"), first));
                }
                seen.insert(value.to_owned(), i);
                None
            };
            for (what, value, seen) in [
                ("id", &user.id, &mut ids),
                ("commonId", &user.common_id, &mut common_ids),
            ] {
                if !ids::is_id(value) {
                    push(
                        at,
                        format!("{what} must be 32 lowercase hex digits: {value}"),
                        None,
                    );
                } else if let Some((message, first)) = unique(seen, what, value) {
                    push(at, message, Some(Subject::User(first)));
                }
            }
            if let Some(why) = username_problem(&user.username) {
                push(at, format!("username {why}: {:?}", user.username), None);
            } else if let Some(&first) = usernames.get(&username_key(&user.username)) {
                let message = format!("duplicate username {}", user.username);
                push(at, message, Some(Subject::User(first)));
            }
            usernames.entry(username_key(&user.username)).or_insert(i);
            if let Err(err) = roles::normalise(&user.roles) {
                push(at, err.to_string(), None);
            }
            for key in user.extended_fields.keys() {
                if !self.extended_fields.contains(key) {
                    push(at, format!("unknown extended field {key}"), None);
                }
            }
        }
        out
    }

    /// Normalises role maps and moves `next_seq` to at least 1. Call only on a world
    /// without problems.
    pub(crate) fn normalise(&mut self) {
        for user in &mut self.users {
            if let Ok(roles) = roles::normalise(&user.roles) {
                user.roles = roles;
            }
        }
        self.next_seq = self.next_seq.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(seq: u64, username: &str) -> User {
        User {
            id: ids::user_id(seq),
            common_id: ids::common_id(seq),
            username: username.to_owned(),
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

    #[test]
    fn default_world_is_consistent() {
        assert_eq!(World::default().problems(), []);
        assert_eq!(
            World::default().extended_fields,
            ["costCenter", "department"]
        );
    }

    #[test]
    fn problems_name_both_duplicates() {
        let mut twin = user(1, "Ana");
        twin.common_id = ids::common_id(2);
        twin.roles
            .insert("play".to_owned(), vec!["boss".to_owned()]);
        twin.extended_fields
            .insert("shoeSize".to_owned(), "44".to_owned());
        let world = World {
            extended_fields: vec!["a".to_owned(), "a".to_owned()],
            users: vec![user(1, "ana"), twin],
            next_seq: 3,
        };
        let messages: Vec<(String, Option<Subject>)> = world
            .problems()
            .into_iter()
            .map(|p| (p.message, p.first))
            .collect();
        assert_eq!(messages[0].0, "duplicate extended field a");
        assert_eq!(
            messages[1],
            (
                "duplicate id ff8081818d2e4a010000000000000001".to_owned(),
                Some(Subject::User(0))
            )
        );
        assert_eq!(messages[2].0, "duplicate username Ana");
        assert!(
            messages[3]
                .0
                .starts_with("invalid role in roles.play: boss")
        );
        assert_eq!(messages[4].0, "unknown extended field shoeSize");
        assert_eq!(messages.len(), 5);
    }

    #[test]
    fn lookup_by_id_then_username_case_insensitively() {
        let world = World {
            users: vec![user(1, "ana"), user(2, "Bo.Chen")],
            ..World::default()
        };
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
