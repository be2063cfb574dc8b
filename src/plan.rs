//! The planner: a pure, synchronous function from (desired, actual, schema, policy) to a
//! [`TargetPlan`]. No I/O, no clock, no async; the plan leaves no decision to the executor.
//!
//! Complexity: O(n + m) in desired and actual users (hash-map matching, no nested scans), plus
//! O(k log k) to sort the k changes for deterministic output.

mod guard;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::config::Policy;
use crate::model::{ActualUser, DesiredUser, FieldSpec, Mutability, Unmanaged, Value};

pub use guard::{GuardTrip, check_guards, hold_guarded};
pub use types::*;

/// What a provider tells the planner about itself.
#[derive(Clone, Debug)]
pub struct Schema {
    pub provider: &'static str,
    pub fields: Vec<FieldSpec>,
    /// The field and value that deactivate a user, when the vendor has such a switch.
    pub deactivate: Option<(&'static str, Value)>,
}

impl Schema {
    fn spec(&self, field: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == field)
    }
}

/// Plans one target.
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
        in_scope: actual.len(),
        desired_count: desired.len(),
        ..TargetPlan::default()
    };
    let by_id: HashMap<&str, usize> = actual
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let by_key: HashMap<&str, usize> = actual
        .iter()
        .enumerate()
        .map(|(i, a)| (a.key.as_str(), i))
        .collect();
    let mut claimed = vec![false; actual.len()];
    let mut pairs: Vec<(&DesiredUser, usize)> = Vec::with_capacity(desired.len());
    let mut unbound: Vec<&DesiredUser> = Vec::new();

    // Users bound by id claim their actual user first, so that a rename frees the old key.
    for d in desired {
        match &d.id {
            Some(id) => match by_id.get(id.as_str()) {
                Some(&i) => {
                    claimed[i] = true;
                    pairs.push((d, i));
                }
                None => out.needs_person.push(Drift {
                    user: UserRef::desired(d),
                    field: "id".into(),
                    actual: None,
                    desired: Some(Value::text(id.clone())),
                    reason: format!("no user with id {id} in scope"),
                }),
            },
            None => unbound.push(d),
        }
    }
    for d in unbound {
        match by_key.get(d.key.as_str()) {
            Some(&i) if !claimed[i] => {
                claimed[i] = true;
                pairs.push((d, i));
            }
            _ => out.creates.push(Create {
                user: UserRef::desired(d),
                fields: d.fields.clone(),
                password: d.password.clone(),
            }),
        }
    }

    let mut joins: BTreeMap<(String, String), (Vec<UserRef>, Vec<UserRef>)> = BTreeMap::new();
    for (d, i) in pairs {
        let a = &actual[i];
        let user = UserRef::matched(d, a);
        if policy.protect.contains(&d.key) || policy.protect.contains(&a.key) {
            if d.fields.iter().any(|(f, v)| a.fields.get(f) != Some(v)) {
                out.protected.push(user);
            }
            continue;
        }
        let mut changes = Vec::new();
        for (field, want) in &d.fields {
            let restricted = restrict(a.fields.get(field), want);
            let have = restricted.as_ref().or(a.fields.get(field));
            if have == Some(want) {
                continue;
            }
            let Some(spec) = schema.spec(field) else {
                continue;
            };
            if d.ignore.contains(field) || policy.ignore.contains(field) {
                out.ignored.push(FieldChange {
                    user: user.clone(),
                    field: field.clone(),
                    from: have.cloned(),
                    to: want.clone(),
                });
                continue;
            }
            match spec.mutability {
                Mutability::Update => changes.push(FieldChange {
                    user: user.clone(),
                    field: field.clone(),
                    from: have.cloned(),
                    to: want.clone(),
                }),
                Mutability::Membership => {
                    let empty = BTreeSet::new();
                    let want = want.as_set().unwrap_or(&empty);
                    let have = have.and_then(Value::as_set).unwrap_or(&empty);
                    for c in want.difference(have) {
                        joins
                            .entry((field.clone(), c.clone()))
                            .or_default()
                            .0
                            .push(user.clone());
                    }
                    for c in have.difference(want) {
                        joins
                            .entry((field.clone(), c.clone()))
                            .or_default()
                            .1
                            .push(user.clone());
                    }
                }
                Mutability::NeedsPerson => out.needs_person.push(Drift {
                    user: user.clone(),
                    field: field.clone(),
                    actual: have.cloned(),
                    desired: Some(want.clone()),
                    reason: format!("{} does not let roster change {field}", schema.provider),
                }),
            }
        }
        if !changes.is_empty() {
            out.updates.push(Update {
                user,
                changes,
                actual: a.fields.clone(),
            });
        }
    }
    out.memberships = joins
        .into_iter()
        .map(|((field, collection), (join, leave))| Membership {
            field,
            collection,
            join,
            leave,
        })
        .collect();

    for (i, a) in actual.iter().enumerate() {
        if claimed[i] {
            continue;
        }
        let user = UserRef::actual(a);
        if policy.protect.contains(&a.key) {
            out.unmanaged.push(user);
            continue;
        }
        match (policy.unmanaged, &schema.deactivate) {
            (Unmanaged::Delete, _) => out.deletes.push(user),
            (Unmanaged::Deactivate, Some((field, off))) => {
                if a.fields.get(*field) == Some(off) {
                    out.unmanaged.push(user);
                } else {
                    out.deactivations.push(Update {
                        actual: a.fields.clone(),
                        changes: vec![FieldChange {
                            user: user.clone(),
                            field: field.to_string(),
                            from: a.fields.get(*field).cloned(),
                            to: off.clone(),
                        }],
                        user,
                    });
                }
            }
            _ => out.unmanaged.push(user),
        }
    }
    out.sort();
    out
}

/// A map field manages only the keys the manifest sets: the vendor's other keys are ignored.
fn restrict(have: Option<&Value>, want: &Value) -> Option<Value> {
    match (have, want) {
        (Some(Value::Map(have)), Value::Map(want)) => Some(Value::Map(
            have.iter()
                .filter(|(k, _)| want.contains_key(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )),
        (None, Value::Map(_)) => Some(Value::Map(Default::default())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
