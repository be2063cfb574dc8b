//! learningCloud's side of the shared state file (`crate::sim::store`): how its world is
//! read from a seed, checked (every problem, each named like `users[3]`) and brought into
//! normal form.
//!
//! No I/O here: reading and writing files is the shared store's job.

use super::world::{self, Subject, World};
use super::{ids, roles};
use crate::sim::problem::{FirstSeen, Problems};
use crate::sim::store;

impl store::World for World {
    type Subject = Subject;

    fn path(subject: Subject) -> String {
        match subject {
            Subject::ExtendedField(i) => format!("extended_fields[{i}]"),
            Subject::User(i) => format!("users[{i}]"),
        }
    }

    fn check(&self, out: &mut Problems<Subject>) {
        let mut keys = FirstSeen::default();
        for (i, key) in self.extended_fields.iter().enumerate() {
            let at = Subject::ExtendedField(i);
            let twin = keys.earlier(key, i).map(Subject::ExtendedField);
            let empty = key.trim().is_empty();
            let invalid = empty.then(|| "extended field key must not be empty".to_owned());
            let duplicate = || format!("duplicate extended field {key}");
            out.unique(at, invalid, twin, duplicate);
        }
        let (mut ids, mut common_ids, mut usernames) = Default::default();
        for (i, user) in self.users.iter().enumerate() {
            let at = Subject::User(i);
            for (what, value, seen) in [
                ("id", &user.id, &mut ids),
                ("commonId", &user.common_id, &mut common_ids),
            ] {
                let invalid = (!ids::is_id(value))
                    .then(|| format!("{what} must be 32 lowercase hex digits: {value}"));
                // An id that is no id is not remembered: only valid ids can be twins.
                let twin = match invalid {
                    None => FirstSeen::earlier(seen, value, i).map(Subject::User),
                    Some(_) => None,
                };
                out.unique(at, invalid, twin, || format!("duplicate {what} {value}"));
            }
            let name = &user.username;
            let twin = FirstSeen::earlier(&mut usernames, world::username_key(name), i);
            let why = world::username_problem(name);
            let invalid = why.map(|why| format!("username {why}: {name:?}"));
            let duplicate = || format!("duplicate username {name}");
            out.unique(at, invalid, twin.map(Subject::User), duplicate);
            if let Err(err) = roles::normalise(&user.roles) {
                out.push(at, err.to_string());
            }
            for key in user.extended_fields.keys() {
                if !self.extended_fields.contains(key) {
                    out.push(at, format!("unknown extended field {key}"));
                }
            }
        }
    }

    /// Normalises role maps, indexes usernames and moves `next_seq` to at least 1. Called
    /// only on a world without problems.
    fn normalise(&mut self) {
        let usernames = self.users.iter();
        self.usernames = usernames
            .map(|u| (world::username_key(&u.username), u.id.clone()))
            .collect();
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
    use crate::sim::learningcloud::world::User;
    use crate::sim::seed::Seeded as _;
    use crate::sim::store::{World as _, checks};

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
        let mut twin = User::new(1, "Ana");
        twin.common_id = ids::common_id(2);
        twin.roles
            .insert("play".to_owned(), vec!["boss".to_owned()]);
        twin.extended_fields
            .insert("shoeSize".to_owned(), "44".to_owned());
        let world = World {
            extended_fields: vec!["a".to_owned(), "a".to_owned()],
            users: vec![User::new(1, "ana"), twin],
            next_seq: 3,
            ..World::default()
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

    #[tokio::test]
    async fn state_file_round_trips_and_wins_over_seed() {
        let world = World::from_seed("users:\n  - { username: ana, password: pw }\n").unwrap();
        checks::round_trips(world).await;
        let saved = World {
            extended_fields: vec!["grade".to_owned()],
            ..World::default()
        };
        let loaded = checks::state_file_wins(&saved, "extended_fields: [other]\n").await;
        assert_eq!(loaded.extended_fields, ["grade"]);
    }

    #[test]
    fn inconsistent_json_names_the_entry() {
        let json = br#"{"users":[{"id":"x","common_id":"ff8081818d2e4a010000000000000001",
            "username":"a","enabled":true,"roles":{"management":["user"]}}]}"#;
        assert_eq!(
            checks::refused::<World>(json),
            "inconsistent world: users[0]: id must be 32 lowercase hex digits: x"
        );
    }
}
