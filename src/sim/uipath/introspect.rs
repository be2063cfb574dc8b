//! The `/_sim/*` endpoints for tests: read or replace the world, read or reset request
//! counts, count or revoke issued tokens. No token and no injected faults here; answers are
//! JSON.
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

/// Requests served on the vendor API, by endpoint key (see `gate::endpoint_key`) and by
/// endpoint key and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct RequestCounts {
    pub(crate) total: u64,
    /// Keyed `"METHOD TEMPLATE"`, e.g. `"PUT /api/User/{id}"`.
    pub(crate) by_endpoint: BTreeMap<String, u64>,
    /// Keyed `"METHOD TEMPLATE STATUS"`, e.g. `"GET /api/User/users/{pgid} 200"`.
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
        Err(refusal) => json_error(
            refusal.status(),
            "could not save simulator state".to_owned(),
        ),
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

/// `GET /_sim/tokens`: `{"issued": N}`, every token ever issued by this run.
pub(crate) async fn get_tokens(State(app): State<Arc<App>>) -> Response {
    let issued = app.tokens().issued();
    Json(serde_json::json!({ "issued": issued })).into_response()
}

/// `POST /_sim/tokens/revoke`: forgets every live token, so the next API call with one
/// answers 401; `{"revoked": N}`.
pub(crate) async fn revoke_tokens(State(app): State<Arc<App>>) -> Response {
    let revoked = app.tokens().revoke_all();
    Json(serde_json::json!({ "revoked": revoked })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_endpoint_and_status() {
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
}
