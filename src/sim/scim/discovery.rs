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

fn by_id(app: &App, items: Vec<Json>, id: &str) -> Result<Response, Refusal> {
    items
        .into_iter()
        .find(|i| i["id"].as_str() == Some(id))
        .map(|i| handlers::reply(app, StatusCode::OK, i))
        .ok_or_else(|| Refusal::not_found("schema or resource type", id))
}

/// `GET /Schemas`
pub(crate) async fn schemas(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let result = served(&app, &headers).map(|base| listed(&app, schema::schemas(&base)));
    answer(&app, result)
}

/// `GET /Schemas/{id}`
pub(crate) async fn schema_by_id(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = served(&app, &headers).and_then(|base| by_id(&app, schema::schemas(&base), &id));
    answer(&app, result)
}

/// `GET /ResourceTypes`
pub(crate) async fn resource_types(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let result = served(&app, &headers).map(|base| listed(&app, schema::resource_types(&base)));
    answer(&app, result)
}

/// `GET /ResourceTypes/{id}`
pub(crate) async fn resource_type_by_id(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result =
        served(&app, &headers).and_then(|base| by_id(&app, schema::resource_types(&base), &id));
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
