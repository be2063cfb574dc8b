//! Doctor's estimate of a full apply of the current plan: its requests, at the target's
//! `concurrency` and `rate_limit`, with the round trip measured; and whether the plan would
//! trip a mass-change guard.
//!
//! Pure: the plan, the limits and the round trip in, a check out.

use std::time::Duration;

use super::report::duration;
use crate::config::Limits;
use crate::plan::TargetPlan;
use crate::vendor::doctor::Check;

/// An apply longer than this gets a warning.
const LONG: Duration = Duration::from_secs(3600);

/// `guard` is the text of a guard the plan trips, when it does.
pub(super) fn check(
    plan: &TargetPlan,
    limits: &Limits,
    round_trip: Option<Duration>,
    guard: Option<String>,
) -> Check {
    let changes =
        plan.creates.len() + plan.updates.len() + plan.deactivations.len() + plan.deletes.len();
    // A membership change is a read of the collection and a write, where a vendor has them.
    let requests = changes + 2 * plan.memberships.len();
    if requests == 0 {
        return Check::ok(
            "estimate",
            "nothing to apply: the vendor matches the manifests",
        );
    }
    let concurrency = limits.concurrency.max(1);
    let rounds = requests.div_ceil(concurrency) as u32;
    let by_latency = round_trip.unwrap_or_default().saturating_mul(rounds);
    let by_rate = limits
        .rate_limit
        .and_then(|r| Duration::try_from_secs_f64(requests as f64 / r).ok())
        .unwrap_or_default();
    let total = by_latency.max(by_rate);
    let rate = limits.rate_limit.map_or_else(
        || "no rate limit".to_string(),
        |r| format!("rate limit {r}/s"),
    );
    let trip = round_trip.map_or_else(|| "unknown".into(), duration);
    let n = |count: usize, what: &str| format!("{count} {what}{}", crate::commands::plural(count));
    let detail = format!(
        "a full apply: {}, {}, {}, {}; about {}, {} at concurrency {concurrency}, {rate}, round trip {trip}",
        n(plan.creates.len(), "create"),
        n(plan.updates.len(), "update"),
        n(plan.membership_changes(), "membership change"),
        n(plan.deletes.len() + plan.deactivations.len(), "removal"),
        n(requests, "request"),
        duration(total),
    );
    if let Some(trip) = guard {
        return Check::warn(
            "estimate",
            format!("{detail}; {trip}"),
            "review `roster plan`: apply refuses this plan without --allow-mass-delete",
        );
    }
    if total > LONG {
        return Check::warn(
            "estimate",
            detail,
            "raise `concurrency` or `rate_limit` if the vendor allows, or let it run in the daemon",
        );
    }
    Check::ok("estimate", detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Create, UserRef};

    fn limits(concurrency: usize, rate_limit: Option<f64>) -> Limits {
        Limits {
            timeout: Duration::from_secs(30),
            concurrency,
            rate_limit,
            max_attempts: 5,
            max_answer_size: 1 << 20,
        }
    }

    fn creates(n: usize) -> TargetPlan {
        let create = Create {
            user: UserRef::default(),
            fields: Default::default(),
            password: None,
        };
        TargetPlan {
            creates: vec![create; n],
            ..TargetPlan::default()
        }
    }

    #[test]
    fn the_slower_of_round_trips_and_the_rate_limit() {
        let rt = Some(Duration::from_millis(100));
        let c = check(&creates(8), &limits(4, None), rt, None);
        assert!(
            c.detail.contains(
                "about 8 requests, 200 ms at concurrency 4, no rate limit, round trip 100 ms"
            ),
            "{}",
            c.detail
        );
        let c = check(&creates(8), &limits(4, Some(2.0)), rt, None);
        assert!(
            c.detail.contains("4.0 s at concurrency 4, rate limit 2/s"),
            "{}",
            c.detail
        );
        let c = check(
            &creates(100_000),
            &limits(1, None),
            Some(Duration::from_secs(1)),
            None,
        );
        assert_eq!(c.status.word(), "warn");
        assert_eq!(
            check(&TargetPlan::default(), &limits(1, None), rt, None)
                .status
                .word(),
            "ok"
        );
        let c = check(&creates(1), &limits(1, None), rt, Some("refusing …".into()));
        assert!(c.fix.unwrap().contains("--allow-mass-delete"));
    }
}
