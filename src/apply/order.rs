//! Which changes of a plan must wait for which: the executor starts each change as soon as
//! nothing it waits for is unfinished, instead of at a barrier between phases, and starts the
//! change heading the longest chain of requests first.
//!
//! The rules, the executor's ordering guarantees:
//! - every change waits for every removal (a deleted user's e-mail may be taken again);
//! - a create waits for each update that changes a field away from a text the create sets
//!   (the e-mail it takes), compared as identities are: trimmed, case-insensitive;
//! - a membership change waits for each create that puts its user in the collection or whose
//!   user joins or leaves it (it needs the new id, and it sends the members it listed back),
//!   and for each update of a user that joins or leaves it.
//!
//! Nothing else can collide, so updates, creates and membership changes otherwise overlap.
//! Pure: reads the plan only. O(changes + fields set by them).

use std::collections::HashMap;

use crate::model::{Value, normalise_key};
use crate::plan::TargetPlan;

/// The changes as the executor numbers them: removals (deletes, then deactivations), one
/// barrier node when there are removals, updates, creates, membership changes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Order {
    /// How many changes each one waits for.
    pub waits: Vec<usize>,
    /// The changes that wait for each one; always later in the numbering.
    pub then: Vec<Vec<usize>>,
    /// Requests on the longest chain that starts with each change, itself included.
    pub height: Vec<u32>,
    /// Where each kind starts in the numbering.
    pub first_update: usize,
    pub first_create: usize,
    pub first_membership: usize,
}

/// Adds an edge per distinct `before`, so that a change never waits twice for the same one.
fn wait_for(then: &mut [Vec<usize>], waits: &mut [usize], before: &mut Vec<usize>, after: usize) {
    before.sort_unstable();
    before.dedup();
    for &b in before.iter() {
        then[b].push(after);
        waits[after] += 1;
    }
    before.clear();
}

pub(crate) fn order(plan: &TargetPlan) -> Order {
    let removals = plan.deletes.len() + plan.deactivations.len();
    let barrier = usize::from(removals > 0);
    let first_update = removals + barrier;
    let first_create = first_update + plan.updates.len();
    let first_membership = first_create + plan.creates.len();
    let n = first_membership + plan.memberships.len();
    let mut then: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waits = vec![0; n];
    if barrier == 1 {
        then[..removals].iter_mut().for_each(|t| t.push(removals));
        waits[removals] = removals;
        then[removals] = (first_update..n).collect();
        waits[first_update..].iter_mut().for_each(|w| *w += 1);
    }

    // Values an update frees, and the updates of each user.
    let mut freeing: HashMap<String, Vec<usize>> = HashMap::new();
    let mut updating: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, u) in plan.updates.iter().enumerate() {
        let i = first_update + k;
        updating.entry(u.user.key.as_str()).or_default().push(i);
        for c in &u.changes {
            if let Some(Value::Text(t)) = &c.from {
                freeing.entry(normalise_key(t)).or_default().push(i);
            }
        }
    }
    let mut before = Vec::new();
    let mut creating: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut joining: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (k, c) in plan.creates.iter().enumerate() {
        let i = first_create + k;
        creating.entry(c.user.key.as_str()).or_default().push(i);
        for (field, value) in c.fields.iter() {
            match value {
                Value::Text(t) => {
                    before.extend(freeing.get(&normalise_key(t)).into_iter().flatten());
                }
                Value::Set(items) => {
                    for item in items {
                        joining.entry((field, item.as_str())).or_default().push(i);
                    }
                }
                _ => {}
            }
        }
        before.extend(freeing.get(&c.user.key).into_iter().flatten());
        wait_for(&mut then, &mut waits, &mut before, i);
    }
    for (k, m) in plan.memberships.iter().enumerate() {
        let i = first_membership + k;
        let key = (m.field.as_str(), m.collection.as_str());
        before.extend(joining.get(&key).into_iter().flatten());
        for u in m.join.iter().chain(&m.leave) {
            let key = u.key.as_str();
            before.extend(creating.get(key).into_iter().flatten());
            before.extend(updating.get(key).into_iter().flatten());
        }
        wait_for(&mut then, &mut waits, &mut before, i);
    }

    let cost = |i: usize| -> u32 {
        if barrier == 1 && i == removals {
            0
        } else if i >= first_membership {
            2
        } else {
            1
        }
    };
    let mut height = vec![0; n];
    for i in (0..n).rev() {
        let longest = then[i].iter().map(|&j| height[j]).max().unwrap_or(0);
        height[i] = cost(i) + longest;
    }
    Order {
        waits,
        then,
        height,
        first_update,
        first_create,
        first_membership,
    }
}
