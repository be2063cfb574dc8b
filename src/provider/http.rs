//! The HTTP transport every provider sends through: timeouts, a token-bucket rate limit shared
//! by reads and writes, bounded retries with exponential backoff and full jitter, `Retry-After`,
//! and request counts by endpoint and status.
//!
//! It knows nothing of any vendor's body format: providers pass a `parse` function. It never
//! logs request bodies, which carry credentials.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::ProviderError;
use crate::config::Limits;

/// Request counts, shared with reports and metrics.
#[derive(Debug, Default)]
pub struct Stats {
    by_endpoint: Mutex<BTreeMap<(String, String), u64>>,
    retries: AtomicU64,
}

impl Stats {
    fn record(&self, endpoint: &str, status: &str) {
        let mut map = self.by_endpoint.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((endpoint.to_string(), status.to_string()))
            .or_default() += 1;
    }

    /// (endpoint, status or `error`) → count.
    pub fn snapshot(&self) -> BTreeMap<(String, String), u64> {
        self.by_endpoint
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }

    /// The counts so far, leaving zero behind.
    pub fn take(&self) -> BTreeMap<(String, String), u64> {
        std::mem::take(&mut *self.by_endpoint.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Retries so far, leaving zero behind.
    pub fn take_retries(&self) -> u64 {
        self.retries.swap(0, Ordering::Relaxed)
    }
}

/// Whether a request may be sent twice without harm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    Safe,
    /// Only retried when it certainly did not take effect.
    Unsafe,
}

pub struct Http {
    client: reqwest::Client,
    limiter: Option<DefaultDirectRateLimiter>,
    max_attempts: u32,
    stats: Arc<Stats>,
}

const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(10);
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

impl Http {
    pub fn new(limits: &Limits, stats: Arc<Stats>) -> Result<Self, ProviderError> {
        let client = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("roster/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Invalid(format!("http client: {e}")))?;
        // Paced evenly (a bucket of one token): a vendor counting requests per fixed
        // one-second window never sees more than the configured rate.
        let limiter = limits.rate_limit.and_then(|rps| {
            let period = Duration::from_secs_f64(1.0 / rps);
            Quota::with_period(period).map(|q| RateLimiter::direct(q.allow_burst(NonZeroU32::MIN)))
        });
        Ok(Http {
            client,
            limiter,
            max_attempts: limits.max_attempts.max(1),
            stats,
        })
    }

    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Sends a request built by `build`, retrying what can be retried, and reads the answer
    /// with `parse(http_status, body)`.
    pub async fn send<T>(
        &self,
        endpoint: &str,
        repeat: Repeat,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let mut attempt = 1;
        loop {
            if let Some(l) = &self.limiter {
                l.until_ready().await;
            }
            let (outcome, retry_after) = self.once(endpoint, &build, &parse).await;
            let err = match outcome {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let may_repeat = repeat == Repeat::Safe || !err.is_ambiguous();
            if !(err.is_retryable() && may_repeat && attempt < self.max_attempts) {
                return Err(err);
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let wait = retry_after.unwrap_or_else(|| full_jitter(attempt));
            tracing::debug!(endpoint, attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn once<T>(
        &self,
        endpoint: &str,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: &impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> (Result<T, ProviderError>, Option<Duration>) {
        let resp = match build(&self.client).send().await {
            Ok(r) => r,
            Err(e) => {
                self.stats.record(endpoint, "error");
                return (Err(transport(endpoint, &e)), None);
            }
        };
        let status = resp.status().as_u16();
        self.stats.record(endpoint, &status.to_string());
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s).min(RETRY_AFTER_CAP));
        let body = match resp.text().await {
            Ok(b) => b,
            Err(e) => {
                let err = ProviderError::Transport {
                    endpoint: endpoint.to_string(),
                    detail: format!("answer cut off ({})", reason(&e)),
                    maybe_sent: true,
                };
                return (Err(err), retry_after);
            }
        };
        (parse(status, &body), retry_after)
    }
}

fn reason(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading"
    } else {
        "connection dropped"
    }
}

fn transport(endpoint: &str, e: &reqwest::Error) -> ProviderError {
    ProviderError::Transport {
        endpoint: endpoint.to_string(),
        detail: reason(e).to_string(),
        maybe_sent: !e.is_connect(),
    }
}

/// A random wait in `[0, min(cap, base · 2^(attempt-1))]`: "full jitter".
fn full_jitter(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << (attempt - 1).min(16))
        .min(BACKOFF_CAP);
    ceiling.mul_f64(random_unit())
}

/// A number in `[0, 1)`, from the standard library's randomly keyed hasher.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
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
    }

    #[test]
    fn random_unit_in_range_and_varies() {
        let xs: Vec<f64> = (0..20).map(|_| random_unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.windows(2).any(|w| w[0] != w[1]));
    }
}
