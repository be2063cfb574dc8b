//! Counts the requests a simulator served on its vendor API, by endpoint key and by endpoint
//! key and status, for `GET /_sim/requests`.
//!
//! What an endpoint key is (a path, or a method and a path template) is the vendor's choice;
//! this module only counts.

use super::lock::Locked;
use std::collections::BTreeMap;

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
    counts: Locked<RequestCounts>,
}

impl Counter {
    pub(crate) fn record(&self, endpoint: &str, status: StatusCode) {
        self.counts.lock().record(endpoint, status);
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        self.counts.lock().clone()
    }

    /// Zeroes the counts, answering the zeroed counts.
    pub(crate) fn reset(&self) -> RequestCounts {
        let mut counts = self.counts.lock();
        *counts = RequestCounts::default();
        counts.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_endpoint_and_status_whatever_a_key_is() {
        let keys = [
            ["/v1/user", "/v1/user/add"],
            ["GET /api/User/{id}", "POST /connect/token"],
            ["GET /users", "POST /users"],
        ];
        for [key, other] in keys {
            let mut counts = RequestCounts::default();
            counts.record(key, StatusCode::OK);
            counts.record(key, StatusCode::UNAUTHORIZED);
            counts.record(other, StatusCode::OK);
            assert_eq!(counts.total, 3);
            assert_eq!(counts.by_endpoint[key], 2);
            assert_eq!(counts.by_endpoint_status[&format!("{key} 401")], 1);
            let json = serde_json::to_value(&counts).unwrap();
            assert_eq!(json["by_endpoint_status"][format!("{other} 200")], 1);
        }
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
