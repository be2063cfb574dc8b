//! Xtracta's side of the shared state file (`crate::sim::store`): how its world is read
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
            Subject::Workflow(i) => format!("workflows[{i}]"),
            Subject::User(i) => format!("users[{i}]"),
        }
    }

    fn normalise(&mut self) {
        World::normalise(self);
    }

    /// Every operation in `ops.rs` checks everything before it changes anything.
    const CHECKS_BEFORE_CHANGING: bool = true;
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
        let world = World::default();
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
            groups: vec![1],
            ..World::default()
        };
        store.save(&saved).await.unwrap();
        let sources = Sources {
            state: Some(&store),
            seed_file: None,
            seed_text: Some("groups: [2]\n"),
        };
        assert_eq!(initial_world(sources).await.unwrap().groups, [1]);
    }

    #[test]
    fn inconsistent_json_names_the_entry() {
        let json = br#"{"groups":[1],"workflows":[],"users":[
            {"user_id":1,"name":"A","email_address":"a@x.com","primary_group_id":2}]}"#;
        let err = from_json::<World>(json).unwrap_err().to_string();
        assert_eq!(err, "inconsistent world: users[0]: unknown group 2");
    }
}
