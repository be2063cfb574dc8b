//! The `/_sim/*` endpoints for tests: read or replace the world, read or reset request
//! counts. No API key and no injected faults here; answers are JSON.
//!
//! Never reachable through the vendor API paths, and never counted.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::app::App;
use super::world::World;
use crate::sim::store;

/// Requests served on the vendor API, by path and by path and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct RequestCounts {
    pub(crate) total: u64,
    pub(crate) by_endpoint: BTreeMap<String, u64>,
    /// Keyed `"PATH STATUS"`, e.g. `"/v1/user 200"`.
    pub(crate) by_endpoint_status: BTreeMap<String, u64>,
}

impl RequestCounts {
    pub(crate) fn record(&mut self, path: &str, status: StatusCode) {
        self.total += 1;
        *self.by_endpoint.entry(path.to_owned()).or_default() += 1;
        let key = format!("{path} {}", status.as_u16());
        *self.by_endpoint_status.entry(key).or_default() += 1;
    }
}

fn json_error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// `GET /_sim/state`
pub(crate) async fn get_state(State(app): State<Arc<App>>) -> Response {
    Json(app.snapshot().await).into_response()
}

/// `PUT /_sim/state`: replaces the world, answering the world as it will be served.
pub(crate) async fn put_state(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let world = match store::from_json::<World>(&body) {
        Ok(world) => world,
        Err(err) => return json_error(StatusCode::BAD_REQUEST, format!("{err:#}")),
    };
    match app.replace(world.clone()).await {
        Ok(()) => Json(world).into_response(),
        Err(refusal) => json_error(refusal.status, refusal.message),
    }
}

/// `GET /_sim/requests`
pub(crate) async fn get_requests(State(app): State<Arc<App>>) -> Response {
    let counts = app.counts().clone();
    Json(counts).into_response()
}

/// `POST /_sim/requests/reset`: zeroes the counts, answering the zeroed counts.
pub(crate) async fn reset_requests(State(app): State<Arc<App>>) -> Response {
    let mut counts = app.counts();
    *counts = RequestCounts::default();
    Json(counts.clone()).into_response()
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
}
