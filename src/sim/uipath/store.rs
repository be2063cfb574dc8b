//! UiPath's side of the shared state file (`crate::sim::store`): how its world is read
//! from a seed, checked, named in messages (`users[3]`) and brought into normal form.
//!
//! No I/O here: reading and writing files is the shared store's job.

use super::seed;
use super::world::{Problem, Subject, World};
use crate::sim::seed::SeedError;
use crate::sim::store;

impl store::World for World {
    type Subject = Subject;

    fn from_seed(text: &str) -> Result<Self, SeedError> {
        seed::parse(text)
    }

    fn problems(&self) -> Vec<Problem> {
        World::problems(self)
    }

    fn path(subject: Subject) -> String {
        match subject {
            Subject::World => "world".to_owned(),
            Subject::Group(i) => format!("groups[{i}]"),
            Subject::User(i) => format!("users[{i}]"),
        }
    }

    /// Missing built-in groups and `Everyone` memberships are added, not refused.
    fn complete(&mut self) {
        World::complete(self);
    }

    fn normalise(&mut self) {
        World::normalise(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::store::{Sources, Store, from_json, initial_world};

    #[tokio::test]
    async fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::<World>::new(dir.path().join("state.json"));
        assert_eq!(store.load().await.unwrap(), None);
        let world = seed::parse("users:\n  - { email: a@x.com, password: long enough }\n").unwrap();
        store.save(&world).await.unwrap();
        store.save(&world).await.unwrap();
        assert_eq!(store.load().await.unwrap(), Some(world));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
    }

    #[tokio::test]
    async fn state_file_wins_over_seed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::<World>::new(dir.path().join("state.json"));
        let saved = World {
            org: "saved".to_owned(),
            ..World::default()
        };
        store.save(&saved).await.unwrap();
        let sources = Sources {
            state: Some(&store),
            seed_file: None,
            seed_text: Some("org: seeded\n"),
        };
        assert_eq!(initial_world(sources).await.unwrap().org, "saved");
    }

    #[test]
    fn minimal_json_gets_built_in_groups_and_inconsistencies_name_the_entry() {
        let json = br#"{"org":"acme","partition_global_id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groups":[],"users":[]}"#;
        assert_eq!(from_json::<World>(json).unwrap(), World::default());
        let json = br#"{"org":"acme","partition_global_id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groups":[],"users":[{"id":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a12","user_name":"a",
            "creation_time":"2024-01-01T00:00:00Z","legacy_id":1,"is_active":true,
            "group_ids":["6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a13"]}]}"#;
        let err = from_json::<World>(json).unwrap_err().to_string();
        assert_eq!(
            err,
            "inconsistent world: users[0]: unknown group 6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a13"
        );
    }
}
