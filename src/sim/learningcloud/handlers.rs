//! The user services under `/integration/ws/management/rest`: check the headers, read the
//! body, apply the operation and answer with JSON (a user, a list, or the envelope). Errors
//! come back as the envelope with `responsePlatforms: {}` and a matching HTTP status.
//!
//! Injected faults and request counting happen around these handlers, in `gate.rs`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::app::App;
use super::envelope::{Refusal, SyncMode, json_reply};
use super::headers;
use super::ops::PAGE_LIMIT;
use super::{render, request};

type Key = Result<Path<String>, PathRejection>;
type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn answer(result: Result<Response, Refusal>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

fn key(path: Key) -> Result<String, Refusal> {
    path.map(|Path(key)| key)
        .map_err(|_| Refusal::bad_request("malformed user id or username in the path"))
}

/// The header checks of a write, in order: token, `Accept`, synchronization, content type.
fn write_checks(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<SyncMode, Refusal> {
    headers::authorise(app, headers)?;
    let mode = headers::sync_mode(headers)?;
    headers::json_body(headers, body)?;
    Ok(mode)
}

/// HTTP 200 with the write envelope; `location` also goes into a `Location` header.
fn written(app: &App, mode: SyncMode, location: Option<String>) -> Response {
    let header_value = location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok());
    let mut response = json_reply(StatusCode::OK, &app.vendor.written(mode, location));
    if let Some(value) = header_value {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A paging parameter: absent or empty means `default`.
fn number(pairs: &[(String, String)], name: &str, default: usize) -> Result<usize, Refusal> {
    match pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()) {
        None | Some("") => Ok(default),
        Some(text) => text.parse().map_err(|_| {
            Refusal::bad_request(format!("{name} must be a non-negative integer: {text}"))
        }),
    }
}

/// `GET /users?startIndex=&count=`: always synchronous; `count` above 500 is served as 500.
pub(crate) async fn list_users(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: Pairs,
) -> Response {
    let result = async {
        headers::authorise(&app, &headers)?;
        let Query(pairs) = query.map_err(|_| Refusal::bad_request("malformed query string"))?;
        let start = number(&pairs, "startIndex", 0)?;
        let count = number(&pairs, "count", PAGE_LIMIT)?;
        let page = app.world.read(|w| {
            let users: Vec<_> = w
                .page(start, count)
                .iter()
                .map(|u| render::user(w, u))
                .collect();
            json_reply(StatusCode::OK, &users)
        });
        Ok(page.await)
    };
    answer(result.await)
}

/// `GET /users/{id_or_username}`
pub(crate) async fn get_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
) -> Response {
    let result = async {
        headers::authorise(&app, &headers)?;
        let key = key(path)?;
        let found = app.world.read(|w| {
            w.get(&key)
                .map(|user| json_reply(StatusCode::OK, &render::user(w, user)))
        });
        Ok(found.await?)
    };
    answer(result.await)
}

/// `POST /users`: the envelope's `location` and the `Location` header are `/users/{new id}`.
pub(crate) async fn create_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let mode = write_checks(&app, &headers, &body)?;
        let new = request::new_user(&body)?;
        let id = app.world.write(|w| w.create_user(new)).await?;
        Ok(written(&app, mode, Some(format!("/users/{id}"))))
    };
    answer(result.await)
}

/// `PUT /users/{id_or_username}`
pub(crate) async fn update_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
    body: Bytes,
) -> Response {
    let result = async {
        let mode = write_checks(&app, &headers, &body)?;
        let key = key(path)?;
        let update = request::user_update(&body)?;
        app.world.write(|w| w.update_user(&key, update)).await?;
        Ok(written(&app, mode, None))
    };
    answer(result.await)
}

/// `DELETE /users/{id_or_username}`
pub(crate) async fn delete_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
    body: Bytes,
) -> Response {
    let result = async {
        let mode = write_checks(&app, &headers, &body)?;
        let key = key(path)?;
        app.world.write(|w| w.delete_user(&key)).await?;
        Ok(written(&app, mode, None))
    };
    answer(result.await)
}

/// `PUT /users/{id_or_username}/activate`
pub(crate) async fn activate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
    body: Bytes,
) -> Response {
    let result = async {
        let mode = write_checks(&app, &headers, &body)?;
        let key = key(path)?;
        app.world.write(|w| w.set_enabled(&key, true)).await?;
        Ok(written(&app, mode, None))
    };
    answer(result.await)
}

/// `PUT /users/{id_or_username}/deactivate`, with an optional `{"message": "..."}`.
pub(crate) async fn deactivate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
    body: Bytes,
) -> Response {
    let result = async {
        let mode = write_checks(&app, &headers, &body)?;
        let key = key(path)?;
        request::deactivation(&body)?;
        app.world.write(|w| w.set_enabled(&key, false)).await?;
        Ok(written(&app, mode, None))
    };
    answer(result.await)
}

/// `PUT /users/{id_or_username}/changePassword`: always synchronous.
pub(crate) async fn change_password(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
    body: Bytes,
) -> Response {
    let result = async {
        write_checks(&app, &headers, &body)?;
        let key = key(path)?;
        let password = request::new_password(&body)?;
        app.world
            .write(|w| w.change_password(&key, password))
            .await?;
        Ok(written(&app, SyncMode::Synchronous, None))
    };
    answer(result.await)
}

/// A method the endpoint does not serve.
pub(crate) async fn wrong_method() -> Response {
    Refusal::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed").into_response()
}

/// Any path the simulator does not know.
pub(crate) async fn unknown_endpoint(uri: Uri) -> Response {
    let message = format!("unknown endpoint: {}", uri.path());
    Refusal::new(StatusCode::NOT_FOUND, message).into_response()
}
