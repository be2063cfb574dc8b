//! The simulated organisation: one partition (the organisation GUID) with its groups and local
//! users, in the shape of the state file and of `GET /_sim/state`, and the rules a user name
//! and an address must follow.
//!
//! Pure data: no I/O, no HTTP, no wire shapes (those are in `wire.rs` and `body.rs`).
//! Checking and completing a loaded world is `store.rs`'s job, changing one is `ops.rs`'s.

use serde::{Deserialize, Serialize};

use super::clock::Timestamp;
use super::ids::Uuid;
use crate::sim::store;
use crate::sim::unique::Unique;

pub(crate) const DEFAULT_ORG: &str = "acme";
pub(crate) const DEFAULT_PARTITION: Uuid = Uuid(0x6b3a_7e1c_0d3f_4c55_9a5e_3d0f_1b2c_4a11);
/// The built-in groups every organisation has. Every user is a member of `Everyone`.
pub(crate) const EVERYONE: &str = "Everyone";
pub(crate) const ADMINISTRATORS: &str = "Administrators";
pub(crate) const BUILT_IN: [&str; 2] = [EVERYONE, ADMINISTRATORS];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct World {
    /// The organisation name in API paths (`/{org}/identity_/api/...`).
    pub(crate) org: String,
    pub(crate) partition_global_id: Uuid,
    /// Built-in groups first once normalised.
    pub(crate) groups: Vec<Group>,
    /// Sorted by creation time, then id, once normalised.
    pub(crate) users: Vec<User>,
    /// The `legacyId` the next created user gets unless the request names one.
    #[serde(default)]
    pub(crate) next_legacy_id: i64,
    /// Which user has each user name, and each e-mail address, by [`fold`]; rebuilt by
    /// `normalise`, kept by `ops`.
    #[serde(skip)]
    pub(crate) user_names: Unique<Uuid>,
    #[serde(skip)]
    pub(crate) emails: Unique<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Group {
    pub(crate) id: Uuid,
    /// `None` for a group the API lists with a null name: it can be named by id only.
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(rename = "type")]
    pub(crate) kind: GroupKind,
    pub(crate) creation_time: Timestamp,
    #[serde(default)]
    pub(crate) last_modification_time: Option<Timestamp>,
}

/// In the spec's order: the wire number is the discriminant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub(crate) enum GroupKind {
    BuiltIn = 0,
    Custom = 1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct User {
    pub(crate) id: Uuid,
    pub(crate) user_name: String,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) email_confirmed: bool,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) surname: Option<String>,
    #[serde(default)]
    pub(crate) display_name: Option<String>,
    pub(crate) creation_time: Timestamp,
    #[serde(default)]
    pub(crate) last_modification_time: Option<Timestamp>,
    #[serde(default)]
    pub(crate) last_login_time: Option<Timestamp>,
    /// Ascending, no duplicates, always including `Everyone` once normalised.
    #[serde(default)]
    pub(crate) group_ids: Vec<Uuid>,
    pub(crate) legacy_id: i64,
    pub(crate) is_active: bool,
    #[serde(default)]
    pub(crate) bypass_basic_auth_restriction: bool,
    #[serde(rename = "type", default)]
    pub(crate) user_type: UserType,
    #[serde(default)]
    pub(crate) invitation_accepted: bool,
    /// Never served; kept so tests can see that a password was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) password: Option<String>,
}

/// In the spec's order (`UserType` enum): the wire number is the discriminant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub(crate) enum UserType {
    #[default]
    User = 0,
    Robot = 1,
    DirectoryUser = 2,
    DirectoryGroup = 3,
    RobotAccount = 4,
    Application = 5,
}

impl UserType {
    pub(crate) const ALL: [Self; 6] = [
        Self::User,
        Self::Robot,
        Self::DirectoryUser,
        Self::DirectoryGroup,
        Self::RobotAccount,
        Self::Application,
    ];

    /// The name the spec gives it (`directoryUser`, ...).
    pub(crate) fn spec_name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Robot => "robot",
            Self::DirectoryUser => "directoryUser",
            Self::DirectoryGroup => "directoryGroup",
            Self::RobotAccount => "robotAccount",
            Self::Application => "application",
        }
    }

    /// By spec name (any case) or by number.
    pub(crate) fn from_name(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.spec_name().eq_ignore_ascii_case(text) || (*t as u8).to_string() == text)
    }
}

/// What a consistency problem is about, by position in the world as loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    World,
    Group(usize),
    User(usize),
}

impl Default for World {
    /// Organisation `acme` with only the built-in groups and no users.
    fn default() -> Self {
        let mut world = Self {
            org: DEFAULT_ORG.to_owned(),
            partition_global_id: DEFAULT_PARTITION,
            groups: Vec::new(),
            users: Vec::new(),
            next_legacy_id: 1,
            user_names: Unique::default(),
            emails: Unique::default(),
        };
        store::World::complete(&mut world);
        world
    }
}

/// The key under which user names, e-mail addresses and group names are compared.
pub(crate) fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Why an e-mail address is unacceptable, if it is (as lax as .NET's `EmailAddress` check).
pub(crate) fn email_problem(email: &str) -> Option<&'static str> {
    match email.split_once('@') {
        _ if email.trim().is_empty() => Some("is empty"),
        None => Some("has no @"),
        Some((local, domain)) if local.is_empty() || domain.is_empty() || domain.contains('@') => {
            Some("needs one @ with text on both sides")
        }
        Some(_) if email.chars().any(char::is_whitespace) => Some("contains whitespace"),
        Some(_) => None,
    }
}

/// The display name a user gets when none is given: name and surname, space separated.
pub(crate) fn default_display_name(name: Option<&str>, surname: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [name, surname]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Why a user name is unacceptable, if it is.
pub(crate) fn user_name_problem(user_name: &str) -> Option<&'static str> {
    if user_name.is_empty() {
        Some("is empty")
    } else if user_name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        Some("contains whitespace or control characters")
    } else {
        None
    }
}

impl User {
    /// The e-mail address, unless there is none or it is empty.
    pub(crate) fn address(&self) -> Option<&str> {
        self.email.as_deref().filter(|e| !e.is_empty())
    }
}

impl World {
    pub(crate) fn user(&self, id: Uuid) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn group(&self, id: Uuid) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub(crate) fn group_named(&self, name: &str) -> Option<&Group> {
        let key = fold(name);
        let named = |g: &&Group| g.name.as_deref().is_some_and(|name| fold(name) == key);
        self.groups.iter().find(named)
    }

    /// The id of `Everyone`, which [`World::complete`] guarantees.
    pub(crate) fn everyone(&self) -> Option<Uuid> {
        self.group_named(EVERYONE).map(|g| g.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_type_numbers_follow_the_spec_order() {
        let numbers: Vec<(u8, &str)> = UserType::ALL
            .iter()
            .map(|t| (*t as u8, t.spec_name()))
            .collect();
        assert_eq!(
            numbers,
            [
                (0, "user"),
                (1, "robot"),
                (2, "directoryUser"),
                (3, "directoryGroup"),
                (4, "robotAccount"),
                (5, "application"),
            ]
        );
        assert_eq!(
            UserType::from_name("RobotAccount"),
            Some(UserType::RobotAccount)
        );
        assert_eq!(UserType::from_name("4"), Some(UserType::RobotAccount));
        assert_eq!(UserType::from_name("admin"), None);
        assert_eq!(GroupKind::BuiltIn as u8, 0);
        assert_eq!(GroupKind::Custom as u8, 1);
    }
}
