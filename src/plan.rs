//! The planner: a pure, synchronous function from (desired, actual, schema, policy) to a
//! [`TargetPlan`]. No I/O, no clock, no async; the plan leaves no decision to the executor.
//! The steps are modules: [`matching`], [`diff`], [`collisions`], [`unclaimed`]; [`guard`]
//! checks the result.
//!
//! Complexity: O(n + m) in desired and actual users (hash-map matching, no nested scans), plus
//! O(k log k) to sort the k changes for deterministic output.

mod collisions;
mod diff;
mod guard;
mod matching;
mod summary;
mod types;
mod unclaimed;

use crate::config::Policy;
pub use crate::model::Schema;
use crate::model::{ActualUser, DesiredUser};

pub use guard::{GuardTrip, check_guards, hold_guarded};
pub use summary::Summary;
pub use types::*;

/// Plans one target, in named steps: pair desired and vendor users, diff each pair, gather
/// membership changes, hold back creates whose identity is still taken, decide about the
/// vendor's users nobody declares.
pub fn plan(
    target: &str,
    desired: &[DesiredUser],
    actual: &[ActualUser],
    schema: &Schema,
    policy: &Policy,
) -> TargetPlan {
    let mut out = TargetPlan {
        target: target.to_string(),
        provider: schema.provider.to_string(),
        membership_noun: schema.membership_noun().map(str::to_string),
        in_scope: actual.len(),
        desired_count: desired.len(),
        ..TargetPlan::default()
    };
    let matched = matching::pair(desired, actual, &mut out);
    let mut memberships = diff::Memberships::default();
    for &(d, i) in &matched.pairs {
        diff::user(d, &actual[i], schema, policy, &mut out, &mut memberships);
    }
    out.memberships = memberships.into_changes();
    collisions::creates(actual, schema, &mut out);
    unclaimed::users(actual, &matched.claimed, schema, policy, &mut out);
    out.sort();
    out
}

#[cfg(test)]
mod tests;
