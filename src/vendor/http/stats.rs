//! Request counts by endpoint and status, the number of retries, and each answer's latency
//! handed to an observer (the daemon's histograms), shared with reports and metrics; and, for `roster doctor`, what the answers' headers showed (the vendor's `Date`,
//! rate-limit headers) and how long each took to come. It never sees a body, and of the
//! headers keeps only those.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Called with an endpoint and the time its answer took.
pub type Observer = Arc<dyn Fn(&str, Duration) + Send + Sync>;

/// Request counts, shared with reports and metrics.
#[derive(Default)]
pub struct Stats {
    by_endpoint: Mutex<BTreeMap<(String, String), u64>>,
    retries: AtomicU64,
    seen: Mutex<Seen>,
    latency: Option<Observer>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stats")
            .field("by_endpoint", &self.by_endpoint)
            .field("retries", &self.retries)
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

/// What the answers' headers showed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The last answer's `Date`, and this host's clock when the answer came.
    pub date: Option<(SystemTime, SystemTime)>,
    /// Rate-limit headers (`x-ratelimit-*`, `ratelimit*`, `retry-after`): name → last value.
    pub rate_limit: BTreeMap<String, String>,
    /// How long each answer took to come (its headers), the first [`MAX_ROUND_TRIPS`].
    pub round_trips: Vec<Duration>,
}

/// Round trips kept: enough for a median, bounded whatever the number of requests.
pub const MAX_ROUND_TRIPS: usize = 1000;

fn rate_limit_header(name: &str) -> bool {
    ["x-ratelimit", "x-rate-limit", "ratelimit"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "retry-after"
}

impl Stats {
    /// Counts as [`Stats::default`] does, and hands each answer's latency to `latency`.
    pub fn observed(latency: Observer) -> Self {
        Stats {
            latency: Some(latency),
            ..Stats::default()
        }
    }

    /// One request ended: its answer's status (or `error`) after `elapsed`.
    pub(super) fn record(&self, endpoint: &str, status: &str, elapsed: Duration) {
        {
            let mut map = self.by_endpoint.lock().unwrap_or_else(|e| e.into_inner());
            *map.entry((endpoint.to_string(), status.to_string()))
                .or_default() += 1;
        }
        if let Some(f) = &self.latency {
            f(endpoint, elapsed);
        }
    }

    /// Notes an answer's headers, `round_trip` after its request was sent.
    pub(super) fn observe(&self, headers: &reqwest::header::HeaderMap, round_trip: Duration) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.round_trips.len() < MAX_ROUND_TRIPS {
            seen.round_trips.push(round_trip);
        }
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v.trim()).ok());
        if let Some(date) = date {
            seen.date = Some((date, SystemTime::now()));
        }
        for (name, value) in headers {
            // A vendor can send many headers; a few dozen of these is plenty.
            if rate_limit_header(name.as_str()) && seen.rate_limit.len() < 32 {
                let value = String::from_utf8_lossy(value.as_bytes());
                let value: String = super::clean::line(&value).chars().take(100).collect();
                seen.rate_limit.insert(name.as_str().to_string(), value);
            }
        }
    }

    /// What the answers' headers showed so far.
    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn headers_seen_are_kept_bounded_and_clean() {
        let stats = Stats::default();
        let mut headers = HeaderMap::new();
        headers.insert(
            "date",
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("41"));
        headers.insert("retry-after", HeaderValue::from_static("1"));
        headers.insert("x-other", HeaderValue::from_static("no"));
        for _ in 0..MAX_ROUND_TRIPS + 5 {
            stats.observe(&headers, Duration::from_millis(3));
        }
        let seen = stats.seen();
        assert_eq!(seen.round_trips.len(), MAX_ROUND_TRIPS);
        assert_eq!(
            seen.date.map(|d| d.0),
            httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").ok()
        );
        let names: Vec<&str> = seen.rate_limit.keys().map(String::as_str).collect();
        assert_eq!(names, ["retry-after", "x-ratelimit-remaining"]);
    }

    #[test]
    fn each_answer_is_counted_and_its_latency_observed() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let stats = Stats::observed(Arc::new(move |endpoint: &str, d: Duration| {
            sink.lock().unwrap().push((endpoint.to_string(), d));
        }));
        stats.record("/v1/user", "200", Duration::from_millis(20));
        stats.record("/v1/user", "error", Duration::from_millis(3));
        assert_eq!(stats.total(), 2);
        assert_eq!(
            *seen.lock().unwrap(),
            [
                ("/v1/user".to_string(), Duration::from_millis(20)),
                ("/v1/user".to_string(), Duration::from_millis(3))
            ]
        );
        // Without an observer only the counts are kept.
        let plain = Stats::default();
        plain.record("/v1/user", "200", Duration::ZERO);
        assert_eq!(plain.take().len(), 1);
    }
}
