//! Discovery (RFC 7644 §4): `/ServiceProviderConfig` announcing what this simulator plays
//! (PATCH, filters and `maxResults`, ETags; no bulk, no sorting), `/Schemas` and
//! `/ResourceTypes` from the schema table, each alone by id; all of them 404 when the
//! simulator plays a server without discovery. A search across resource types
//! (`POST /.search`) answers 501.
//!
//! Reads the settings only; never the world.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value as Json;

use super::app::App;
use super::error::Refusal;
use super::handlers::{self, answer, authorise, base};
use super::render;
use super::schema;

fn served(app: &App, headers: &HeaderMap) -> Result<String, Refusal> {
    authorise(app, headers)?;
    if !app.vendor.config.discovery {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "no such endpoint"));
    }
    Ok(base(headers))
}

/// `GET /ServiceProviderConfig`
pub(crate) async fn config(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let result = served(&app, &headers).map(|base| {
        let c = &app.vendor.config;
        let body = schema::service_provider_config(&base, c.patch, c.filter, c.max_results);
        handlers::reply(&app, StatusCode::OK, body)
    });
    answer(&app, result)
}

fn listed(app: &App, items: Vec<Json>) -> Response {
    let n = items.len();
    handlers::reply(app, StatusCode::OK, render::list(n, 1, items))
}

fn find(app: &App, items: Vec<Json>, id: &str) -> Result<Response, Refusal> {
    items
        .into_iter()
        .find(|i| i["id"].as_str() == Some(id))
        .map(|i| handlers::reply(app, StatusCode::OK, i))
        .ok_or_else(|| Refusal::not_found("schema or resource type", id))
}

/// A discovery list that also answers each of its documents alone by id.
pub(crate) trait Catalogue {
    /// The documents, with locations below `base`.
    fn documents(base: &str) -> Vec<Json>;
}

/// `/Schemas`
pub(crate) enum Schemas {}

impl Catalogue for Schemas {
    fn documents(base: &str) -> Vec<Json> {
        schema::schemas(base)
    }
}

/// `/ResourceTypes`
pub(crate) enum ResourceTypes {}

impl Catalogue for ResourceTypes {
    fn documents(base: &str) -> Vec<Json> {
        schema::resource_types(base)
    }
}

/// `GET /Schemas` or `GET /ResourceTypes`
pub(crate) async fn list<C: Catalogue>(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Response {
    let result = served(&app, &headers).map(|base| listed(&app, C::documents(&base)));
    answer(&app, result)
}

/// `GET /Schemas/{id}` or `GET /ResourceTypes/{id}`
pub(crate) async fn by_id<C: Catalogue>(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = served(&app, &headers).and_then(|base| find(&app, C::documents(&base), &id));
    answer(&app, result)
}

/// `POST /.search`: searching every resource type at once is not implemented.
pub(crate) async fn search_all(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let result = authorise(&app, &headers).and_then(|()| {
        Err(Refusal::new(
            StatusCode::NOT_IMPLEMENTED,
            "searching every resource type at once is not supported",
        ))
    });
    answer(&app, result)
}
