//! Reads a YAML seed into a [`World`], reporting every problem with its line and column
//! (the reporting is the shared `crate::sim::seed`).
//!
//! Parses text only; reading the file is `store.rs`'s job.
//!
//! ```yaml
//! groups: [12345, 777]          # the first is the API key's own group
//! workflows:
//!   - { id: 496553, name: Invoices }
//! users:
//!   - { id: 4092, name: Bo Chen, email: bo@example.com, group: 12345, workflows: [496553] }
//! next_user_id: 5000            # optional
//! ```
//!
//! A user's `id` is optional (the next free id is used), `group` defaults to the first group,
//! `workflows` to none, and `password` is optional.

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::world::{Subject, User, Workflow, World};
use crate::sim::problem::Problems;
use crate::sim::seed::{self, FromSeed};
use crate::sim::unique::Unique;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeed {
    groups: Spanned<Vec<Spanned<u64>>>,
    #[serde(default)]
    workflows: Vec<Spanned<RawWorkflow>>,
    #[serde(default)]
    users: Vec<Spanned<RawUser>>,
    next_user_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkflow {
    id: u64,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    id: Option<u64>,
    name: String,
    email: String,
    group: Option<u64>,
    #[serde(default)]
    workflows: Vec<u64>,
    password: Option<String>,
}

impl FromSeed for World {
    type Raw = RawSeed;

    /// A user's id defaults to the next free one, its group to the first group.
    fn build(raw: &RawSeed, _: &mut Problems<Subject>) -> World {
        let groups: Vec<u64> = raw.groups.value.iter().map(|g| g.value).collect();
        let first_group = groups.first().copied().unwrap_or_default();
        let explicit_max = raw.users.iter().filter_map(|u| u.value.id).max();
        let mut next_free = explicit_max.map_or(super::world::FIRST_USER_ID, |max| max + 1);
        let users = raw
            .users
            .iter()
            .map(|user| {
                let user = &user.value;
                let user_id = user.id.unwrap_or_else(|| {
                    next_free += 1;
                    next_free - 1
                });
                User {
                    user_id,
                    name: user.name.clone(),
                    email_address: user.email.trim().to_owned(),
                    primary_group_id: user.group.unwrap_or(first_group),
                    assigned_workflows: user.workflows.clone(),
                    password: user.password.clone(),
                }
            })
            .collect();
        World {
            groups,
            workflows: raw
                .workflows
                .iter()
                .map(|w| Workflow {
                    workflow_id: w.value.id,
                    name: w.value.name.clone(),
                })
                .collect(),
            users,
            next_user_id: raw.next_user_id.unwrap_or(next_free),
            // Indexed once the seed is known to be consistent.
            emails: Unique::default(),
        }
    }

    fn location(raw: &RawSeed, subject: Subject) -> Location {
        match subject {
            Subject::World => raw.groups.referenced,
            Subject::Group(i) => seed::entry(&raw.groups.value, i),
            Subject::Workflow(i) => seed::entry(&raw.workflows, i),
            Subject::User(i) => seed::entry(&raw.users, i),
        }
    }
}

/// Two groups, two workflows and Bo Chen, for tests.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = "\
groups: [12345, 777]
workflows:
  - { id: 496553, name: Invoices }
  - { id: 496941, name: Receipts }
users:
  - { id: 4092, name: Bo Chen, email: bo@example.com, group: 12345, workflows: [496553] }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::{Seeded as _, checks};

    #[test]
    fn parses_the_documented_seed() {
        let seed = format!("{EXAMPLE}  - {{ name: Cy Diaz, email: cy@example.com, group: 777 }}\n");
        let world = World::from_seed(&seed).unwrap();
        assert_eq!(world.groups, [12345, 777]);
        assert_eq!(world.workflows[1].name, "Receipts");
        assert_eq!(world.users[0].user_id, 4092);
        assert_eq!(world.users[0].assigned_workflows, [496553]);
        assert_eq!(
            world.users[1].user_id, 4093,
            "ids without one follow the largest"
        );
        assert_eq!(world.users[1].primary_group_id, 777);
        assert_eq!(world.next_user_id, 4094);
    }

    #[test]
    fn refuses_a_seed_at_the_locations_of_its_problems() {
        let misspelt = "groups: [1]\nusers:\n  - { name: A, emial: a@x.com }\n";
        checks::assert_refused_at::<World>(misspelt, 3, "emial");
        let text = "\
groups: [1]
workflows: []
users:
  - { id: 1, name: A, email: a@x.com, workflows: [9] }
  - { id: 2, name: B, email: A@X.com, group: 5 }
";
        assert_eq!(
            checks::refused::<World>(text),
            [
                "4:5: unknown workflow 9",
                "5:5: duplicate email address A@X.com (first at 4:5)",
                "5:5: unknown group 5",
            ]
        );
    }

    #[test]
    fn empty_groups_are_refused() {
        let err = World::from_seed("groups: []\n").unwrap_err().to_string();
        assert!(err.contains("at least one group"), "{err}");
    }
}
