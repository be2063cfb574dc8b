//! The simulated organisation: one partition (the organisation GUID) with its groups and local
//! users, in the shape of the state file and of `GET /_sim/state`, plus the consistency checks
//! every loaded world must pass.
//!
//! Pure data: no I/O, no HTTP, no wire shapes (those are in `wire.rs` and `body.rs`).
//! Changing a world is `ops.rs`'s job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock::{SEED_EPOCH, Timestamp};
use super::ids::Uuid;

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Group {
    pub(crate) id: Uuid,
    pub(crate) name: String,
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

pub(crate) type Problem = crate::sim::problem::Problem<Subject>;

impl Default for World {
    /// Organisation `acme` with only the built-in groups and no users.
    fn default() -> Self {
        let mut world = Self {
            org: DEFAULT_ORG.to_owned(),
            partition_global_id: DEFAULT_PARTITION,
            groups: Vec::new(),
            users: Vec::new(),
            next_legacy_id: 1,
        };
        world.complete();
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

impl World {
    pub(crate) fn user(&self, id: Uuid) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn group(&self, id: Uuid) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub(crate) fn group_named(&self, name: &str) -> Option<&Group> {
        let key = fold(name);
        self.groups.iter().find(|g| fold(&g.name) == key)
    }

    /// The id of `Everyone`, which [`World::complete`] guarantees.
    pub(crate) fn everyone(&self) -> Option<Uuid> {
        self.group_named(EVERYONE).map(|g| g.id)
    }

    /// Adds what every organisation has without being told: the built-in groups (appended,
    /// so positions of what was loaded stay put) and every user's `Everyone` membership.
    pub(crate) fn complete(&mut self) {
        for (n, name) in (1u64..).zip(BUILT_IN) {
            match self.groups.iter_mut().find(|g| fold(&g.name) == fold(name)) {
                Some(group) => group.kind = GroupKind::BuiltIn,
                None => self.groups.push(Group {
                    id: Uuid::derived(n),
                    name: name.to_owned(),
                    kind: GroupKind::BuiltIn,
                    creation_time: SEED_EPOCH,
                    last_modification_time: None,
                }),
            }
        }
        if let Some(everyone) = self.everyone() {
            for user in &mut self.users {
                if !user.group_ids.contains(&everyone) {
                    user.group_ids.push(everyone);
                }
            }
        }
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
        if self.org.is_empty() || !self.org.chars().all(|c| c.is_ascii_graphic() && c != '/') {
            let message = format!("org must be a non-empty path segment: {:?}", self.org);
            push(Subject::World, message, None);
        }
        let mut ids = BTreeMap::new();
        let mut names = BTreeMap::new();
        for (i, group) in self.groups.iter().enumerate() {
            let at = Subject::Group(i);
            if let Some(&first) = ids.get(&group.id) {
                let message = format!("duplicate group id {}", group.id);
                push(at, message, Some(Subject::Group(first)));
            }
            ids.entry(group.id).or_insert(i);
            if group.name.trim().is_empty() {
                push(at, "group name is empty".to_owned(), None);
            } else if let Some(&first) = names.get(&fold(&group.name)) {
                let message = format!("duplicate group name {}", group.name);
                push(at, message, Some(Subject::Group(first)));
            }
            names.entry(fold(&group.name)).or_insert(i);
        }
        let mut ids = BTreeMap::new();
        let mut user_names = BTreeMap::new();
        let mut emails = BTreeMap::new();
        for (i, user) in self.users.iter().enumerate() {
            let at = Subject::User(i);
            if let Some(&first) = ids.get(&user.id) {
                let message = format!("duplicate user id {}", user.id);
                push(at, message, Some(Subject::User(first)));
            }
            ids.entry(user.id).or_insert(i);
            if let Some(why) = user_name_problem(&user.user_name) {
                push(at, format!("user name {why}: {:?}", user.user_name), None);
            } else if let Some(&first) = user_names.get(&fold(&user.user_name)) {
                let message = format!("duplicate user name {}", user.user_name);
                push(at, message, Some(Subject::User(first)));
            }
            user_names.entry(fold(&user.user_name)).or_insert(i);
            if let Some(email) = user.email.as_deref().filter(|e| !e.is_empty()) {
                if let Some(why) = email_problem(email) {
                    push(at, format!("email address {why}: {email}"), None);
                } else if let Some(&first) = emails.get(&fold(email)) {
                    let message = format!("duplicate email address {email}");
                    push(at, message, Some(Subject::User(first)));
                }
                emails.entry(fold(email)).or_insert(i);
            }
            for group in &user.group_ids {
                if self.group(*group).is_none() {
                    push(at, format!("unknown group {group}"), None);
                }
            }
        }
        out
    }

    /// Puts built-in groups first, sorts users and their group lists, and moves
    /// `next_legacy_id` past every used legacy id.
    pub(crate) fn normalise(&mut self) {
        self.groups.sort_by_key(|g| g.kind);
        self.users.sort_by_key(|u| (u.creation_time, u.id));
        for user in &mut self.users {
            user.group_ids.sort_unstable();
            user.group_ids.dedup();
        }
        let past_max = self.users.iter().map(|u| u.legacy_id.saturating_add(1));
        self.next_legacy_id = past_max.fold(self.next_legacy_id.max(1), i64::max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u64, email: &str) -> User {
        User {
            id: Uuid::derived(100 + n),
            user_name: email.to_owned(),
            email: Some(email.to_owned()),
            email_confirmed: true,
            name: Some("Someone".to_owned()),
            surname: None,
            display_name: None,
            creation_time: SEED_EPOCH.plus_seconds(i64::try_from(n).unwrap()),
            last_modification_time: None,
            last_login_time: None,
            group_ids: Vec::new(),
            legacy_id: i64::try_from(n).unwrap(),
            is_active: true,
            bypass_basic_auth_restriction: false,
            user_type: UserType::User,
            invitation_accepted: true,
            password: None,
        }
    }

    #[test]
    fn default_world_has_the_built_in_groups_and_is_consistent() {
        let world = World::default();
        assert_eq!(world.problems(), []);
        let names: Vec<&str> = world.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, BUILT_IN);
        assert!(world.groups.iter().all(|g| g.kind == GroupKind::BuiltIn));
        assert_eq!(
            world.partition_global_id.to_string(),
            "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11"
        );
    }

    #[test]
    fn complete_adds_everyone_to_every_user() {
        let mut world = World {
            users: vec![user(1, "a@x.com")],
            ..World::default()
        };
        world.complete();
        assert_eq!(world.users[0].group_ids, [world.everyone().unwrap()]);
    }

    #[test]
    fn problems_name_both_duplicates_case_insensitively() {
        let mut world = World::default();
        let mut twin = user(2, "A@X.com");
        twin.id = Uuid::derived(101);
        world.users = vec![user(1, "a@x.com"), twin];
        let messages: Vec<(String, Option<Subject>)> = world
            .problems()
            .into_iter()
            .map(|p| (p.message, p.first))
            .collect();
        let first = Some(Subject::User(0));
        assert_eq!(
            messages,
            [
                (format!("duplicate user id {}", Uuid::derived(101)), first),
                ("duplicate user name A@X.com".to_owned(), first),
                ("duplicate email address A@X.com".to_owned(), first),
            ]
        );
    }

    #[test]
    fn problems_catch_dangling_groups_and_bad_org() {
        let mut u = user(1, "a@x.com");
        u.group_ids = vec![Uuid::derived(999)];
        let world = World {
            org: "a/b".to_owned(),
            users: vec![u],
            ..World::default()
        };
        assert_eq!(world.problems().len(), 2);
    }

    #[test]
    fn normalise_orders_users_by_creation_then_id() {
        let mut world = World::default();
        let (mut a, b) = (user(5, "a@x.com"), user(1, "b@x.com"));
        a.legacy_id = 41;
        world.users = vec![a, b];
        world.normalise();
        assert_eq!(world.users[0].user_name, "b@x.com");
        assert_eq!(world.next_legacy_id, 42);
    }

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
