//! The simulator's URL map: the five vendor endpoints behind the fault gate, and the
//! `/_sim/*` endpoints for tests.
//!
//! Wiring only; the behaviour lives in `handlers.rs`, `gate.rs` and the shared
//! `crate::sim::introspect`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::post;

use super::app::App;
use super::{gate, handlers};
use crate::sim::introspect;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/v1/user",
            post(handlers::get_users).fallback(handlers::wrong_method),
        )
        .route(
            "/v1/user/add",
            post(handlers::add_user).fallback(handlers::wrong_method),
        )
        .route(
            "/v1/user/update",
            post(handlers::update_user).fallback(handlers::wrong_method),
        )
        .route(
            "/v1/user/delete",
            post(handlers::delete_user).fallback(handlers::wrong_method),
        )
        .route(
            "/v1/workflow/update",
            post(handlers::update_workflow).fallback(handlers::wrong_method),
        )
        .merge(
            // A world of 100,000 users is ~15 MB of JSON, over axum's 2 MB default; of these
            // routes only `PUT /_sim/state` reads a body.
            introspect::routes::<App>().layer(DefaultBodyLimit::disable()),
        )
        .fallback(handlers::unknown_endpoint)
        .layer(from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}
