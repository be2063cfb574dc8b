//! Planner step 2: the differences of one matched user, field by field. Each differing field
//! is an update, a membership join or leave, drift that needs a person, or an ignored
//! difference; protected users are only reported. Map fields manage only the keys the
//! manifest sets.
//!
//! Pure; O(fields) per user.

use std::collections::BTreeMap;

use crate::config::Policy;
use crate::model::{ActualUser, DesiredUser, Mutability, Schema, Set, Value};

use super::{Drift, FieldChange, Membership, TargetPlan, Update, UserRef};

/// Joins and leaves gathered per (field, collection) across users.
#[derive(Default)]
pub(super) struct Memberships(BTreeMap<(String, String), (Vec<UserRef>, Vec<UserRef>)>);

impl Memberships {
    fn join(&mut self, field: &str, collection: &str, user: &UserRef) {
        let e = self.0.entry((field.to_string(), collection.to_string()));
        e.or_default().0.push(user.clone());
    }

    fn leave(&mut self, field: &str, collection: &str, user: &UserRef) {
        let e = self.0.entry((field.to_string(), collection.to_string()));
        e.or_default().1.push(user.clone());
    }

    pub(super) fn into_changes(self) -> Vec<Membership> {
        self.0
            .into_iter()
            .map(|((field, collection), (join, leave))| Membership {
                field,
                collection,
                join,
                leave,
            })
            .collect()
    }
}

/// Adds the changes of `d` against `a` to `out` and `memberships`.
pub(super) fn user(
    d: &DesiredUser,
    a: &ActualUser,
    schema: &Schema,
    policy: &Policy,
    out: &mut TargetPlan,
    memberships: &mut Memberships,
) {
    let user = UserRef::matched(d, a);
    if policy.protect.contains(&d.key) || policy.protect.contains(&a.key) {
        if d.fields.iter().any(|(f, v)| a.fields.get(f) != Some(v)) {
            out.protected.push(user);
        }
        return;
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
        let change = || FieldChange {
            user: user.clone(),
            field: field.to_string(),
            from: have.cloned(),
            to: want.clone(),
        };
        if d.ignore.contains(field) || policy.ignore.contains(field) {
            out.ignored.push(change());
            continue;
        }
        match spec.mutability {
            Mutability::Update => changes.push(change()),
            Mutability::Membership => {
                let empty = Set::new();
                let want = want.as_set().unwrap_or(&empty);
                let have = have.and_then(Value::as_set).unwrap_or(&empty);
                for c in want.difference(have) {
                    memberships.join(field, c, &user);
                }
                for c in have.difference(want) {
                    memberships.leave(field, c, &user);
                }
            }
            Mutability::NeedsPerson => out.needs_person.push(Drift {
                user: user.clone(),
                field: field.to_string(),
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
