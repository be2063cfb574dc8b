//! The simulated Xtracta account: groups, workflows and users, in the shape of the state file
//! and of `GET /_sim/state`, and the rules a name, an address and a password must follow.
//!
//! Pure data: no I/O, no HTTP. Checking a loaded world is `store.rs`'s job, changing one is
//! `ops.rs`'s.

use serde::{Deserialize, Serialize};

use crate::sim::unique::Unique;

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
    /// Which user has each address, by [`email_key`]; rebuilt by `normalise`, kept by `ops`.
    #[serde(skip)]
    pub(crate) emails: Unique<u64>,
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
            emails: Unique::default(),
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

    #[cfg(test)]
    pub(crate) fn user(&self, user_id: u64) -> Option<&User> {
        self.position(user_id).map(|at| &self.users[at])
    }

    /// Where the user is in `users`, which is sorted by id.
    pub(crate) fn position(&self, user_id: u64) -> Option<usize> {
        self.users
            .binary_search_by_key(&user_id, |u| u.user_id)
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
