//! The simulator's URL map: the token endpoint and the org-scoped Identity API behind the
//! fault gate, and the `/_sim/*` endpoints for tests.
//!
//! Wiring only; the behaviour lives in `handlers.rs`, `token.rs`, `gate.rs`, `introspect.rs`
//! and the shared `crate::sim::introspect`. Paths are matched as the spec spells them
//! (`/api/User`, not `/api/user`).

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use super::app::App;
use super::{gate, handlers, introspect, token};
use crate::sim::introspect as sim_introspect;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/identity_/connect/token", post(token::token))
        .route(
            "/{org}/identity_/api/User",
            post(handlers::create_user).delete(handlers::delete_users),
        )
        .route(
            "/{org}/identity_/api/User/users/{partition}",
            get(handlers::list_users),
        )
        .route(
            "/{org}/identity_/api/User/{user_id}",
            get(handlers::get_user)
                .put(handlers::update_user)
                .delete(handlers::delete_user),
        )
        .route(
            "/{org}/identity_/api/Group/{partition}",
            get(handlers::list_groups),
        )
        .merge(sim_introspect::routes::<App>())
        .route("/_sim/tokens", get(introspect::get_tokens))
        .route("/_sim/tokens/revoke", post(introspect::revoke_tokens))
        .fallback(handlers::unknown_endpoint)
        .layer(from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}
