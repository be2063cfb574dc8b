//! Injected misbehaviour shared by every vendor simulator: errors, latency, rate limits,
//! malformed answers and connections that drop after a write took effect.
//!
//! This module only decides, deterministically under `--fault-seed`, what goes wrong with a
//! request; each vendor renders the decision in its own wire format. It never touches a
//! simulator's world.

mod broken_body;
mod http;
mod prng;

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use axum::response::Response;
use tokio::time::Instant;

use super::lock::Locked;
pub(crate) use broken_body::broken_body;
use http::RetryAfter;
pub(crate) use http::{break_off, is_introspection};
pub(crate) use prng::{SplitMix64, mix};

/// Command-line knobs for injected faults; all off by default.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FaultArgs {
    /// fraction (0..1) of requests answered with a 500, 502 or 503 without being performed
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    pub fail_rate: f64,
    /// milliseconds from a request's arrival to its answer (a network delay, not extra work)
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// answer 429 (Retry-After: 1) to requests beyond N in the current one-second window
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
    /// give Retry-After (on a 429 or 503) as an HTTP date, a second or more away, not as seconds
    #[arg(long)]
    pub retry_after_date: bool,
    /// fraction (0..1) of successful writes whose response breaks off after the headers
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    pub ambiguous_rate: f64,
    /// fraction (0..1) of requests answered 200 with malformed XML, without being performed
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    pub malformed_rate: f64,
    /// seed for the fault generator; the same seed and request order give the same faults
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_seed: u64,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.parse().map_err(|_| format!("not a number: {text}"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("must be between 0 and 1: {text}"))
    }
}

/// A request the simulator must refuse instead of performing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reject {
    /// 429 with `Retry-After: 1`.
    RateLimited,
    /// A 500, 502 or 503.
    ServerError(StatusCode),
    /// 200 with a broken body; the number picks which kind of breakage.
    Malformed(u64),
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verdict {
    pub(crate) latency: Duration,
    pub(crate) reject: Option<Reject>,
    /// Perform the request, then break the response body off (vendors apply it to writes).
    pub(crate) ambiguous: bool,
}

/// The fault engine of one running simulator.
#[derive(Debug)]
pub(crate) struct Faults {
    args: FaultArgs,
    state: Locked<State>,
}

#[derive(Debug)]
struct State {
    rng: SplitMix64,
    window_start: Option<Instant>,
    window_count: u32,
}

const SERVER_ERRORS: [StatusCode; 3] = [
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
];

impl Faults {
    pub(crate) fn new(args: FaultArgs) -> Self {
        let rng = SplitMix64::new(args.fault_seed);
        Self {
            args,
            state: Locked::new(State {
                rng,
                window_start: None,
                window_count: 0,
            }),
        }
    }

    /// Decides the fate of a request arriving now. Every call draws the same number of
    /// values, so a seed replays identically whatever the rates are.
    #[cfg(test)]
    pub(crate) fn judge(&self) -> Verdict {
        self.judge_at(Instant::now())
    }

    /// Decides the fate of a request arriving now, and when its answer is due: the latency is a
    /// network delay, so the simulator's own work happens within it, not on top of it.
    pub(crate) fn arrive(&self) -> (Verdict, Instant) {
        let now = Instant::now();
        let verdict = self.judge_at(now);
        (verdict, now + verdict.latency)
    }

    /// Adds the `Retry-After` that `reject` asks a client to wait, if it asks one.
    pub(crate) fn hint_retry(&self, reject: Reject, response: Response) -> Response {
        let when = if self.args.retry_after_date {
            RetryAfter::Date(SystemTime::now())
        } else {
            RetryAfter::Seconds
        };
        http::hint_retry(reject, response, when)
    }

    fn judge_at(&self, now: Instant) -> Verdict {
        let mut state = self.state.lock();
        let [fail, kind, malformed, ambiguous] = std::array::from_fn(|_| state.rng.next_u64());
        let limited = self.over_rate_limit(&mut state, now);
        let reject = if limited {
            Some(Reject::RateLimited)
        } else if prng::unit(fail) < self.args.fail_rate {
            let index = usize::try_from(kind % 3).unwrap_or(0);
            Some(Reject::ServerError(SERVER_ERRORS[index]))
        } else if prng::unit(malformed) < self.args.malformed_rate {
            Some(Reject::Malformed(kind))
        } else {
            None
        };
        Verdict {
            latency: Duration::from_millis(self.args.latency),
            reject,
            ambiguous: reject.is_none() && prng::unit(ambiguous) < self.args.ambiguous_rate,
        }
    }

    fn over_rate_limit(&self, state: &mut State, now: Instant) -> bool {
        let Some(limit) = self.args.rate_limit else {
            return false;
        };
        let window_open = state
            .window_start
            .is_some_and(|start| now.duration_since(start) < Duration::from_secs(1));
        if !window_open {
            state.window_start = Some(now);
            state.window_count = 0;
        }
        state.window_count = state.window_count.saturating_add(1);
        state.window_count > limit
    }
}

/// Waits until `due` to about a tenth of a millisecond. tokio's timer fires on a millisecond
/// tick after its deadline, up to two late on a busy machine (a 20 ms latency took 21.7 ms),
/// so it wakes two milliseconds early and a blocking-pool thread sleeps the rest.
pub(crate) async fn answer_at(due: Instant) {
    if due <= Instant::now() {
        return;
    }
    if let Some(early) = due.checked_sub(Duration::from_millis(2)) {
        tokio::time::sleep_until(early).await;
    }
    let rest = due.saturating_duration_since(Instant::now());
    if !rest.is_zero() {
        let _ = tokio::task::spawn_blocking(move || std::thread::sleep(rest)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(configure: impl FnOnce(&mut FaultArgs)) -> Faults {
        let mut args = FaultArgs::default();
        configure(&mut args);
        Faults::new(args)
    }

    #[test]
    fn default_args_inject_nothing() {
        let f = faults(|_| {});
        for _ in 0..1_000 {
            let v = f.judge();
            assert_eq!(v.reject, None);
            assert!(!v.ambiguous);
            assert_eq!(v.latency, Duration::ZERO);
        }
    }

    #[test]
    fn same_seed_same_verdicts() {
        let configure = |a: &mut FaultArgs| {
            a.fail_rate = 0.3;
            a.malformed_rate = 0.2;
            a.ambiguous_rate = 0.5;
            a.fault_seed = 99;
        };
        let (a, b) = (faults(configure), faults(configure));
        let xs: Vec<Verdict> = (0..200).map(|_| a.judge()).collect();
        let ys: Vec<Verdict> = (0..200).map(|_| b.judge()).collect();
        assert_eq!(xs, ys);
        assert!(
            xs.iter()
                .any(|v| matches!(v.reject, Some(Reject::ServerError(_))))
        );
        assert!(
            xs.iter()
                .any(|v| matches!(v.reject, Some(Reject::Malformed(_))))
        );
        assert!(xs.iter().any(|v| v.ambiguous));
        assert!(xs.iter().any(|v| v.reject.is_none() && !v.ambiguous));
    }

    #[test]
    fn full_fail_rate_always_fails_with_5xx() {
        let f = faults(|a| a.fail_rate = 1.0);
        for _ in 0..100 {
            let Some(Reject::ServerError(code)) = f.judge().reject else {
                panic!("expected a server error");
            };
            assert!(SERVER_ERRORS.contains(&code));
        }
    }

    #[test]
    fn rate_limit_resets_each_second() {
        let f = faults(|a| a.rate_limit = Some(2));
        let start = Instant::now();
        let limited = |ms| {
            f.judge_at(start + Duration::from_millis(ms))
                .reject
                .is_some()
        };
        assert!(!limited(0));
        assert!(!limited(10));
        assert!(limited(999));
        assert!(!limited(1_000), "a new window opens");
        assert!(!limited(1_500));
        assert!(limited(1_600));
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        assert_eq!(parse_rate("0.25"), Ok(0.25));
        assert!(parse_rate("1.5").is_err());
        assert!(parse_rate("-0.1").is_err());
        assert!(parse_rate("NaN").is_err());
        assert!(parse_rate("lots").is_err());
    }
}
