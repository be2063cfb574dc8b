//! Mass-change guards: refuse a plan that would remove more users than the target allows, or
//! everyone because the manifests came out empty.
//!
//! Pure: reads a plan and a policy, never changes the vendor.

use crate::config::Policy;

use super::TargetPlan;

/// Why a plan was refused. The message names the numbers and the flag that overrides.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "target {target}: refusing to remove {removals} of {in_scope} users ({reason}); rerun with --allow-mass-delete if this is intended"
)]
pub struct GuardTrip {
    pub target: String,
    pub removals: usize,
    pub in_scope: usize,
    pub reason: String,
}

/// Checks a target plan against its policy's guards.
pub fn check_guards(plan: &TargetPlan, policy: &Policy) -> Result<(), GuardTrip> {
    let removals = plan.deletes.len() + plan.deactivations.len();
    if removals == 0 {
        return Ok(());
    }
    let trip = |reason: String| GuardTrip {
        target: plan.target.clone(),
        removals,
        in_scope: plan.in_scope,
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

/// Moves the guarded removals out of the plan into `held`, keeping the safe part.
pub fn hold_guarded(plan: &mut TargetPlan) {
    let mut held: Vec<_> = plan.deletes.drain(..).collect();
    held.extend(plan.deactivations.drain(..).map(|u| u.user));
    held.sort();
    plan.held = held;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unmanaged;
    use crate::plan::UserRef;

    fn policy() -> Policy {
        Policy {
            unmanaged: Unmanaged::Delete,
            protect: Default::default(),
            max_delete: 5,
            max_delete_fraction: 0.25,
            ignore: Default::default(),
        }
    }

    fn plan_with(deletes: usize, in_scope: usize, desired: usize) -> TargetPlan {
        TargetPlan {
            target: "acme".into(),
            in_scope,
            desired_count: desired,
            deletes: (0..deletes)
                .map(|i| UserRef {
                    key: format!("u{i}@example.com"),
                    ..UserRef::default()
                })
                .collect(),
            ..TargetPlan::default()
        }
    }

    #[test]
    fn within_limits_passes() {
        assert!(check_guards(&plan_with(2, 100, 98), &policy()).is_ok());
    }

    #[test]
    fn count_limit_trips_and_names_flag() {
        let e = check_guards(&plan_with(6, 100, 94), &policy()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("remove 6 of 100"), "{msg}");
        assert!(msg.contains("max_delete = 5"), "{msg}");
        assert!(msg.contains("--allow-mass-delete"), "{msg}");
    }

    #[test]
    fn fraction_limit_trips() {
        let e = check_guards(&plan_with(3, 10, 7), &policy()).unwrap_err();
        assert!(e.to_string().contains("max_delete_fraction"), "{e}");
    }

    #[test]
    fn empty_manifests_trip_even_for_one_user() {
        let e = check_guards(&plan_with(1, 1, 0), &policy()).unwrap_err();
        assert!(e.to_string().contains("declare no users"), "{e}");
    }

    #[test]
    fn hold_moves_removals() {
        let mut p = plan_with(3, 10, 7);
        hold_guarded(&mut p);
        assert!(p.deletes.is_empty());
        assert_eq!(p.held.len(), 3);
    }
}
