//! The planner: a pure, synchronous function from (desired, actual, schema, policy, now) to a
//! [`TargetPlan`]. No I/O, no clock, no async; the plan leaves no decision to the executor.
//! The steps are modules: [`expiry`] (what has ended at `now`), [`matching`], [`diff`],
//! [`collisions`], [`unclaimed`], then [`expiry`] again (the reasons and the notices); [`guard`]
//! checks the result. With a [`Focus`] ([`plan_focused`]) only the users an edit touched are
//! planned, while the counts the guards judge by stay the whole target's.
//!
//! Complexity: O(n + m) in desired and actual users (hash-map matching, no nested scans), plus
//! O(k log k) to sort the k changes for deterministic output. Focused: a few passes over the
//! users to close the focus, then O(focus) (plus O(m) to check held creates, when any).

mod collisions;
mod diff;
mod expiry;
mod focus;
mod guard;
mod matching;
mod summary;
mod types;
mod unclaimed;

use crate::config::Policy;
pub use crate::model::Schema;
use chrono::{DateTime, Utc};

use crate::model::{ActualUser, DesiredUser};

pub use focus::Focus;
pub use guard::{GuardTrip, check_guards, hold_guarded};
pub use summary::Summary;
pub use types::*;

/// Everything the planner reads. `now` is an input, never read from a clock inside.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub target: &'a str,
    pub desired: &'a [DesiredUser],
    pub actual: &'a [ActualUser],
    pub schema: &'a Schema,
    pub policy: &'a Policy,
    /// The instant the plan is made for.
    pub now: DateTime<Utc>,
    /// What a tripped mass-change guard does to the plan.
    pub guards: Guards,
}

/// What a tripped guard does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guards {
    /// The plan keeps every change and names the trip (`apply` then refuses it).
    Report,
    /// The guarded removals move to `held`; the safe part stays (the daemon).
    Hold,
}

/// Plans one target, in named steps: set apart what has ended at `now`, pair desired and
/// vendor users, diff each pair, gather membership changes, end the access of ended users,
/// hold back creates whose identity is still taken, decide about the vendor's users nobody
/// declares, name the ends and the notices, then check the guards.
pub fn plan(input: &Input<'_>) -> TargetPlan {
    plan_focused(input, None)
}

/// [`plan`], with a `focus`: only the users it touches (closed over the users they share a key
/// or an id with) are paired, diffed and planned, and only vendor users in it are decided
/// about when nobody declares them. `in_scope` and `desired_count` stay the whole target's, so
/// that the guards judge the focused removals against the whole account. A focus that does
/// not close (see [`Focus::closed`]) plans in full.
pub fn plan_focused(input: &Input<'_>, focus: Option<&Focus>) -> TargetPlan {
    let Input {
        target,
        desired: all_desired,
        actual: all_actual,
        schema,
        policy,
        now,
        ..
    } = *input;
    let mut out = TargetPlan {
        target: target.to_string(),
        provider: schema.provider.to_string(),
        membership_noun: schema.membership_noun().map(str::to_string),
        in_scope: all_actual.len(),
        desired_count: all_desired.len(),
        ..TargetPlan::default()
    };
    let subset = focus
        .and_then(|f| f.closed(all_desired, all_actual))
        .map(|f| (f.desired(all_desired), f.actual(all_actual)));
    let (desired, actual) = match &subset {
        Some((d, a)) => (d.as_slice(), a.as_slice()),
        None => (all_desired, all_actual),
    };
    let trimmed = expiry::trimmed(desired, now);
    let split = expiry::split(desired, &trimmed, now);
    let mut matched = matching::pair(&split.live, actual, &mut out);
    let mut memberships = diff::Memberships::default();
    for &(d, i) in &matched.pairs {
        diff::user(d, &actual[i], schema, policy, &mut out, &mut memberships);
    }
    out.memberships = memberships.into_changes();
    expiry::users(
        &split.ended,
        actual,
        &mut matched.claimed,
        schema,
        policy,
        &mut out,
    );
    // Every vendor user, focused or not: a closed focus holds each holder already, and so this
    // step does not depend on how the focus was closed.
    collisions::creates(all_actual, schema, &mut out);
    unclaimed::users(actual, &matched.claimed, schema, policy, &mut out);
    let cx = expiry::Context {
        desired,
        pairs: &matched.pairs,
        actual,
        schema,
        policy,
        now,
    };
    expiry::notes(&cx, &mut out);
    out.sort();
    if let Err(trip) = check_guards(&out, policy, schema) {
        if input.guards == Guards::Hold {
            hold_guarded(&mut out, schema);
        }
        out.guard = Some(trip);
    }
    out
}

/// For tests: plans with a pinned instant and guards reported.
#[cfg(test)]
pub(crate) fn plan_at_epoch(
    target: &str,
    desired: &[DesiredUser],
    actual: &[ActualUser],
    schema: &Schema,
    policy: &Policy,
) -> TargetPlan {
    plan(&Input {
        target,
        desired,
        actual,
        schema,
        policy,
        now: DateTime::UNIX_EPOCH,
        guards: Guards::Report,
    })
}

#[cfg(test)]
mod tests;
