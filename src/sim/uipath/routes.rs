//! The simulator's URL map: the token endpoint, the org-scoped Identity API and UiPath's own
//! `/_sim/tokens*` endpoints. The shared skeleton adds the gate and the shared `/_sim/*`.
//!
//! Wiring only; the behaviour lives in `handlers.rs`, `token.rs` and `introspect.rs`. Paths
//! are matched as the spec spells them (`/api/User`, not `/api/user`).

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use super::app::App;
use super::{handlers, introspect, token};

pub(crate) fn routes() -> Router<Arc<App>> {
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
        .route("/_sim/tokens", get(introspect::get_tokens))
        .route("/_sim/tokens/revoke", post(introspect::revoke_tokens))
        .fallback(handlers::unknown_endpoint)
}
