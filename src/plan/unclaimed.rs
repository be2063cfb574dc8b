//! Planner step 3: the vendor's users no manifest declares. Under the target's `unmanaged`
//! policy each is reported, deleted, or deactivated (where the vendor can deactivate; one
//! already deactivated is only reported). Protected users are only reported.
//!
//! Pure; O(m).

use crate::config::Policy;
use crate::model::{ActualUser, Schema, Unmanaged, Value};

use super::{FieldChange, TargetPlan, Update, UserRef};

pub(super) fn users(
    actual: &[ActualUser],
    claimed: &[bool],
    schema: &Schema,
    policy: &Policy,
    out: &mut TargetPlan,
) {
    for (a, _) in actual.iter().zip(claimed).filter(|(_, c)| !**c) {
        let user = UserRef::actual(a);
        if policy.protect.contains(&a.key) {
            out.unmanaged.push(user);
            continue;
        }
        match (policy.unmanaged, &schema.deactivate) {
            (Unmanaged::Delete, _) => out.deletes.push(user),
            (Unmanaged::Deactivate, Some((field, off))) => {
                if a.fields.get(field) == Some(off) {
                    out.unmanaged.push(user);
                } else {
                    out.deactivations.push(deactivation(user, a, field, off));
                }
            }
            _ => out.unmanaged.push(user),
        }
    }
}

/// The update that deactivates `a`: its `field` set to `off`.
pub(super) fn deactivation(user: UserRef, a: &ActualUser, field: &str, off: &Value) -> Update {
    Update {
        actual: a.fields.clone(),
        changes: vec![FieldChange {
            user: user.clone(),
            field: field.to_string(),
            from: a.fields.get(field).cloned(),
            to: off.clone(),
        }],
        user,
    }
}
