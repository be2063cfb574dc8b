//! Request counts by endpoint and status, and the number of retries, shared with reports and
//! metrics. Counting only: it never sees a request or an answer.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Request counts, shared with reports and metrics.
#[derive(Debug, Default)]
pub struct Stats {
    by_endpoint: Mutex<BTreeMap<(String, String), u64>>,
    retries: AtomicU64,
}

impl Stats {
    pub(super) fn record(&self, endpoint: &str, status: &str) {
        let mut map = self.by_endpoint.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((endpoint.to_string(), status.to_string()))
            .or_default() += 1;
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
