//! The simulator's URL map: the user services under `/integration/ws/management/rest`
//! behind the fault gate, and the `/_sim/*` endpoints for tests.
//!
//! Wiring only; the behaviour lives in `handlers.rs`, `gate.rs`, `introspect.rs` and the
//! shared `crate::sim::introspect`.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, put};

use super::app::App;
use super::introspect::BASE;
use super::{gate, handlers, introspect};
use crate::sim::introspect as sim_introspect;

pub(crate) fn router(app: Arc<App>) -> Router {
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
        ("/users/{id}/activate", put(handlers::activate)),
        ("/users/{id}/deactivate", put(handlers::deactivate)),
        ("/users/{id}/changePassword", put(handlers::change_password)),
    ];
    let mut router = Router::new();
    for (path, methods) in user_routes {
        let methods: MethodRouter<Arc<App>> = methods.fallback(handlers::wrong_method);
        router = router.route(&format!("{BASE}{path}"), methods);
    }
    router
        .merge(sim_introspect::routes::<App>())
        .route("/_sim/headers", get(introspect::get_headers))
        .fallback(handlers::unknown_endpoint)
        .layer(from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}
