//! The simulator's URL map: the SCIM service under `/scim/v2` and SCIM's own `/_sim/log`.
//! The shared skeleton adds the gate and the shared `/_sim/*`.
//!
//! Wiring only; the behaviour lives in `handlers.rs`, `listing.rs`, `discovery.rs` and
//! `introspect.rs`.

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, get, post};

use super::app::{App, BASE};
use super::discovery::{ResourceTypes, Schemas};
use super::{discovery, handlers, introspect, listing};

pub(crate) fn routes() -> Router<Arc<App>> {
    let routes: Vec<(&str, MethodRouter<Arc<App>>)> = vec![
        ("/ServiceProviderConfig", get(discovery::config)),
        ("/Schemas", get(discovery::list::<Schemas>)),
        ("/Schemas/{id}", get(discovery::by_id::<Schemas>)),
        ("/ResourceTypes", get(discovery::list::<ResourceTypes>)),
        (
            "/ResourceTypes/{id}",
            get(discovery::by_id::<ResourceTypes>),
        ),
        ("/.search", post(discovery::search_all)),
        ("/{endpoint}", get(listing::get_list).post(handlers::create)),
        (
            "/{endpoint}/{id}",
            get(handlers::get_one)
                .put(handlers::change)
                .patch(handlers::change)
                .delete(handlers::delete)
                .post(listing::post_item),
        ),
    ];
    let mut router = Router::new();
    for (path, methods) in routes {
        router = router.route(
            &format!("{BASE}{path}"),
            methods.fallback(handlers::wrong_method),
        );
    }
    router
        .route("/_sim/log", get(introspect::log))
        .fallback(handlers::unknown_endpoint)
}
