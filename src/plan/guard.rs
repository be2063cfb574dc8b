//! Mass-change guards: refuse a plan that would take access away from more users than the
//! target allows, or from anyone because the manifests came out empty.
//!
//! Every kind of removal of access counts: a deletion, a deactivation (of an unmanaged user, or
//! an update that sets the schema's deactivation field to its off value), a rename (a change
//! of an identity field), and leaving a collection (a membership leave, or an update of a set
//! field that drops members: groups, roles). Each user counts once, whatever it loses; the
//! message says how many of each kind.
//!
//! Pure: reads a plan, a policy and a schema; never changes the vendor.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Policy;

use super::{Schema, TargetPlan, Update, UserRef};
use crate::model::Value;

/// Why a plan was refused. The message names the numbers and the flag that overrides.
#[derive(
    Clone,
    Debug,
    PartialEq,
    thiserror::Error,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[error(
    "target {target}: refusing to remove access of {removals} of {in_scope} users ({kinds}): {reason}; rerun with --allow-mass-delete if this is intended"
)]
pub struct GuardTrip {
    pub target: String,
    /// Distinct users losing access.
    pub removals: usize,
    pub in_scope: usize,
    /// How many of each kind, e.g. `38 deactivated, 2 leaving workflows`.
    pub kinds: String,
    pub reason: String,
}

/// A way of losing access, in the order messages list them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Deleted,
    Deactivated,
    Renamed,
    Leaving(String),
}

impl Kind {
    fn label(&self) -> String {
        match self {
            Kind::Deleted => "deleted".into(),
            Kind::Deactivated => "deactivated".into(),
            Kind::Renamed => "renamed".into(),
            Kind::Leaving(field) => format!("leaving {field}"),
        }
    }
}

/// A user's identity for counting: the vendor id (every user losing access exists).
fn who(u: &UserRef) -> &str {
    u.id.as_deref().unwrap_or(&u.key)
}

/// How an update takes access away, if it does.
fn update_kinds(u: &Update, schema: &Schema) -> Vec<Kind> {
    let mut kinds = Vec::new();
    for c in &u.changes {
        if schema
            .deactivate
            .as_ref()
            .is_some_and(|(field, off)| c.field == *field && c.to == *off)
        {
            kinds.push(Kind::Deactivated);
        }
        if schema.spec(&c.field).is_some_and(|s| s.identity) {
            kinds.push(Kind::Renamed);
        }
        if let (Some(Value::Set(from)), Value::Set(to)) = (&c.from, &c.to)
            && !from.is_subset(to)
        {
            kinds.push(Kind::Leaving(c.field.clone()));
        }
    }
    kinds
}

/// Every user losing access, by kind.
fn removals<'a>(plan: &'a TargetPlan, schema: &Schema) -> BTreeMap<Kind, BTreeSet<&'a str>> {
    let mut by: BTreeMap<Kind, BTreeSet<&str>> = BTreeMap::new();
    let mut add = |kind: Kind, u: &'a UserRef| {
        by.entry(kind).or_default().insert(who(u));
    };
    for u in &plan.deletes {
        add(Kind::Deleted, u);
    }
    for u in &plan.deactivations {
        add(Kind::Deactivated, &u.user);
    }
    for u in &plan.updates {
        for kind in update_kinds(u, schema) {
            add(kind, &u.user);
        }
    }
    for m in &plan.memberships {
        for u in &m.leave {
            add(Kind::Leaving(m.field.clone()), u);
        }
    }
    by
}

/// Checks a target plan against its policy's guards.
pub fn check_guards(plan: &TargetPlan, policy: &Policy, schema: &Schema) -> Result<(), GuardTrip> {
    let by = removals(plan, schema);
    let users: BTreeSet<&str> = by.values().flatten().copied().collect();
    let removals = users.len();
    if removals == 0 {
        return Ok(());
    }
    let kinds = by
        .iter()
        .map(|(kind, users)| format!("{} {}", users.len(), kind.label()))
        .collect::<Vec<_>>()
        .join(", ");
    let trip = |reason: String| GuardTrip {
        target: plan.target.clone(),
        removals,
        in_scope: plan.in_scope,
        kinds: kinds.clone(),
        reason,
    };
    if plan.desired_count == 0 {
        return Err(trip(
            "the manifests declare no users for this target".to_string(),
        ));
    }
    if removals as u64 > policy.max_delete {
        return Err(trip(format!(
            "more than max_delete = {}",
            policy.max_delete
        )));
    }
    let fraction = removals as f64 / plan.in_scope.max(1) as f64;
    if fraction > policy.max_delete_fraction {
        return Err(trip(format!(
            "{:.0}% is more than max_delete_fraction = {}",
            fraction * 100.0,
            policy.max_delete_fraction
        )));
    }
    Ok(())
}

/// Moves every change that takes access away out of the plan, naming its users in `held`, and
/// keeps the safe part: creates, harmless updates, membership joins.
pub fn hold_guarded(plan: &mut TargetPlan, schema: &Schema) {
    let mut held: Vec<UserRef> = plan.deletes.drain(..).collect();
    held.extend(plan.deactivations.drain(..).map(|u| u.user));
    let (guarded, safe): (Vec<Update>, Vec<Update>) = plan
        .updates
        .drain(..)
        .partition(|u| !update_kinds(u, schema).is_empty());
    plan.updates = safe;
    held.extend(guarded.into_iter().map(|u| u.user));
    for m in &mut plan.memberships {
        held.append(&mut m.leave);
    }
    plan.memberships.retain(|m| !m.join.is_empty());
    held.sort();
    let mut seen = BTreeSet::new();
    held.retain(|u| seen.insert(who(u).to_string()));
    plan.held = held;
}

#[cfg(test)]
mod tests;
