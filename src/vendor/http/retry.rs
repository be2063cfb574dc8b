//! How long to wait before trying again: exponential backoff with jitter, and the vendor's
//! `Retry-After` (seconds or an HTTP date), both capped.
//!
//! Pure apart from the random source; the clock is passed in.

use std::time::{Duration, SystemTime};

const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// The longest `Retry-After` honoured: a vendor cannot park roster for longer.
pub(super) const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// `min(cap, base · 2^(attempt-1))`, never overflowing.
pub(crate) fn ceiling(base: Duration, cap: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(cap)
}

/// A random wait in `[0, min(cap, base · 2^(attempt-1))]`: "full jitter".
pub(super) fn full_jitter(attempt: u32) -> Duration {
    ceiling(BACKOFF_BASE, BACKOFF_CAP, attempt).mul_f64(random_unit())
}

/// A number in `[0, 1)`, from the standard library's randomly keyed hasher.
pub(crate) fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait a `Retry-After` value asks for, capped: delay-seconds or an HTTP date (a date in
/// the past means now). Anything else is ignored.
pub(super) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(RETRY_AFTER_CAP));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(RETRY_AFTER_CAP),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_under_the_exponential_ceiling() {
        for attempt in 1..10 {
            let ceiling = BACKOFF_BASE
                .saturating_mul(1 << (attempt - 1))
                .min(BACKOFF_CAP);
            for _ in 0..50 {
                assert!(full_jitter(attempt) <= ceiling);
            }
        }
        assert_eq!(ceiling(BACKOFF_BASE, BACKOFF_CAP, u32::MAX), BACKOFF_CAP);
        assert_eq!(ceiling(BACKOFF_BASE, BACKOFF_CAP, 0), BACKOFF_BASE);
    }

    #[test]
    fn random_unit_in_range_and_varies() {
        let xs: Vec<f64> = (0..20).map(|_| random_unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn retry_after_as_seconds_or_date_capped() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("99999999999999", now), Some(RETRY_AFTER_CAP));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        // The two obsolete formats RFC 9110 still asks recipients to read.
        assert_eq!(
            retry_after("Sunday, 06-Nov-94 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Sun Nov  6 08:49:57 1994", now),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(RETRY_AFTER_CAP)
        );
        for junk in ["", "-5", "1.5", "soon", "Sun, 06 Nov 1994 25:00:00 GMT"] {
            assert_eq!(retry_after(junk, now), None, "{junk:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn retry_after_never_panics_and_stays_capped(value in "\\PC{0,40}", secs in 0u64..u64::MAX) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(secs % (1 << 40));
            if let Some(wait) = retry_after(&value, now) {
                proptest::prop_assert!(wait <= RETRY_AFTER_CAP);
            }
        }
    }
}
