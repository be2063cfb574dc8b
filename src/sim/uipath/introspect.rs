//! UiPath's own `/_sim/*` endpoints for tests: count or revoke issued tokens (the world and
//! the request counts are the shared `crate::sim::introspect`). No token and no injected
//! faults here; answers are JSON.
//!
//! Never reachable through the vendor API paths, and never counted.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::app::App;

/// `GET /_sim/tokens`: `{"issued": N}`, every token ever issued by this run.
pub(crate) async fn get_tokens(State(app): State<Arc<App>>) -> Response {
    let issued = app.vendor.tokens.lock().issued();
    Json(serde_json::json!({ "issued": issued })).into_response()
}

/// `POST /_sim/tokens/revoke`: forgets every live token, so the next API call with one
/// answers 401; `{"revoked": N}`.
pub(crate) async fn revoke_tokens(State(app): State<Arc<App>>) -> Response {
    let revoked = app.vendor.tokens.lock().revoke_all();
    Json(serde_json::json!({ "revoked": revoked })).into_response()
}
