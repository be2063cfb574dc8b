//! SCIM's own `/_sim/*` endpoint, for tests: `GET /_sim/log`, the writes and lists the
//! simulator received (endpoint key, query, `If-Match`, body) oldest first, forgotten with the
//! request counts.
//!
//! Reads what the app recorded; no world, no wire shapes of the client.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::app::App;

/// `GET /_sim/log`
pub(crate) async fn log(State(app): State<Arc<App>>) -> Response {
    let log: Vec<_> = app.vendor.log.lock().iter().cloned().collect();
    Json(log).into_response()
}
