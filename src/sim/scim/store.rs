//! SCIM's side of the shared state file (`crate::sim::store`): how its world is checked
//! (every problem, each named like `users[3]`) and brought into normal form.
//!
//! No I/O here: reading and writing files is the shared store's job.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::request;
use super::world::{self, Kind, World};
use crate::sim::problem::{FirstSeen, Problems};
use crate::sim::store;

/// What a consistency problem is about, by position in the world as loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    User(usize),
    Group(usize),
}

fn subject(kind: Kind, i: usize) -> Subject {
    match kind {
        Kind::User => Subject::User(i),
        Kind::Group => Subject::Group(i),
    }
}

impl store::World for World {
    type Subject = Subject;

    /// Every operation in `ops` checks before it changes anything.
    const CHECKS_BEFORE_CHANGING: bool = true;

    fn path(subject: Subject) -> String {
        match subject {
            Subject::User(i) => format!("users[{i}]"),
            Subject::Group(i) => format!("groups[{i}]"),
        }
    }

    fn check(&self, out: &mut Problems<Subject>) {
        let mut ids: BTreeMap<String, Subject> = BTreeMap::new();
        for kind in [Kind::User, Kind::Group] {
            let mut names = FirstSeen::default();
            for (i, r) in self.list(kind).iter().enumerate() {
                let at = subject(kind, i);
                if r.id.trim().is_empty() || r.id.contains('/') {
                    out.push(at, format!("id must be text without '/': {:?}", r.id));
                } else if let Some(first) = ids.get(&r.id) {
                    out.twin(at, format!("duplicate id {}", r.id), *first);
                } else {
                    ids.insert(r.id.clone(), at);
                }
                if let Err(e) = request::resource(kind, &Json::Object(r.attributes.clone())) {
                    out.push(at, e.detail);
                    continue;
                }
                let name = world::fold(r.text(kind.naming()).unwrap_or_default());
                if let Some(first) = names.earlier(name, i) {
                    let message = format!(
                        "duplicate {} {:?}",
                        kind.naming(),
                        r.text(kind.naming()).unwrap_or_default()
                    );
                    out.twin(at, message, subject(kind, first));
                }
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            for m in g.member_ids() {
                if self.kind_of(m).is_none() {
                    out.push(Subject::Group(i), format!("member {m} is no user or group"));
                }
            }
        }
    }

    /// Indexes the names and moves `next_id` past every id it could hand out again.
    fn normalise(&mut self) {
        let index = |list: &[world::Resource], kind: Kind| {
            list.iter()
                .map(|r| {
                    (
                        world::fold(r.text(kind.naming()).unwrap_or_default()),
                        r.id.clone(),
                    )
                })
                .collect()
        };
        self.user_names = index(&self.users, Kind::User);
        self.group_names = index(&self.groups, Kind::Group);
        self.next_id = self.next_id.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::Seeded as _;
    use crate::sim::store::{World as _, checks};

    #[test]
    fn default_world_is_consistent() {
        assert!(World::default().problems().is_empty());
    }

    #[tokio::test]
    async fn state_file_round_trips_and_wins_over_seed() {
        let world = World::from_seed(
            "users:\n  - { userName: ana, title: Boss }\ngroups:\n  - { displayName: G, members: [ana] }\n",
        )
        .unwrap();
        checks::round_trips(world.clone()).await;
        let loaded = checks::state_file_wins(&world, "users: []\n").await;
        assert_eq!(loaded.users.len(), 1);
    }

    #[test]
    fn inconsistent_json_names_the_entry() {
        let r = |id: &str, name: &str| {
            format!(
                r#"{{"id":"{id}","version":1,"created":"t","last_modified":"t","attributes":{{"userName":"{name}"}}}}"#
            )
        };
        let json = format!(
            r#"{{"users":[{},{}],"groups":[]}}"#,
            r("a", "Ana"),
            r("a", "ANA")
        );
        assert_eq!(
            checks::refused::<World>(json.as_bytes()),
            "inconsistent world: users[1]: duplicate id a (first at users[0]); users[1]: duplicate userName \"ANA\" (first at users[0])"
        );
    }
}
