//! Doctor's checks of what the vendor's answers showed along the way (`http::Seen`): its clock
//! against this host's (the `Date` header), the rate-limit headers it sends and any 429s, and
//! the round trip of a request.
//!
//! Pure: the observations and the request counts in, checks out.

use std::collections::BTreeMap;
use std::time::Duration;

use super::report::duration;
use crate::vendor::doctor::Check;
use crate::vendor::http::Seen;

/// A clock this far off gets a warning; this far, a failure.
const SKEW_WARN: Duration = Duration::from_secs(10);
const SKEW_FAIL: Duration = Duration::from_secs(300);
/// A round trip this long gets a warning.
const SLOW: Duration = Duration::from_secs(2);

/// `counts` are the requests by (endpoint, status).
pub(super) fn checks(seen: &Seen, counts: &BTreeMap<(String, String), u64>) -> Vec<Check> {
    vec![clock(seen), rate_limit(seen, counts), latency(seen)]
}

fn clock(seen: &Seen) -> Check {
    let Some((theirs, ours)) = seen.date else {
        return Check::warn(
            "clock",
            "no answer carried a Date header: the clocks cannot be compared",
            "keep this host's clock synchronised (NTP): Retry-After dates are read against it",
        );
    };
    // A Date has whole seconds, cut down: a clock in step is up to a second behind.
    let (ahead, by) = match theirs.duration_since(ours) {
        Ok(d) => (true, d),
        Err(e) => (false, e.duration().saturating_sub(Duration::from_secs(1))),
    };
    let way = if ahead { "ahead of" } else { "behind" };
    if by < Duration::from_secs(1) {
        return Check::ok(
            "clock",
            "the vendor's clock agrees with this host's (to the second its Date header gives)",
        );
    }
    let detail = format!("the vendor's clock is {} {way} this host's", duration(by));
    let fix =
        "synchronise this host's clock (NTP): tokens and Retry-After dates are read against it";
    if by > SKEW_FAIL {
        Check::fail("clock", detail, fix)
    } else if by > SKEW_WARN {
        Check::warn("clock", detail, fix)
    } else {
        Check::ok(
            "clock",
            format!("{detail} (within {})", duration(SKEW_WARN)),
        )
    }
}

fn rate_limit(seen: &Seen, counts: &BTreeMap<(String, String), u64>) -> Check {
    let refused: u64 = counts
        .iter()
        .filter(|((_, status), _)| status == "429")
        .map(|(_, n)| n)
        .sum();
    let headers: Vec<String> = seen
        .rate_limit
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let shown = if headers.is_empty() {
        "no rate-limit headers seen".to_string()
    } else {
        format!("headers seen: {}", headers.join(", "))
    };
    if refused > 0 {
        return Check::warn(
            "rate limit",
            format!("the vendor answered 429 (too many requests) {refused} times; {shown}"),
            "set `rate_limit` on the target below the vendor's limit",
        );
    }
    Check::ok(
        "rate limit",
        format!("{shown}; roster honours 429 and Retry-After either way"),
    )
}

/// The median round trip, when any request was answered.
pub(super) fn median(seen: &Seen) -> Option<Duration> {
    let mut trips = seen.round_trips.clone();
    trips.sort();
    trips.get(trips.len() / 2).copied()
}

fn latency(seen: &Seen) -> Check {
    let Some(mid) = median(seen) else {
        return Check::warn("latency", "no request was answered", "see the checks above");
    };
    let n = seen.round_trips.len();
    let max = seen.round_trips.iter().max().copied().unwrap_or(mid);
    let detail = format!(
        "round trip {} (median of {n}, longest {})",
        duration(mid),
        duration(max)
    );
    if mid > SLOW {
        Check::warn(
            "latency",
            detail,
            "expect slow applies; raise `concurrency` if the vendor allows parallel writes",
        )
    } else {
        Check::ok("latency", detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn seen(skew: i64) -> Seen {
        let ours = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let theirs = if skew >= 0 {
            ours + Duration::from_secs(skew as u64)
        } else {
            ours - Duration::from_secs((-skew) as u64)
        };
        Seen {
            date: Some((theirs, ours)),
            rate_limit: BTreeMap::from([("x-ratelimit-limit".into(), "100".into())]),
            round_trips: vec![
                Duration::from_millis(30),
                Duration::from_millis(10),
                Duration::from_millis(20),
            ],
        }
    }

    #[test]
    fn clock_skew_is_ok_warned_or_failed() {
        assert_eq!(clock(&seen(0)).status.word(), "ok");
        assert_eq!(
            clock(&seen(-1)).status.word(),
            "ok",
            "a Date is cut to the second"
        );
        let c = clock(&seen(42));
        assert_eq!(
            (c.status.word(), c.detail.as_str()),
            ("warn", "the vendor's clock is 42 s ahead of this host's")
        );
        assert_eq!(clock(&seen(-3600)).status.word(), "fail");
        assert_eq!(clock(&Seen::default()).status.word(), "warn");
    }

    #[test]
    fn rate_limits_and_latency() {
        let s = seen(0);
        let mut counts = BTreeMap::new();
        let c = rate_limit(&s, &counts);
        assert_eq!(c.status.word(), "ok");
        assert!(c.detail.contains("x-ratelimit-limit: 100"), "{}", c.detail);
        counts.insert(("GET /users".to_string(), "429".to_string()), 3);
        assert!(
            rate_limit(&s, &counts)
                .detail
                .contains("429 (too many requests) 3 times")
        );
        assert_eq!(median(&s), Some(Duration::from_millis(20)));
        assert_eq!(
            latency(&s).detail,
            "round trip 20 ms (median of 3, longest 30 ms)"
        );
        assert_eq!(latency(&Seen::default()).status.word(), "warn");
    }
}
