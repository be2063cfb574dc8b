//! Planner step 1: pairs each desired user with the vendor's user it describes. Users bound by
//! `id` claim theirs first (so that a rename frees the old key), then the others match by key.
//! A desired user with no match is a create; an `id` that matches nobody needs a person.
//!
//! Pure; O(n + m) through hash maps.

use std::collections::HashMap;

use crate::model::{ActualUser, DesiredUser, Value};

use super::{Create, Drift, TargetPlan, UserRef};

/// The pairs found, and which vendor users were claimed.
pub(super) struct Matched<'a> {
    /// (desired, index into actual)
    pub pairs: Vec<(&'a DesiredUser, usize)>,
    pub claimed: Vec<bool>,
}

pub(super) fn pair<'a>(
    desired: &[&'a DesiredUser],
    actual: &[ActualUser],
    out: &mut TargetPlan,
) -> Matched<'a> {
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
    let mut pairs = Vec::with_capacity(desired.len());
    let mut unbound = Vec::new();
    for &d in desired {
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
    Matched { pairs, claimed }
}
