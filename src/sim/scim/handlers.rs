//! The resource endpoints under `/scim/v2`: `GET`, `POST`, `PUT`, `PATCH` and `DELETE` on
//! `/Users` and `/Groups`. Each checks the bearer token, reads the body, changes the world
//! through `ops` and answers the resource (with `ETag`, and `Location` on a create) or SCIM's
//! error message. Lists and searches are `listing.rs`'s, discovery is `discovery.rs`'s.
//!
//! Injected faults and request counting happen around these handlers, in the shared gate.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::Value as Json;

use super::app::{App, BASE, Logged, Scim};
use super::error::{self, Refusal};
use super::ops::Precondition;
use super::render::{self, Selection};
use super::world::{Kind, Resource, World};
use super::{patch, request};
use crate::sim::vendor::Vendor as _;

pub(crate) type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The answer, or the refusal in the simulator's spelling.
pub(crate) fn answer(app: &App, result: Result<Response, Refusal>) -> Response {
    result.unwrap_or_else(|r| app.vendor.refuse(&r))
}

/// Checks `Authorization: Bearer <token>`.
pub(crate) fn authorise(app: &App, headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match given {
        Some(t) if app.vendor.token_matches(t) => Ok(()),
        _ => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid or missing bearer token",
        )),
    }
}

/// Checks the caller (see [`authorise`]), then answers the resource type `endpoint` names.
pub(crate) fn authorised_kind(
    app: &App,
    headers: &HeaderMap,
    endpoint: &str,
) -> Result<Kind, Refusal> {
    authorise(app, headers)?;
    kind(endpoint)
}

/// The resource type an endpoint names.
pub(crate) fn kind(endpoint: &str) -> Result<Kind, Refusal> {
    match endpoint {
        "Users" => Ok(Kind::User),
        "Groups" => Ok(Kind::Group),
        other => Err(Refusal::new(
            StatusCode::NOT_FOUND,
            format!("no endpoint /{other}"),
        )),
    }
}

/// `http://host/scim/v2`, for locations.
pub(crate) fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}{BASE}")
}

/// A query parameter, its name in any case.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub(crate) fn query(q: Pairs) -> Result<Vec<(String, String)>, Refusal> {
    q.map(|Query(p)| p)
        .map_err(|_| Refusal::bad("invalidSyntax", "malformed query string"))
}

fn selection(pairs: &[(String, String)]) -> Selection {
    Selection::new(
        param(pairs, "attributes"),
        param(pairs, "excludedAttributes"),
    )
}

pub(crate) fn json_body(body: &[u8]) -> Result<Json, Refusal> {
    serde_json::from_slice(body).map_err(|_| Refusal::bad("invalidSyntax", "the body is not JSON"))
}

/// A JSON answer in the simulator's spelling.
pub(crate) fn reply(app: &App, status: StatusCode, body: Json) -> Response {
    error::reply(status, &render::styled(body, app.vendor.config.style))
}

/// One resource answered with its `ETag`.
async fn one(
    app: &App,
    status: StatusCode,
    kind: Kind,
    r: &Resource,
    (headers, pairs): (&HeaderMap, &[(String, String)]),
) -> Response {
    let base = base(headers);
    let sel = selection(pairs);
    let body = app
        .world
        .read(|w| render::resource(kind, r, w, &base, &sel))
        .await;
    let mut response = reply(app, status, body);
    if let Ok(tag) = HeaderValue::from_str(&r.etag()) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    if status == StatusCode::CREATED
        && let Ok(l) = HeaderValue::from_str(&format!("{base}/{}/{}", kind.endpoint(), r.id))
    {
        response.headers_mut().insert(header::LOCATION, l);
    }
    response
}

fn precondition<'a>(app: &App, headers: &'a HeaderMap) -> Precondition<'a> {
    Precondition {
        if_match: headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()),
        required: app.vendor.config.require_if_match,
    }
}

/// Logs a request for `GET /_sim/log`.
pub(crate) fn record(app: &App, uri: &Uri, method: &str, headers: &HeaderMap, body: &[u8]) {
    let method = method.parse().unwrap_or(Method::GET);
    app.vendor.record(Logged {
        endpoint: Scim::endpoint(&method, uri.path()),
        query: uri.query().map(str::to_string),
        if_match: headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: serde_json::from_slice(body).unwrap_or(Json::Null),
    });
}

/// `GET /{endpoint}/{id}`
pub(crate) async fn get_one(
    State(app): State<Arc<App>>,
    Path((endpoint, id)): Path<(String, String)>,
    headers: HeaderMap,
    q: Pairs,
) -> Response {
    let result = async {
        let kind = authorised_kind(&app, &headers, &endpoint)?;
        let pairs = query(q)?;
        let found = app.world.read(|w| w.get(kind, &id).cloned()).await;
        let r = found.ok_or_else(|| Refusal::not_found(kind.name(), &id))?;
        Ok(one(&app, StatusCode::OK, kind, &r, (&headers, &pairs)).await)
    };
    answer(&app, result.await)
}

/// `POST /{endpoint}`
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Path(endpoint): Path<String>,
    (uri, headers): (Uri, HeaderMap),
    q: Pairs,
    body: Bytes,
) -> Response {
    let result = async {
        let kind = authorised_kind(&app, &headers, &endpoint)?;
        let pairs = query(q)?;
        record(&app, &uri, "POST", &headers, &body);
        let attrs = request::resource(kind, &json_body(&body)?)?;
        let r = app.world.write(|w| w.create(kind, attrs)).await?;
        Ok(one(&app, StatusCode::CREATED, kind, &r, (&headers, &pairs)).await)
    };
    answer(&app, result.await)
}

/// `PUT /{endpoint}/{id}` and `PATCH /{endpoint}/{id}` (a PATCH answers 501 when the
/// simulator plays a server without PATCH).
pub(crate) async fn change(
    State(app): State<Arc<App>>,
    Path((endpoint, id)): Path<(String, String)>,
    (method, uri, headers): (Method, Uri, HeaderMap),
    q: Pairs,
    body: Bytes,
) -> Response {
    let patching = method == Method::PATCH;
    let result = async {
        let kind = authorised_kind(&app, &headers, &endpoint)?;
        if patching && !app.vendor.config.patch {
            return Err(Refusal::new(
                StatusCode::NOT_IMPLEMENTED,
                "PATCH is not supported",
            ));
        }
        let pairs = query(q)?;
        record(&app, &uri, method.as_str(), &headers, &body);
        let json = json_body(&body)?;
        let pre = precondition(&app, &headers);
        let r = if patching {
            let ops = patch::operations(&json)?;
            app.world.write(|w| w.patch(kind, &id, &ops, pre)).await?
        } else {
            let attrs = request::resource(kind, &json)?;
            let replace = |w: &mut World| w.replace(kind, &id, attrs, pre);
            app.world.write(replace).await?
        };
        Ok(one(&app, StatusCode::OK, kind, &r, (&headers, &pairs)).await)
    };
    answer(&app, result.await)
}

/// `DELETE /{endpoint}/{id}`: 204.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path((endpoint, id)): Path<(String, String)>,
    (uri, headers): (Uri, HeaderMap),
) -> Response {
    let result = async {
        let kind = authorised_kind(&app, &headers, &endpoint)?;
        record(&app, &uri, "DELETE", &headers, b"");
        let pre = precondition(&app, &headers);
        app.world.write(|w| w.delete(kind, &id, pre)).await?;
        Ok(axum::response::IntoResponse::into_response(
            StatusCode::NO_CONTENT,
        ))
    };
    answer(&app, result.await)
}

/// A method the endpoint does not serve.
pub(crate) async fn wrong_method(State(app): State<Arc<App>>) -> Response {
    app.vendor.refuse(&Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed",
    ))
}

/// Any path the simulator does not know.
pub(crate) async fn unknown_endpoint(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let message = format!("no endpoint {}", uri.path());
    app.vendor
        .refuse(&Refusal::new(StatusCode::NOT_FOUND, message))
}
