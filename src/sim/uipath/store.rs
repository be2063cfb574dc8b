//! UiPath's side of the shared state file (`crate::sim::store`): how its world is read from
//! a seed, completed (the built-in groups and `Everyone` memberships every organisation has),
//! checked (every problem, each named like `users[3]`) and brought into normal form.
//!
//! No I/O here: reading and writing files is the shared store's job.

use super::clock::SEED_EPOCH;
use super::ids::Uuid;
use super::world::{self, BUILT_IN, Group, GroupKind, Subject, World, fold};
use crate::sim::problem::{FirstSeen, Problems};
use crate::sim::store;

impl store::World for World {
    type Subject = Subject;

    fn path(subject: Subject) -> String {
        match subject {
            Subject::World => "world".to_owned(),
            Subject::Group(i) => format!("groups[{i}]"),
            Subject::User(i) => format!("users[{i}]"),
        }
    }

    fn check(&self, out: &mut Problems<Subject>) {
        if self.org.is_empty() || !self.org.chars().all(|c| c.is_ascii_graphic() && c != '/') {
            let message = format!("org must be a non-empty path segment: {:?}", self.org);
            out.push(Subject::World, message);
        }
        let (mut ids, mut names) = (FirstSeen::default(), FirstSeen::default());
        for (i, group) in self.groups.iter().enumerate() {
            let at = Subject::Group(i);
            if let Some(first) = ids.earlier(group.id, i) {
                let message = format!("duplicate group id {}", group.id);
                out.twin(at, message, Subject::Group(first));
            }
            let Some(name) = group.name.as_deref() else {
                continue;
            };
            let twin = names.earlier(fold(name), i).map(Subject::Group);
            let empty = name.trim().is_empty();
            let invalid = empty.then(|| "group name is empty".to_owned());
            out.unique(at, invalid, twin, || format!("duplicate group name {name}"));
        }
        let (mut ids, mut user_names, mut emails) = Default::default();
        for (i, user) in self.users.iter().enumerate() {
            let at = Subject::User(i);
            if let Some(first) = FirstSeen::earlier(&mut ids, user.id, i) {
                let message = format!("duplicate user id {}", user.id);
                out.twin(at, message, Subject::User(first));
            }
            let name = &user.user_name;
            let twin = FirstSeen::earlier(&mut user_names, fold(name), i).map(Subject::User);
            let why = world::user_name_problem(name);
            let invalid = why.map(|why| format!("user name {why}: {name:?}"));
            out.unique(at, invalid, twin, || format!("duplicate user name {name}"));
            if let Some(email) = user.address() {
                let twin = FirstSeen::earlier(&mut emails, fold(email), i).map(Subject::User);
                let why = world::email_problem(email);
                let invalid = why.map(|why| format!("email address {why}: {email}"));
                let duplicate = || format!("duplicate email address {email}");
                out.unique(at, invalid, twin, duplicate);
            }
            for group in &user.group_ids {
                if self.group(*group).is_none() {
                    out.push(at, format!("unknown group {group}"));
                }
            }
        }
    }

    /// Adds what every organisation has without being told, rather than refusing a world
    /// without it: the built-in groups (appended, so positions of what was loaded stay put)
    /// and every user's `Everyone` membership.
    fn complete(&mut self) {
        for (n, name) in (1u64..).zip(BUILT_IN) {
            let built_in =
                |g: &&mut Group| g.name.as_deref().is_some_and(|g| fold(g) == fold(name));
            match self.groups.iter_mut().find(built_in) {
                Some(group) => group.kind = GroupKind::BuiltIn,
                None => self.groups.push(Group {
                    id: Uuid::derived(n),
                    name: Some(name.to_owned()),
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

    /// Puts built-in groups first, sorts users and their group lists, indexes their names and
    /// addresses, and moves `next_legacy_id` past every used legacy id.
    fn normalise(&mut self) {
        self.groups.sort_by_key(|g| g.kind);
        self.users.sort_by_key(|u| (u.creation_time, u.id));
        for user in &mut self.users {
            user.group_ids.sort_unstable();
            user.group_ids.dedup();
        }
        let users = self.users.iter();
        self.user_names = users.clone().map(|u| (fold(&u.user_name), u.id)).collect();
        let addresses = users.filter_map(|u| Some((fold(u.address()?), u.id)));
        self.emails = addresses.collect();
        let past_max = self.users.iter().map(|u| u.legacy_id.saturating_add(1));
        self.next_legacy_id = past_max.fold(self.next_legacy_id.max(1), i64::max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::Seeded as _;
    use crate::sim::store::{World as _, checks};
    use crate::sim::uipath::clock::SEED_EPOCH;
    use crate::sim::uipath::world::{BUILT_IN, GroupKind, User, UserType};

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
        let names: Vec<&str> = world
            .groups
            .iter()
            .filter_map(|g| g.name.as_deref())
            .collect();
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

    #[tokio::test]
    async fn state_file_round_trips_and_wins_over_seed() {
        let world =
            World::from_seed("users:\n  - { email: a@x.com, password: long enough }\n").unwrap();
        checks::round_trips(world).await;
        let saved = World {
            org: "saved".to_owned(),
            ..World::default()
        };
        let loaded = checks::state_file_wins(&saved, "org: seeded\n").await;
        assert_eq!(loaded.org, "saved");
    }

    #[test]
    fn minimal_json_gets_built_in_groups_and_inconsistencies_name_the_entry() {
        let json = br#"{"org":"acme","partition_global_id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groups":[],"users":[]}"#;
        assert_eq!(store::from_json::<World>(json).unwrap(), World::default());
        let json = br#"{"org":"acme","partition_global_id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groups":[],"users":[{"id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a12","user_name":"a",
            "creation_time":"2024-01-01T00:00:00Z","legacy_id":1,"is_active":true,
            "group_ids":["6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a13"]}]}"#;
        assert_eq!(
            checks::refused::<World>(json),
            "inconsistent world: users[0]: unknown group 6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a13"
        );
    }
}
