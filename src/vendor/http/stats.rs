//! Request counts by endpoint and status, the number of retries, and each answer's latency
//! handed to an observer (the daemon's histograms), shared with reports and metrics. Counting
//! only: it never sees a request or an answer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Called with an endpoint and the time its answer took.
pub type Observer = Arc<dyn Fn(&str, Duration) + Send + Sync>;

/// Request counts, shared with reports and metrics.
#[derive(Default)]
pub struct Stats {
    by_endpoint: Mutex<BTreeMap<(String, String), u64>>,
    retries: AtomicU64,
    latency: Option<Observer>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stats")
            .field("by_endpoint", &self.by_endpoint)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
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
