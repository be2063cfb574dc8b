//! The simulated Xtracta account: groups, workflows and users, in the shape of the state file
//! and of `GET /_sim/state`, plus the consistency checks every loaded world must pass.
//!
//! Pure data: no I/O, no HTTP. Changing a world is `ops.rs`'s job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The first user id handed out by a world that has no users yet.
pub(crate) const FIRST_USER_ID: u64 = 1001;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct World {
    /// Group ids; the first one is the API key's own group.
    pub(crate) groups: Vec<u64>,
    pub(crate) workflows: Vec<Workflow>,
    /// Always sorted by `user_id` once normalised.
    pub(crate) users: Vec<User>,
    /// The id the next added user gets; ids are never reused.
    #[serde(default)]
    pub(crate) next_user_id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Workflow {
    pub(crate) workflow_id: u64,
    pub(crate) name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct User {
    pub(crate) user_id: u64,
    pub(crate) name: String,
    pub(crate) email_address: String,
    pub(crate) primary_group_id: u64,
    /// Ascending, no duplicates.
    #[serde(default)]
    pub(crate) assigned_workflows: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) password: Option<String>,
}

/// What a consistency problem is about, by position in the world as loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    World,
    Group(usize),
    Workflow(usize),
    User(usize),
}

pub(crate) type Problem = crate::sim::problem::Problem<Subject>;

impl Default for World {
    /// An empty account: group 12345 and workflows 496553 (Invoices) and 496941 (Receipts).
    fn default() -> Self {
        let workflow = |workflow_id, name: &str| Workflow {
            workflow_id,
            name: name.to_owned(),
        };
        Self {
            groups: vec![12345],
            workflows: vec![workflow(496553, "Invoices"), workflow(496941, "Receipts")],
            users: Vec::new(),
            next_user_id: FIRST_USER_ID,
        }
    }
}

/// The key under which e-mail addresses are compared: trimmed, case-folded.
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Why an e-mail address is unacceptable, if it is.
pub(crate) fn email_problem(email: &str) -> Option<&'static str> {
    let email = email.trim();
    match email.split_once('@') {
        _ if email.is_empty() => Some("is empty"),
        None => Some("has no @"),
        Some((local, domain)) if local.is_empty() || domain.is_empty() => {
            Some("needs text on both sides of the @")
        }
        Some(_) if email.chars().any(char::is_whitespace) => Some("contains whitespace"),
        Some(_) => None,
    }
}

/// Why a display name is unacceptable, if it is.
pub(crate) fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("must not be empty")
    } else if name
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
    {
        // XML 1.0 cannot carry most control characters at all.
        Some("contains control characters")
    } else {
        None
    }
}

/// Why a password is unacceptable, if it is.
pub(crate) fn password_problem(password: &str) -> Option<&'static str> {
    (password.chars().count() < 8).then_some("must be at least 8 characters")
}

impl World {
    pub(crate) fn has_group(&self, group_id: u64) -> bool {
        self.groups.contains(&group_id)
    }

    pub(crate) fn has_workflow(&self, workflow_id: u64) -> bool {
        self.workflows.iter().any(|w| w.workflow_id == workflow_id)
    }

    pub(crate) fn user(&self, user_id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.user_id == user_id)
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
        if self.groups.is_empty() {
            push(
                Subject::World,
                "at least one group is needed".to_owned(),
                None,
            );
        }
        let mut seen = BTreeMap::new();
        for (i, group) in self.groups.iter().enumerate() {
            if let Some(&first) = seen.get(group) {
                let message = format!("duplicate group {group}");
                push(Subject::Group(i), message, Some(Subject::Group(first)));
            }
            seen.entry(*group).or_insert(i);
        }
        let mut seen = BTreeMap::new();
        for (i, wf) in self.workflows.iter().enumerate() {
            if let Some(&first) = seen.get(&wf.workflow_id) {
                let message = format!("duplicate workflow {}", wf.workflow_id);
                push(
                    Subject::Workflow(i),
                    message,
                    Some(Subject::Workflow(first)),
                );
            }
            seen.entry(wf.workflow_id).or_insert(i);
        }
        let mut ids = BTreeMap::new();
        let mut emails = BTreeMap::new();
        for (i, user) in self.users.iter().enumerate() {
            let at = Subject::User(i);
            if let Some(&first) = ids.get(&user.user_id) {
                let message = format!("duplicate user id {}", user.user_id);
                push(at, message, Some(Subject::User(first)));
            }
            ids.entry(user.user_id).or_insert(i);
            if let Some(why) = name_problem(&user.name) {
                push(at, format!("name {why}"), None);
            }
            let key = email_key(&user.email_address);
            if let Some(why) = email_problem(&user.email_address) {
                let message = format!("email address {why}: {}", user.email_address);
                push(at, message, None);
            } else if let Some(&first) = emails.get(&key) {
                let message = format!("duplicate email address {}", user.email_address);
                push(at, message, Some(Subject::User(first)));
            }
            emails.entry(key).or_insert(i);
            if !self.has_group(user.primary_group_id) {
                push(at, format!("unknown group {}", user.primary_group_id), None);
            }
            for wf in &user.assigned_workflows {
                if !self.has_workflow(*wf) {
                    push(at, format!("unknown workflow {wf}"), None);
                }
            }
            if let Some(why) = user.password.as_deref().and_then(password_problem) {
                push(at, format!("password {why}"), None);
            }
        }
        out
    }

    /// Sorts users and their workflow lists, and moves `next_user_id` past every used id.
    pub(crate) fn normalise(&mut self) {
        self.users.sort_by_key(|u| u.user_id);
        for user in &mut self.users {
            user.assigned_workflows.sort_unstable();
            user.assigned_workflows.dedup();
        }
        let past_max = self.users.iter().map(|u| u.user_id.saturating_add(1)).max();
        self.next_user_id = match past_max {
            Some(past_max) => self.next_user_id.max(past_max),
            None if self.next_user_id == 0 => FIRST_USER_ID,
            None => self.next_user_id,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn email_rules() {
        assert_eq!(email_problem("ana@example.com"), None);
        assert_eq!(email_problem("ana.example.com"), Some("has no @"));
        assert!(email_problem("@example.com").is_some());
        assert!(email_problem("ana@").is_some());
        assert!(email_problem("a na@example.com").is_some());
        assert!(email_problem("  ").is_some());
        assert_eq!(email_key("  Ana@Example.COM "), "ana@example.com");
    }
}
