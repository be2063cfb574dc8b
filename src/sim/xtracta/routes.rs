//! The simulator's URL map: the five vendor endpoints, every one POST only, and the answer
//! for any other path. The shared skeleton adds the gate and the `/_sim/*` endpoints.
//!
//! Wiring only; the behaviour lives in `handlers.rs`.

use std::sync::Arc;

use axum::Router;
use axum::routing::post;

use super::app::App;
use super::handlers;

pub(crate) fn routes() -> Router<Arc<App>> {
    let endpoints = [
        ("/v1/user", post(handlers::get_users)),
        ("/v1/user/add", post(handlers::add_user)),
        ("/v1/user/update", post(handlers::update_user)),
        ("/v1/user/delete", post(handlers::delete_user)),
        ("/v1/workflow/update", post(handlers::update_workflow)),
    ];
    let mut router = Router::new();
    for (path, methods) in endpoints {
        router = router.route(path, methods.fallback(handlers::wrong_method));
    }
    router.fallback(handlers::unknown_endpoint)
}
