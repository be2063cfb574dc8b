//! Planner step 4: a create whose identity is still held. When a user bound by `id` is to take
//! a new identity, another manifest user may declare the old one; that create can only succeed
//! after the rename. If the plan does not rename the holder (its identity cannot change through
//! the API, or is ignored or protected), the create would collide at the vendor, so it becomes
//! drift that needs a person instead.
//!
//! Pure; O(n + m) when the plan creates anyone, nothing otherwise.

use std::collections::{HashMap, HashSet};

use crate::model::{ActualUser, Schema};

use super::{Drift, TargetPlan};

pub(super) fn creates(actual: &[ActualUser], schema: &Schema, out: &mut TargetPlan) {
    if out.creates.is_empty() {
        return;
    }
    let by_key: HashMap<&str, &ActualUser> = actual.iter().map(|a| (a.key.as_str(), a)).collect();
    let identity: HashSet<&str> = schema
        .fields
        .iter()
        .filter(|f| f.identity)
        .map(|f| f.name)
        .collect();
    let renamed: HashSet<&str> = out
        .updates
        .iter()
        .filter(|u| {
            u.changes
                .iter()
                .any(|c| identity.contains(c.field.as_str()))
        })
        .map(|u| u.user.vendor_id())
        .collect();
    let (keep, held): (Vec<_>, Vec<_>) =
        std::mem::take(&mut out.creates).into_iter().partition(|c| {
            match by_key.get(c.user.key.as_str()) {
                Some(holder) => renamed.contains(holder.id.as_str()),
                None => true,
            }
        });
    out.creates = keep;
    for c in held {
        let holder = by_key[c.user.key.as_str()];
        out.needs_person.push(Drift {
            user: c.user,
            field: "id".into(),
            actual: None,
            desired: None,
            reason: format!(
                "{} is still held by user {}, which another manifest entry is bound to and this plan does not rename",
                holder.key, holder.id
            ),
        });
    }
}
