//! Reads a YAML seed into a [`World`], reporting every problem with its line and column
//! (the reporting is the shared `crate::sim::seed`).
//!
//! Parses text only; reading the file is `store.rs`'s job.
//!
//! ```yaml
//! org: acme                                             # optional, default acme
//! partition_global_id: 6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11   # optional, this default
//! groups:                                               # custom groups
//!   - { id: 0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e01, name: gryff-01 }  # id optional
//! users:
//!   - { email: hermione@example.com, name: Hermione, surname: Granger,
//!       active: true, groups: [Administrators, gryff-01] }
//! next_legacy_id: 100                                   # optional
//! ```
//!
//! `Everyone` and `Administrators` always exist; a seed group with one of those names only
//! pins its id. A group's `name` may be null, as the API has been seen to list some: such a
//! group is named by id only. Users need an `email` or a `user_name` (which defaults to the email); they
//! may also give `id`, `display_name` (default: name and surname), `type` (`user`, `robot`, `directoryUser`, ...),
//! `password`, `legacy_id`, `email_confirmed` and `invitation_accepted` (both default true)
//! and `bypass_basic_auth_restriction`. `groups` lists group names (any case) or ids; every
//! user is in `Everyone` anyway. Ids left out are derived from the entry's position, so the
//! same seed always gives the same ids; users are created one second apart from
//! 2024-01-01T00:00:00Z, in seed order.

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::clock::SEED_EPOCH;
use super::ids::Uuid;
use super::world::{
    self, DEFAULT_ORG, DEFAULT_PARTITION, Group, GroupKind, Subject, User, UserType, World,
};
use crate::sim::problem::Problems;
use crate::sim::seed::{self, FromSeed};
use crate::sim::store;
use crate::sim::unique::Unique;

/// Where derived group and user ids start, far apart from each other and the built-ins.
const GROUP_ID_BASE: u64 = 0x1000;
const USER_ID_BASE: u64 = 0x10_0000;

/// Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RawSeed {
    org: Option<Spanned<String>>,
    partition_global_id: Option<Uuid>,
    groups: Vec<Spanned<RawGroup>>,
    users: Vec<Spanned<RawUser>>,
    next_legacy_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Option<Uuid>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    id: Option<Uuid>,
    email: Option<String>,
    user_name: Option<String>,
    name: Option<String>,
    surname: Option<String>,
    display_name: Option<String>,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(rename = "type")]
    user_type: Option<String>,
    password: Option<String>,
    legacy_id: Option<i64>,
    #[serde(default = "yes")]
    email_confirmed: bool,
    #[serde(default = "yes")]
    invitation_accepted: bool,
    #[serde(default)]
    bypass_basic_auth_restriction: bool,
}

fn yes() -> bool {
    true
}

impl FromSeed for World {
    type Raw = RawSeed;

    /// Problems only a seed can have are unknown group names and user types. The seed is
    /// completed once the users exist, which gives them their `Everyone` membership.
    fn build(raw: &RawSeed, problems: &mut Problems<Subject>) -> World {
        let groups: Vec<Group> = (GROUP_ID_BASE..)
            .zip(&raw.groups)
            .map(|(n, group)| Group {
                id: group.value.id.unwrap_or_else(|| Uuid::derived(n)),
                name: group
                    .value
                    .name
                    .as_deref()
                    .map(|name| name.trim().to_owned()),
                kind: GroupKind::Custom,
                creation_time: SEED_EPOCH,
                last_modification_time: None,
            })
            .collect();
        let mut world = World {
            org: raw
                .org
                .as_ref()
                .map_or(DEFAULT_ORG.to_owned(), |o| o.value.clone()),
            partition_global_id: raw.partition_global_id.unwrap_or(DEFAULT_PARTITION),
            groups,
            users: Vec::new(),
            next_legacy_id: raw.next_legacy_id.unwrap_or(1),
            // Indexed once the seed is known to be consistent.
            user_names: Unique::default(),
            emails: Unique::default(),
        };
        // Resolve names against the built-ins too.
        store::World::complete(&mut world);
        let explicit_max = raw.users.iter().filter_map(|u| u.value.legacy_id).max();
        let mut next_legacy = explicit_max.map_or(1, |max| max + 1);
        for (i, spanned) in raw.users.iter().enumerate() {
            let user = &spanned.value;
            let mut problem = |message: String| {
                problems.push(Subject::User(i), message);
            };
            let mut group_ids = Vec::new();
            for name in &user.groups {
                let by_id = name
                    .parse::<Uuid>()
                    .ok()
                    .filter(|id| world.group(*id).is_some());
                match by_id.or_else(|| world.group_named(name).map(|g| g.id)) {
                    Some(id) => group_ids.push(id),
                    None => problem(format!("unknown group {name}")),
                }
            }
            let user_type = match user.user_type.as_deref().map(UserType::from_name) {
                None => UserType::User,
                Some(Some(t)) => t,
                Some(None) => {
                    let name = user.user_type.clone().unwrap_or_default();
                    problem(format!("unknown user type {name}"));
                    UserType::User
                }
            };
            let email = user
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty());
            let user_name = user.user_name.as_deref().map(str::trim).or(email);
            if user_name.is_none() {
                problem("a user needs an email or a user_name".to_owned());
            }
            let legacy_id = user.legacy_id.unwrap_or_else(|| {
                next_legacy += 1;
                next_legacy - 1
            });
            let n = u64::try_from(i).unwrap_or(u64::MAX);
            let seconds = i64::try_from(i).unwrap_or(i64::MAX);
            world.users.push(User {
                id: user.id.unwrap_or_else(|| Uuid::derived(USER_ID_BASE + n)),
                user_name: user_name.unwrap_or("-").to_owned(),
                email: email.map(str::to_owned),
                email_confirmed: user.email_confirmed,
                name: user.name.clone(),
                surname: user.surname.clone(),
                display_name: user.display_name.clone().or_else(|| {
                    world::default_display_name(user.name.as_deref(), user.surname.as_deref())
                }),
                creation_time: SEED_EPOCH.plus_seconds(seconds),
                last_modification_time: None,
                last_login_time: None,
                group_ids,
                legacy_id,
                is_active: user.active,
                bypass_basic_auth_restriction: user.bypass_basic_auth_restriction,
                user_type,
                invitation_accepted: user.invitation_accepted,
                password: user.password.clone(),
            });
        }
        world.next_legacy_id = world.next_legacy_id.max(next_legacy);
        world
    }

    fn location(raw: &RawSeed, subject: Subject) -> Location {
        match subject {
            Subject::World => raw.org.as_ref().map_or(Location::UNKNOWN, |o| o.referenced),
            Subject::Group(i) => seed::entry(&raw.groups, i),
            Subject::User(i) => seed::entry(&raw.users, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::{Seeded as _, checks};

    const SEED: &str = "\
org: hogwarts
partition_global_id: 11111111-2222-4333-8444-555555555555
groups:
  - { id: 0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e01, name: gryff-01 }
  - { name: alumni-02 }
  - { name: Administrators, id: aaaaaaaa-0000-4000-8000-000000000001 }
users:
  - { email: hermione@example.com, name: Hermione, surname: Granger, groups: [Administrators, gryff-01] }
  - { id: 0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e99, user_name: ron, active: false, type: robot, legacy_id: 7 }
";

    #[test]
    fn parses_the_documented_seed() {
        let world = World::from_seed(SEED).unwrap();
        assert_eq!(world.org, "hogwarts");
        assert_eq!(
            world.partition_global_id.to_string(),
            "11111111-2222-4333-8444-555555555555"
        );
        let names: Vec<&str> = world
            .groups
            .iter()
            .filter_map(|g| g.name.as_deref())
            .collect();
        assert_eq!(
            names,
            ["Administrators", "Everyone", "gryff-01", "alumni-02"]
        );
        let admins = world.group_named("administrators").unwrap();
        assert_eq!(
            admins.id.to_string(),
            "aaaaaaaa-0000-4000-8000-000000000001"
        );
        assert_eq!(admins.kind, GroupKind::BuiltIn);

        let hermione = &world.users[0];
        assert_eq!(hermione.user_name, "hermione@example.com");
        assert_eq!(hermione.group_ids.len(), 3, "with Everyone");
        assert_eq!(hermione.display_name.as_deref(), Some("Hermione Granger"));
        assert!(hermione.is_active);
        assert_eq!(
            hermione.legacy_id, 8,
            "after the largest explicit legacy id"
        );
        let ron = &world.users[1];
        assert_eq!(ron.email, None);
        assert_eq!(ron.user_type, UserType::Robot);
        assert!(!ron.is_active);
        assert_eq!(ron.creation_time, SEED_EPOCH.plus_seconds(1));
        assert_eq!(world.next_legacy_id, 9);
    }

    #[test]
    fn generated_ids_are_deterministic() {
        let a = World::from_seed(SEED).unwrap();
        let b = World::from_seed(SEED).unwrap();
        assert_eq!(a, b);
        assert_eq!(World::from_seed("{}").unwrap(), World::default());
    }

    #[test]
    fn groups_may_have_a_null_name_and_are_then_named_by_id_only() {
        let text = "\
groups:
  - { id: 0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e01, name: null }
  - { id: 0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e02 }
users:
  - { email: a@x.com, groups: [0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e01] }
";
        let world = World::from_seed(text).unwrap();
        let nameless: Vec<_> = world.groups.iter().filter(|g| g.name.is_none()).collect();
        assert_eq!(nameless.len(), 2, "two nameless groups are not duplicates");
        assert_eq!(world.users[0].group_ids.len(), 2, "with Everyone");
        assert!(world.group_named("").is_none());
        let named = "groups: [{ name: null }]\nusers: [{ email: a@x.com, groups: ['null'] }]\n";
        let err = World::from_seed(named).unwrap_err().to_string();
        assert!(err.ends_with("unknown group null"), "{err}");
    }

    #[test]
    fn refuses_a_seed_at_the_locations_of_its_problems() {
        let misspelt = "users:\n  - { emial: a@x.com }\n";
        checks::assert_refused_at::<World>(misspelt, 2, "emial");
        let text = "\
groups:
  - { name: Team }
  - { name: team }
users:
  - { email: a@x.com, groups: [Nobody] }
  - { email: A@X.com, type: wizard }
  - { name: Nameless }
";
        assert_eq!(
            checks::refused::<World>(text),
            [
                "3:5: duplicate group name team (first at 2:5)",
                "5:5: unknown group Nobody",
                "6:5: unknown user type wizard",
                "6:5: duplicate user name A@X.com (first at 5:5)",
                "6:5: duplicate email address A@X.com (first at 5:5)",
                "7:5: a user needs an email or a user_name",
            ]
        );
    }
}
