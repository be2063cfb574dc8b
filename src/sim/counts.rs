//! Counts the requests a simulator served on its vendor API, by endpoint key and by endpoint
//! key and status, for `GET /_sim/requests`.
//!
//! What an endpoint key is (a path, or a method and a path template) is the vendor's choice;
//! this module only counts.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use axum::http::StatusCode;
use serde::Serialize;

/// Requests served on the vendor API, by endpoint key and by endpoint key and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct RequestCounts {
    pub(crate) total: u64,
    pub(crate) by_endpoint: BTreeMap<String, u64>,
    /// Keyed `"ENDPOINT STATUS"`, e.g. `"/v1/user 200"` or `"GET /users 200"`.
    pub(crate) by_endpoint_status: BTreeMap<String, u64>,
}

impl RequestCounts {
    pub(crate) fn record(&mut self, endpoint: &str, status: StatusCode) {
        self.total += 1;
        *self.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
        let key = format!("{endpoint} {}", status.as_u16());
        *self.by_endpoint_status.entry(key).or_default() += 1;
    }
}

/// The counts of one running simulator, shared by its request handlers.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    counts: Mutex<RequestCounts>,
}

impl Counter {
    pub(crate) fn record(&self, endpoint: &str, status: StatusCode) {
        self.lock().record(endpoint, status);
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        self.lock().clone()
    }

    /// Zeroes the counts, answering the zeroed counts.
    pub(crate) fn reset(&self) -> RequestCounts {
        let mut counts = self.lock();
        *counts = RequestCounts::default();
        counts.clone()
    }

    fn lock(&self) -> MutexGuard<'_, RequestCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_path_and_status() {
        let mut counts = RequestCounts::default();
        counts.record("/v1/user", StatusCode::OK);
        counts.record("/v1/user", StatusCode::UNAUTHORIZED);
        counts.record("/v1/user/add", StatusCode::OK);
        assert_eq!(counts.total, 3);
        assert_eq!(counts.by_endpoint["/v1/user"], 2);
        assert_eq!(counts.by_endpoint_status["/v1/user 401"], 1);
        let json = serde_json::to_value(&counts).unwrap();
        assert_eq!(json["by_endpoint_status"]["/v1/user/add 200"], 1);
    }

    #[test]
    fn counts_by_endpoint_template_and_status() {
        let mut counts = RequestCounts::default();
        counts.record("GET /api/User/{id}", StatusCode::OK);
        counts.record("GET /api/User/{id}", StatusCode::NOT_FOUND);
        counts.record("POST /connect/token", StatusCode::OK);
        assert_eq!(counts.total, 3);
        assert_eq!(counts.by_endpoint["GET /api/User/{id}"], 2);
        let json = serde_json::to_value(&counts).unwrap();
        assert_eq!(json["by_endpoint_status"]["GET /api/User/{id} 404"], 1);
        assert_eq!(json["by_endpoint_status"]["POST /connect/token 200"], 1);
    }

    #[test]
    fn counts_by_method_and_path_and_status() {
        let mut counts = RequestCounts::default();
        counts.record("GET /users", StatusCode::OK);
        counts.record("GET /users", StatusCode::UNAUTHORIZED);
        counts.record("POST /users", StatusCode::OK);
        assert_eq!(counts.total, 3);
        assert_eq!(counts.by_endpoint["GET /users"], 2);
        let json = serde_json::to_value(&counts).unwrap();
        assert_eq!(json["by_endpoint_status"]["GET /users 401"], 1);
    }

    #[test]
    fn reset_zeroes_and_answers_the_zeroed_counts() {
        let counter = Counter::default();
        counter.record("GET /users", StatusCode::OK);
        assert_eq!(counter.snapshot().total, 1);
        assert_eq!(counter.reset(), RequestCounts::default());
        assert_eq!(counter.snapshot(), RequestCounts::default());
    }
}
