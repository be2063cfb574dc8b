//! A plan's focus: the users one edit touched, by key and by vendor id. A focused plan pairs,
//! diffs and plans only those users, and decides about a vendor user nobody declares only
//! when its key or id is in the focus; everything else is left as it is, unseen.
//!
//! Before planning, the focus is closed over the users it shares an identity with: every
//! desired or vendor user whose key or id is in the focus joins it with its own key and id,
//! until no user joins. Pairing, claims and held creates only ever relate users that share a
//! key or an id, so a closed focus plans its users exactly as the full plan does (the
//! property `tests::focused_plan_is_the_full_plan_restricted` checks). A closure that does not
//! settle within [`ROUNDS`] rounds gives up: the plan is then made in full.
//!
//! Pure; each round is one pass over the desired and vendor users (a lookup in the focus per
//! user), and the planning that follows is O(focus).

use std::collections::HashSet;

use crate::model::{ActualUser, DesiredUser};

use super::UserRef;

/// How many rounds closing a focus may take before the plan is made in full: a chain of
/// renames longer than this is rare enough to pay a full plan for.
const ROUNDS: usize = 16;

/// The keys and vendor ids a plan is focused on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Focus {
    pub keys: HashSet<String>,
    pub ids: HashSet<String>,
}

impl Focus {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.ids.is_empty()
    }

    /// Whether a user with this key and id is in the focus.
    pub fn touches(&self, key: &str, id: Option<&str>) -> bool {
        self.keys.contains(key) || id.is_some_and(|id| self.ids.contains(id))
    }

    /// Whether a user a plan names is in the focus.
    pub fn names(&self, user: &UserRef) -> bool {
        self.touches(&user.key, user.id.as_deref())
    }

    /// Adds a user's key and id; whether either was new.
    fn join(&mut self, key: &str, id: Option<&str>) -> bool {
        let mut grew = false;
        if !self.keys.contains(key) {
            self.keys.insert(key.to_string());
            grew = true;
        }
        if let Some(id) = id.filter(|id| !self.ids.contains(*id)) {
            self.ids.insert(id.to_string());
            grew = true;
        }
        grew
    }

    /// The focus closed over every user it shares a key or an id with; `None` when that does
    /// not settle within [`ROUNDS`] rounds.
    pub fn closed(&self, desired: &[DesiredUser], actual: &[ActualUser]) -> Option<Focus> {
        let mut f = self.clone();
        for _ in 0..ROUNDS {
            let mut grew = false;
            for d in desired {
                if f.touches(&d.key, d.id.as_deref()) {
                    grew |= f.join(&d.key, d.id.as_deref());
                }
            }
            for a in actual {
                if f.touches(&a.key, Some(&a.id)) {
                    grew |= f.join(&a.key, Some(&a.id));
                }
            }
            if !grew {
                return Some(f);
            }
        }
        None
    }

    /// The desired users in the focus, in order.
    pub(super) fn desired(&self, desired: &[DesiredUser]) -> Vec<DesiredUser> {
        desired
            .iter()
            .filter(|d| self.touches(&d.key, d.id.as_deref()))
            .cloned()
            .collect()
    }

    /// The vendor users in the focus, in order.
    pub(super) fn actual(&self, actual: &[ActualUser]) -> Vec<ActualUser> {
        actual
            .iter()
            .filter(|a| self.touches(&a.key, Some(&a.id)))
            .cloned()
            .collect()
    }

    /// `plan` with only the users in the focus: what a plan focused on it must be. For tests;
    /// the guard is left as it was.
    #[cfg(test)]
    pub(crate) fn restrict(&self, plan: &super::TargetPlan) -> super::TargetPlan {
        let mut p = plan.clone();
        p.creates.retain(|c| self.names(&c.user));
        p.updates.retain(|u| self.names(&u.user));
        for m in &mut p.memberships {
            m.join.retain(|u| self.names(u));
            m.leave.retain(|u| self.names(u));
        }
        p.memberships
            .retain(|m| !(m.join.is_empty() && m.leave.is_empty()));
        p.deletes.retain(|u| self.names(u));
        p.deactivations.retain(|u| self.names(&u.user));
        p.needs_person.retain(|d| self.names(&d.user));
        p.unmanaged.retain(|u| self.names(u));
        p.protected.retain(|u| self.names(u));
        p.ignored.retain(|c| self.names(&c.user));
        p.held.retain(|u| self.names(u));
        p.expired.retain(|e| self.names(&e.user));
        p.expiring.retain(|e| self.names(&e.user));
        p
    }
}
