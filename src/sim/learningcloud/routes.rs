//! The simulator's URL map: the user services under `/integration/ws/management/rest` and
//! learningCloud's own `/_sim/headers`. The shared skeleton adds the gate and the shared
//! `/_sim/*`.
//!
//! Wiring only; the behaviour lives in `handlers.rs` (which also tells the user actions
//! apart) and `introspect.rs`.

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, any, get};

use super::app::App;
use super::introspect::BASE;
use super::{handlers, introspect};

pub(crate) fn routes() -> Router<Arc<App>> {
    let user_routes = [
        (
            "/users",
            get(handlers::list_users).post(handlers::create_user),
        ),
        (
            "/users/{id}",
            get(handlers::get_user)
                .put(handlers::update_user)
                .delete(handlers::delete_user),
        ),
    ];
    let mut router = Router::new();
    for (path, methods) in user_routes {
        let methods: MethodRouter<Arc<App>> = methods.fallback(handlers::wrong_method);
        router = router.route(&format!("{BASE}{path}"), methods);
    }
    router
        .route(
            &format!("{BASE}/users/{{id}}/{{action}}"),
            any(handlers::user_action),
        )
        .route("/_sim/headers", get(introspect::get_headers))
        .fallback(handlers::unknown_endpoint)
}
