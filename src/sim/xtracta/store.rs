//! Xtracta's side of the shared state file (`crate::sim::store`): how its world is read
//! from a seed, checked (every problem, each named like `users[3]`) and brought into normal
//! form.
//!
//! No I/O here: reading and writing files is the shared store's job.

use super::world::{self, Subject, World};
use crate::sim::problem::{FirstSeen, Problems};
use crate::sim::store;

impl store::World for World {
    type Subject = Subject;

    fn path(subject: Subject) -> String {
        match subject {
            Subject::World => "world".to_owned(),
            Subject::Group(i) => format!("groups[{i}]"),
            Subject::Workflow(i) => format!("workflows[{i}]"),
            Subject::User(i) => format!("users[{i}]"),
        }
    }

    fn check(&self, out: &mut Problems<Subject>) {
        if self.groups.is_empty() {
            out.push(Subject::World, "at least one group is needed");
        }
        let mut seen = FirstSeen::default();
        for (i, group) in self.groups.iter().enumerate() {
            if let Some(first) = seen.earlier(*group, i) {
                let message = format!("duplicate group {group}");
                out.twin(Subject::Group(i), message, Subject::Group(first));
            }
        }
        let mut seen = FirstSeen::default();
        for (i, wf) in self.workflows.iter().enumerate() {
            if let Some(first) = seen.earlier(wf.workflow_id, i) {
                let message = format!("duplicate workflow {}", wf.workflow_id);
                out.twin(Subject::Workflow(i), message, Subject::Workflow(first));
            }
        }
        let (mut ids, mut emails) = (FirstSeen::default(), FirstSeen::default());
        for (i, user) in self.users.iter().enumerate() {
            let at = Subject::User(i);
            if let Some(first) = ids.earlier(user.user_id, i) {
                let message = format!("duplicate user id {}", user.user_id);
                out.twin(at, message, Subject::User(first));
            }
            if let Some(why) = world::name_problem(&user.name) {
                out.push(at, format!("name {why}"));
            }
            let email = &user.email_address;
            let twin = emails.earlier(world::email_key(email), i);
            let why = world::email_problem(email);
            let invalid = why.map(|why| format!("email address {why}: {email}"));
            let duplicate = || format!("duplicate email address {email}");
            out.unique(at, invalid, twin.map(Subject::User), duplicate);
            if !self.has_group(user.primary_group_id) {
                out.push(at, format!("unknown group {}", user.primary_group_id));
            }
            for wf in &user.assigned_workflows {
                if !self.has_workflow(*wf) {
                    out.push(at, format!("unknown workflow {wf}"));
                }
            }
            if let Some(why) = user.password.as_deref().and_then(world::password_problem) {
                out.push(at, format!("password {why}"));
            }
        }
    }

    /// Sorts users and their workflow lists, indexes their addresses, and moves
    /// `next_user_id` past every used id.
    fn normalise(&mut self) {
        self.users.sort_by_key(|u| u.user_id);
        for user in &mut self.users {
            user.assigned_workflows.sort_unstable();
            user.assigned_workflows.dedup();
        }
        self.emails = self
            .users
            .iter()
            .map(|u| (world::email_key(&u.email_address), u.user_id))
            .collect();
        let past_max = self.users.iter().map(|u| u.user_id.saturating_add(1)).max();
        self.next_user_id = match past_max {
            Some(past_max) => self.next_user_id.max(past_max),
            None if self.next_user_id == 0 => world::FIRST_USER_ID,
            None => self.next_user_id,
        };
    }

    /// Every operation in `ops.rs` checks everything before it changes anything.
    const CHECKS_BEFORE_CHANGING: bool = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::store::{World as _, checks};
    use crate::sim::xtracta::world::User;

    fn user(user_id: u64, email: &str) -> User {
        User {
            user_id,
            name: "Someone".to_owned(),
            email_address: email.to_owned(),
            primary_group_id: 12345,
            assigned_workflows: vec![496941, 496553, 496553],
            password: None,
        }
    }

    #[test]
    fn default_world_is_consistent() {
        assert_eq!(World::default().problems(), []);
    }

    #[test]
    fn problems_name_both_duplicates() {
        let world = World {
            users: vec![user(1, "a@x.com"), user(1, " A@X.com ")],
            ..World::default()
        };
        let problems = world.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].message, "duplicate user id 1");
        assert_eq!(problems[1].message, "duplicate email address  A@X.com ");
        assert_eq!(problems[1].first, Some(Subject::User(0)));
    }

    #[test]
    fn problems_catch_dangling_references() {
        let mut world = World::default();
        let mut u = user(1, "a@x.com");
        u.primary_group_id = 9;
        u.assigned_workflows = vec![8];
        world.users = vec![u];
        let messages: Vec<String> = world.problems().into_iter().map(|p| p.message).collect();
        assert_eq!(messages, ["unknown group 9", "unknown workflow 8"]);
    }

    #[test]
    fn normalise_sorts_and_moves_next_id_past_the_largest() {
        let mut world = World {
            users: vec![user(7, "b@x.com"), user(3, "a@x.com")],
            next_user_id: 0,
            ..World::default()
        };
        world.normalise();
        assert_eq!(world.users[0].user_id, 3);
        assert_eq!(world.users[0].assigned_workflows, [496553, 496941]);
        assert_eq!(world.next_user_id, 8);
    }

    #[tokio::test]
    async fn state_file_round_trips_and_wins_over_seed() {
        checks::round_trips(World::default()).await;
        let saved = World {
            groups: vec![1],
            ..World::default()
        };
        let loaded = checks::state_file_wins(&saved, "groups: [2]\n").await;
        assert_eq!(loaded.groups, [1]);
    }

    #[test]
    fn inconsistent_json_names_the_entry() {
        let json = br#"{"groups":[1],"workflows":[],"users":[
            {"user_id":1,"name":"A","email_address":"a@x.com","primary_group_id":2}]}"#;
        let err = checks::refused::<World>(json);
        assert_eq!(err, "inconsistent world: users[0]: unknown group 2");
    }
}
