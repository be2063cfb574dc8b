//! One count of a plan, made one way: the JSON `summary`, the markdown table, the human
//! summary line and the daemon's status line all read this value.
//!
//! Pure; no formatting beyond the one summary line.

use serde::Serialize;

use super::TargetPlan;

/// Counts of a set of target plans.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    /// Individual joins and leaves, across all collections.
    pub membership_changes: usize,
    pub delete: usize,
    pub deactivate: usize,
    pub unmanaged: usize,
    pub needs_person: usize,
    pub held: usize,
    /// Ends of access coming within `expiry_warning`: notices, not changes.
    pub expiring: usize,
    /// What one membership is called, when every target with memberships agrees ("workflow").
    #[serde(skip)]
    pub membership_noun: Option<String>,
    /// Whether any target has membership fields at all.
    #[serde(skip)]
    pub has_memberships: bool,
}

impl Summary {
    pub fn of(targets: &[TargetPlan]) -> Summary {
        let mut s = Summary::default();
        let mut nouns = Vec::new();
        for t in targets {
            s.create += t.creates.len();
            s.update += t.updates.len();
            s.membership_changes += t.membership_changes();
            s.delete += t.deletes.len();
            s.deactivate += t.deactivations.len();
            s.unmanaged += t.unmanaged.len();
            s.needs_person += t.needs_person.len();
            s.held += t.held.len();
            s.expiring += t.expiring.len();
            if let Some(n) = &t.membership_noun {
                nouns.push(n.as_str());
            }
        }
        nouns.sort_unstable();
        nouns.dedup();
        s.has_memberships = !nouns.is_empty() || s.membership_changes > 0;
        s.membership_noun = match nouns.as_slice() {
            [one] => Some((*one).to_string()),
            _ => None,
        };
        s
    }

    /// Whether applying would send any write.
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.membership_changes + self.delete + self.deactivate > 0
    }

    /// `Plan: 1 to create, 2 to update, 3 workflow memberships to change, 1 unmanaged, 0 drifts
    /// need a person.`
    pub fn line(&self) -> String {
        format!("Plan: {}.", self.counts())
    }

    /// The counts of [`Summary::line`] without its frame, for status lines.
    pub fn counts(&self) -> String {
        let mut parts = vec![
            format!("{} to create", self.create),
            format!("{} to update", self.update),
        ];
        if self.has_memberships {
            let noun = self
                .membership_noun
                .as_deref()
                .map_or_else(String::new, |n| format!("{n} "));
            parts.push(format!(
                "{} {noun}memberships to change",
                self.membership_changes
            ));
        }
        if self.delete > 0 {
            parts.push(format!("{} to delete", self.delete));
        }
        if self.deactivate > 0 {
            parts.push(format!("{} to deactivate", self.deactivate));
        }
        parts.push(format!("{} unmanaged", self.unmanaged));
        let np = self.needs_person;
        let verb = if np == 1 {
            "drift needs"
        } else {
            "drifts need"
        };
        parts.push(format!("{np} {verb} a person"));
        if self.held > 0 {
            parts.push(format!("{} removals held by a guard", self.held));
        }
        if self.expiring > 0 {
            let s = if self.expiring == 1 { "" } else { "s" };
            parts.push(format!(
                "{} end{s} of access coming (notices)",
                self.expiring
            ));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_vendors_membership_and_leaves_it_out_when_there_is_none() {
        let mut t = TargetPlan {
            membership_noun: Some("workflow".into()),
            ..TargetPlan::default()
        };
        assert_eq!(
            Summary::of(std::slice::from_ref(&t)).line(),
            "Plan: 0 to create, 0 to update, 0 workflow memberships to change, 0 unmanaged, 0 drifts need a person."
        );
        t.membership_noun = None;
        assert_eq!(
            Summary::of(std::slice::from_ref(&t)).line(),
            "Plan: 0 to create, 0 to update, 0 unmanaged, 0 drifts need a person."
        );
        let group = TargetPlan {
            membership_noun: Some("group".into()),
            ..TargetPlan::default()
        };
        let workflow = TargetPlan {
            membership_noun: Some("workflow".into()),
            ..TargetPlan::default()
        };
        assert!(
            Summary::of(&[group, workflow])
                .line()
                .contains("0 memberships to change")
        );
    }
}
