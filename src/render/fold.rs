//! What a long plan folds, and what it never folds.
//!
//! A section (one kind of entry on one target: creates, updates, membership joins, unmanaged
//! users, …) with more than `threshold` entries shows its first `head` entries and then one
//! line counting the rest. Removals of access are never folded: deletions, deactivations,
//! guarded holds, membership leaves, and updates that switch a user off, take a set member
//! away (a group, a role) or change the identity the user is matched by.
//!
//! Must not: write text (see `human`), or know a vendor's field names: the rules read only the
//! values' shapes and the user's key.

use crate::model::{Value, normalise_key};
use crate::plan::{FieldChange, Update, UserRef};

/// Sections with more entries than this fold in the human output (`--full` shows everything).
pub const THRESHOLD: usize = 50;
/// Entries a folded section shows in full (besides removals of access).
pub const HEAD: usize = 20;

/// How much of each section to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Sections with more entries than this fold.
    pub threshold: usize,
    /// Entries of a folded section shown in full, removals of access not counted.
    pub head: usize,
}

impl Fold {
    /// Everything, as `--full` asks.
    pub const FULL: Fold = Fold {
        threshold: usize::MAX,
        head: usize::MAX,
    };
}

impl Default for Fold {
    fn default() -> Self {
        Fold {
            threshold: THRESHOLD,
            head: HEAD,
        }
    }
}

/// Whether a change takes access away: a switch turned off, a set member (group, role,
/// workflow) taken away, or a new value for the text the user is matched by.
pub(crate) fn change_removes_access(c: &FieldChange, user: &UserRef) -> bool {
    match (&c.from, &c.to) {
        (Some(Value::Bool(true)) | None, Value::Bool(false)) => true,
        (Some(Value::Set(old)), Value::Set(new)) => !old.is_subset(new),
        (Some(Value::Text(old)), Value::Text(new)) => {
            normalise_key(old) == user.key && normalise_key(new) != user.key
        }
        _ => false,
    }
}

/// Whether an update takes access away (see [`change_removes_access`]).
pub(crate) fn removes_access(u: &Update) -> bool {
    u.changes.iter().any(|c| change_removes_access(c, &u.user))
}

/// One section's running decision: which entries to show, and how many were folded.
#[derive(Debug)]
pub(crate) struct Section {
    folding: bool,
    head: usize,
    shown: usize,
    pub(crate) hidden: usize,
}

impl Section {
    /// A section of `total` entries of which `pinned` are never folded.
    pub(crate) fn new(fold: Fold, total: usize) -> Section {
        Section {
            folding: total > fold.threshold,
            head: fold.head,
            shown: 0,
            hidden: 0,
        }
    }

    /// How many of `total` entries, `pinned` of them never folded, a section will fold.
    pub(crate) fn hidden_of(fold: Fold, total: usize, pinned: usize) -> usize {
        if total > fold.threshold {
            (total - pinned).saturating_sub(fold.head)
        } else {
            0
        }
    }

    /// Whether to show the next entry; a pinned one is always shown.
    pub(crate) fn show(&mut self, pinned: bool) -> bool {
        if pinned {
            return true;
        }
        if !self.folding || self.shown < self.head {
            self.shown += 1;
            true
        } else {
            self.hidden += 1;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(field: &str, from: Value, to: Value) -> Update {
        let user = UserRef {
            key: "bo@example.com".into(),
            ..UserRef::default()
        };
        Update {
            changes: vec![FieldChange {
                user: user.clone(),
                field: field.into(),
                from: Some(from),
                to,
            }],
            user,
            actual: Default::default(),
        }
    }

    #[test]
    fn access_removals_are_recognised_by_shape() {
        let t = Value::text;
        assert!(removes_access(&update(
            "active",
            Value::Bool(true),
            Value::Bool(false)
        )));
        assert!(!removes_access(&update(
            "active",
            Value::Bool(false),
            Value::Bool(true)
        )));
        assert!(removes_access(&update(
            "groups",
            Value::set(["a", "b"]),
            Value::set(["a"])
        )));
        assert!(!removes_access(&update(
            "groups",
            Value::set(["a"]),
            Value::set(["a", "b"])
        )));
        assert!(removes_access(&update(
            "email",
            t("Bo@example.com"),
            t("bo.chen@example.com")
        )));
        assert!(!removes_access(&update(
            "email",
            t("bo@example.com"),
            t("BO@example.com")
        )));
        assert!(!removes_access(&update("name", t("Bo"), t("Bo Chen"))));
    }

    #[test]
    fn a_section_shows_its_head_and_every_pinned_entry() {
        let fold = Fold {
            threshold: 5,
            head: 2,
        };
        let mut s = Section::new(fold, 10);
        let pinned = [
            false, true, false, false, true, false, false, false, false, false,
        ];
        let shown: Vec<bool> = pinned.iter().map(|&p| s.show(p)).collect();
        assert_eq!(
            shown,
            [
                true, true, true, false, true, false, false, false, false, false
            ]
        );
        assert_eq!(s.hidden, 6);
        assert_eq!(Section::hidden_of(fold, 10, 2), 6);
        let mut small = Section::new(fold, 5);
        assert!((0..5).all(|_| small.show(false)));
        assert_eq!(Section::hidden_of(fold, 5, 0), 0);
    }
}
