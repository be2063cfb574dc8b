//! The HTTP transport every provider sends through: timeouts, a token-bucket rate limit shared
//! by reads and writes, bounded retries with exponential backoff and full jitter,
//! `Retry-After` (seconds or a date), same-origin redirects only, a cap on every answer's
//! size, the stop signal, and request counts by endpoint and status.
//!
//! It knows nothing of any vendor's body format: providers pass a `parse` function. It never
//! logs request bodies, which carry credentials, and every error it returns has control
//! characters stripped, its length capped and the provider's known secrets masked.

mod body;
mod redirect;
mod retry;
mod stats;

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use secrecy::{ExposeSecret, SecretString};

use super::stop::Stop;
use super::{ProviderError, clean};
use crate::config::Limits;

pub(crate) use retry::{ceiling, random_unit};
pub use stats::{Seen, Stats};

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
    max_answer: u64,
    stats: Arc<Stats>,
    stop: Stop,
    /// Values masked in every error (credentials, tokens), should a vendor echo one.
    secrets: Mutex<Vec<SecretString>>,
}

/// How long a request in flight may go on after a stop before it is abandoned.
const GRACE: Duration = Duration::from_secs(5);
/// The slowest pacing and the longest timeout honoured, whatever the limits say, so that no
/// number can overflow the timers below.
const MAX_WAIT: Duration = Duration::from_secs(86_400);

impl Http {
    pub fn new(limits: &Limits, stats: Arc<Stats>, stop: Stop) -> Result<Self, ProviderError> {
        let timeout = limits.timeout.min(MAX_WAIT);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(redirect::policy())
            .user_agent(concat!("roster/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Invalid(format!("http client: {e}")))?;
        let limiter = match limits.rate_limit {
            Some(rps) => pacer(rps)?,
            None => None,
        };
        Ok(Http {
            client,
            limiter,
            max_attempts: limits.max_attempts.max(1),
            max_answer: limits.max_answer_size,
            stats,
            stop,
            secrets: Mutex::new(Vec::new()),
        })
    }

    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// The stop signal this transport obeys.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }

    /// Masks `secret` in every error from now on.
    pub fn conceal(&self, secret: &SecretString) {
        self.secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(secret.clone());
    }

    /// Sends a request built by `build`, retrying what can be retried, and reads the answer
    /// with `parse(http_status, body)`. After a stop nothing new is sent, waiting ends at once,
    /// and a request in flight is abandoned after [`GRACE`].
    pub async fn send<T>(
        &self,
        endpoint: &str,
        repeat: Repeat,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let mut attempt = 1;
        let mut maybe_applied = false;
        loop {
            if let Some(l) = &self.limiter {
                tokio::select! {
                    biased;
                    () = self.stop.wait() => return Err(stopped(endpoint, maybe_applied, "stopped before sending")),
                    () = l.until_ready() => {}
                }
            }
            if self.stop.requested() {
                return Err(stopped(endpoint, maybe_applied, "stopped before sending"));
            }
            let (outcome, retry_after) = tokio::select! {
                biased;
                r = self.once(endpoint, &build, &parse) => r,
                () = grace(&self.stop) => return Err(stopped(
                    endpoint,
                    true,
                    "stopped: the request in flight was abandoned; it may have taken effect",
                )),
            };
            let err = match outcome {
                Ok(v) => return Ok(v),
                Err(e) => self.scrub(e),
            };
            maybe_applied |= err.is_ambiguous();
            let may_repeat = repeat == Repeat::Safe || !err.is_ambiguous();
            if !(err.is_retryable() && may_repeat && attempt < self.max_attempts) {
                return Err(err);
            }
            self.stats.retried();
            let wait = retry_after.unwrap_or_else(|| retry::full_jitter(attempt));
            tracing::debug!(endpoint, attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::select! {
                biased;
                () = self.stop.wait() => return Err(stopped(endpoint, maybe_applied, "stopped while waiting to retry")),
                () = tokio::time::sleep(wait) => {}
            }
            attempt += 1;
        }
    }

    async fn once<T>(
        &self,
        endpoint: &str,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: &impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> (Result<T, ProviderError>, Option<Duration>) {
        let request = match build(&self.client).build() {
            Ok(r) => r,
            Err(_) => {
                let e = ProviderError::Invalid(format!("{endpoint}: the request cannot be built"));
                return (Err(e), None);
            }
        };
        let from = request.url().clone();
        let sent = std::time::Instant::now();
        let resp = match self.client.execute(request).await {
            Ok(r) => r,
            Err(e) => {
                self.stats.record(endpoint, "error", sent.elapsed());
                return (Err(transport(endpoint, &e)), None);
            }
        };
        let status = resp.status();
        let elapsed = sent.elapsed();
        self.stats.record(endpoint, status.as_str(), elapsed);
        self.stats.observe(resp.headers(), elapsed);
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::retry_after(v, SystemTime::now()));
        if status.is_redirection() {
            return (Err(redirect::refused(endpoint, &from, &resp)), None);
        }
        match body::read(resp, self.max_answer, endpoint).await {
            Ok(body) => (parse(status.as_u16(), &body), retry_after),
            Err(e) => (Err(e), retry_after),
        }
    }

    /// The error fit to show: secrets masked, control characters gone, length capped.
    fn scrub(&self, e: ProviderError) -> ProviderError {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        e.map_text(|text| {
            let masked = clean::mask(text, secrets.iter().map(|s| s.expose_secret()));
            clean::line(&masked)
        })
    }
}

/// Requests paced evenly (a bucket of one token), so that a vendor counting requests per fixed
/// one-second window never sees more than the configured rate.
fn pacer(rps: f64) -> Result<Option<DefaultDirectRateLimiter>, ProviderError> {
    if !(rps.is_finite() && rps > 0.0) {
        return Err(ProviderError::Invalid(format!(
            "rate_limit {rps} is not a positive number of requests per second"
        )));
    }
    // A rate so low that the period overflows is paced at the slowest period instead.
    let period = Duration::try_from_secs_f64(1.0 / rps)
        .unwrap_or(MAX_WAIT)
        .min(MAX_WAIT);
    // A rate so high that the period rounds to zero needs no pacing.
    Ok(Quota::with_period(period).map(|q| RateLimiter::direct(q.allow_burst(NonZeroU32::MIN))))
}

/// Ends [`GRACE`] after a stop.
async fn grace(stop: &Stop) {
    stop.wait().await;
    tokio::time::sleep(GRACE).await;
}

fn stopped(endpoint: &str, maybe_applied: bool, detail: &str) -> ProviderError {
    ProviderError::Stopped {
        endpoint: endpoint.to_string(),
        detail: detail.to_string(),
        maybe_applied,
    }
}

fn reason(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "redirect refused"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rate_limit: Option<f64>) -> Limits {
        Limits {
            timeout: Duration::from_secs(1),
            concurrency: 1,
            rate_limit,
            max_attempts: 1,
            max_answer_size: 1 << 20,
        }
    }

    #[test]
    fn any_rate_limit_builds_or_is_refused_without_panicking() {
        for rps in [
            1e-300,
            1e-20,
            1e-9,
            0.5,
            10.0,
            1e9,
            1e300,
            f64::MIN_POSITIVE,
        ] {
            let http = Http::new(&limits(Some(rps)), Arc::default(), Stop::default());
            assert!(http.is_ok(), "{rps}");
        }
        for rps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let http = Http::new(&limits(Some(rps)), Arc::default(), Stop::default());
            assert!(matches!(http, Err(ProviderError::Invalid(_))), "{rps}");
        }
        let mut huge = limits(None);
        huge.timeout = Duration::MAX;
        assert!(Http::new(&huge, Arc::default(), Stop::default()).is_ok());
    }

    #[test]
    fn errors_are_scrubbed_of_secrets_and_control_characters() {
        let http = Http::new(&limits(None), Arc::default(), Stop::default()).unwrap();
        http.conceal(&SecretString::from("s3cr3t-key"));
        let e = http.scrub(ProviderError::Vendor {
            endpoint: "/v1/user".into(),
            status: 401,
            message: format!("bad key s3cr3t-key\u{1b}[31m{}", "x".repeat(5000)),
        });
        let text = e.to_string();
        assert!(!text.contains("s3cr3t-key"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.starts_with("/v1/user: vendor answered 401: bad key (secret) [31m"));
        assert!(text.chars().count() < 400, "{}", text.len());
    }
}
