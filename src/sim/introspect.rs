//! The `/_sim/*` endpoints every simulator has, for tests: read or replace the world, read or
//! reset the request counts. Answers are JSON; an error answers `{"error": MESSAGE}`.
//!
//! No vendor wire format, key or fault here; a vendor's own `/_sim/*` endpoints stay in its
//! own module. These requests are never counted.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::app::App;
use super::kept::Unsaved;
use super::store;
use super::vendor::Vendor;

/// The shared `/_sim/*` routes, to merge into a vendor's router.
pub(crate) fn routes<V: Vendor>() -> Router<Arc<App<V>>> {
    Router::new()
        .route("/_sim/state", get(get_state::<V>).put(put_state::<V>))
        .route("/_sim/requests", get(get_requests::<V>))
        .route("/_sim/requests/reset", post(reset_requests::<V>))
}

fn json_error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// `GET /_sim/state`
async fn get_state<V: Vendor>(State(app): State<Arc<App<V>>>) -> Response {
    Json(app.world.snapshot().await).into_response()
}

/// `PUT /_sim/state`: replaces the world, answering the world as it will be served.
async fn put_state<V: Vendor>(State(app): State<Arc<App<V>>>, body: Bytes) -> Response {
    let world: V::World = match store::from_json(&body) {
        Ok(world) => world,
        Err(err) => return json_error(StatusCode::BAD_REQUEST, format!("{err:#}")),
    };
    match app.world.replace(world.clone()).await {
        Ok(()) => Json(world).into_response(),
        Err(Unsaved) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not save simulator state".to_owned(),
        ),
    }
}

/// `GET /_sim/requests`
async fn get_requests<V: Vendor>(State(app): State<Arc<App<V>>>) -> Response {
    Json(app.counts.snapshot()).into_response()
}

/// `POST /_sim/requests/reset`: zeroes the counts (and forgets what else the vendor records
/// per request), answering the zeroed counts.
async fn reset_requests<V: Vendor>(State(app): State<Arc<App<V>>>) -> Response {
    app.vendor.forget_requests();
    Json(app.counts.reset()).into_response()
}
