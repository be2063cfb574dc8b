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

use super::counts::Counter;
use super::kept::{Kept, Unsaved};
use super::store::{self, World};

/// What the `/_sim/*` endpoints need of a running simulator.
pub(crate) trait Introspect: Send + Sync + 'static {
    type World: World + Clone + Send + Sync + 'static;
    type Refusal: From<Unsaved> + 'static;

    fn kept(&self) -> &Kept<Self::World, Self::Refusal>;

    fn counter(&self) -> &Counter;

    /// Forgets whatever else the vendor records per request, when the counts are reset.
    fn forget_requests(&self) {}
}

/// The shared `/_sim/*` routes, to merge into a vendor's router.
pub(crate) fn routes<A: Introspect>() -> Router<Arc<A>> {
    Router::new()
        .route("/_sim/state", get(get_state::<A>).put(put_state::<A>))
        .route("/_sim/requests", get(get_requests::<A>))
        .route("/_sim/requests/reset", post(reset_requests::<A>))
}

fn json_error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// `GET /_sim/state`
async fn get_state<A: Introspect>(State(app): State<Arc<A>>) -> Response {
    Json(app.kept().snapshot().await).into_response()
}

/// `PUT /_sim/state`: replaces the world, answering the world as it will be served.
async fn put_state<A: Introspect>(State(app): State<Arc<A>>, body: Bytes) -> Response {
    let world: A::World = match store::from_json(&body) {
        Ok(world) => world,
        Err(err) => return json_error(StatusCode::BAD_REQUEST, format!("{err:#}")),
    };
    match app.kept().replace(world.clone()).await {
        Ok(()) => Json(world).into_response(),
        Err(Unsaved) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not save simulator state".to_owned(),
        ),
    }
}

/// `GET /_sim/requests`
async fn get_requests<A: Introspect>(State(app): State<Arc<A>>) -> Response {
    Json(app.counter().snapshot()).into_response()
}

/// `POST /_sim/requests/reset`: zeroes the counts (and forgets what else the vendor records
/// per request), answering the zeroed counts.
async fn reset_requests<A: Introspect>(State(app): State<Arc<A>>) -> Response {
    app.forget_requests();
    Json(app.counter().reset()).into_response()
}
