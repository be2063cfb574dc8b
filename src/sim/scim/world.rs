//! The simulated SCIM service provider: users and groups in creation order, each a resource
//! with its id, version and timestamps and its attributes in the schema's spelling (the
//! enterprise extension under its URN), in the shape of the state file and of
//! `GET /_sim/state`.
//!
//! Pure data and look-ups: no I/O, no HTTP. Checking a loaded world is `store.rs`'s job,
//! changing one is `ops.rs`'s.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::sim::unique::Unique;

/// The two resource types served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
}

impl Kind {
    /// The endpoint's name, e.g. `Users`.
    pub(crate) fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    /// The resource type's name, e.g. `User`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    /// The attribute that names a resource and is unique: `userName`, `displayName`.
    pub(crate) fn naming(self) -> &'static str {
        match self {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Resource {
    pub(crate) id: String,
    /// Counts the changes: the ETag is `W/"<version>"`.
    pub(crate) version: u64,
    pub(crate) created: String,
    pub(crate) last_modified: String,
    /// In the schema's spelling; `id`, `meta` and `schemas` are not kept here.
    #[serde(default)]
    pub(crate) attributes: Map<String, Json>,
}

impl Resource {
    pub(crate) fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }

    /// A text attribute, when set.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Json::as_str)
    }

    /// The `value`s of a group's members.
    pub(crate) fn member_ids(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .get("members")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("value").and_then(Json::as_str))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct World {
    #[serde(default)]
    pub(crate) users: Vec<Resource>,
    #[serde(default)]
    pub(crate) groups: Vec<Resource>,
    /// The counter the next resource's id comes from.
    #[serde(default)]
    pub(crate) next_id: u64,
    /// Which resource (by id) has each user name and each group name, by [`fold`]; rebuilt
    /// by `normalise`, kept by `ops`.
    #[serde(skip)]
    pub(crate) user_names: Unique<String>,
    #[serde(skip)]
    pub(crate) group_names: Unique<String>,
}

impl Default for World {
    /// No users and no groups.
    fn default() -> Self {
        Self {
            users: Vec::new(),
            groups: Vec::new(),
            next_id: 1,
            user_names: Unique::default(),
            group_names: Unique::default(),
        }
    }
}

/// The key under which user names and group names are compared (`caseExact: false`).
pub(crate) fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The `n`-th id a world hands out: shaped like a UUID, and the same for every run.
pub(crate) fn id(n: u64) -> String {
    format!("2819c223-7f76-453a-919d-{:012x}", n & 0xffff_ffff_ffff)
}

/// Now, as SCIM's `dateTime`.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl World {
    pub(crate) fn list(&self, kind: Kind) -> &[Resource] {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    pub(crate) fn list_mut(&mut self, kind: Kind) -> &mut Vec<Resource> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    pub(crate) fn names(&mut self, kind: Kind) -> &mut Unique<String> {
        match kind {
            Kind::User => &mut self.user_names,
            Kind::Group => &mut self.group_names,
        }
    }

    pub(crate) fn position(&self, kind: Kind, id: &str) -> Option<usize> {
        self.list(kind).iter().position(|r| r.id == id)
    }

    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<&Resource> {
        self.list(kind).iter().find(|r| r.id == id)
    }

    /// The kind of the resource with this id, if any.
    pub(crate) fn kind_of(&self, id: &str) -> Option<Kind> {
        [Kind::User, Kind::Group]
            .into_iter()
            .find(|k| self.get(*k, id).is_some())
    }

    /// The groups `user` is a member of.
    pub(crate) fn groups_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Resource> {
        self.groups
            .iter()
            .filter(move |g| g.member_ids().any(|m| m == user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_unique_per_counter() {
        assert_eq!(id(1), "2819c223-7f76-453a-919d-000000000001");
        assert_ne!(id(2), id(3));
        assert_eq!(fold(" Ana@Example.COM "), "ana@example.com");
    }
}
