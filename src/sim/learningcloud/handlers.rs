//! The user services under `/integration/ws/management/rest`: check the headers, read the
//! body, apply the operation and answer with JSON (a user, a list, or the envelope). Errors
//! come back as the envelope with `responsePlatforms: {}` and a matching HTTP status.
//!
//! Injected faults and request counting happen around these handlers, in the shared gate.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;

use super::app::App;
use super::envelope::{Refusal, SyncMode, json_reply, refused};
use super::headers;
use super::ops::{PAGE_LIMIT, WorldError};
use super::paging::Paging;
use super::world::World;
use super::{render, request};

type Key = Result<Path<String>, PathRejection>;
type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn answer(result: Result<Response, Refusal>) -> Response {
    result.unwrap_or_else(refused)
}

fn key(path: Key) -> Result<String, Refusal> {
    path.map(|Path(key)| key).map_err(|_| malformed_key())
}

fn malformed_key() -> Refusal {
    Refusal::bad_request("malformed user id or username in the path")
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

/// One write to the user the path names: the header checks, the body as `read` reads it,
/// the change `change` makes with it, and the envelope in `mode` (else the request's mode).
async fn write_user<T>(
    app: &App,
    (headers, key, body): (HeaderMap, Result<String, Refusal>, Bytes),
    mode: Option<SyncMode>,
    read: impl FnOnce(&[u8]) -> Result<T, Refusal>,
    change: impl FnOnce(&mut World, &str, T) -> Result<(), WorldError>,
) -> Response {
    let result = async {
        let asked = write_checks(app, &headers, &body)?;
        let key = key?;
        let given = read(&body)?;
        app.world.write(|w| change(w, &key, given)).await?;
        Ok(written(app, mode.unwrap_or(asked), None))
    };
    answer(result.await)
}

/// A write whose body, if any, carries nothing.
fn no_body(_: &[u8]) -> Result<(), Refusal> {
    Ok(())
}

/// One read: the token check, then `look` at the world with what the request asks for
/// (`asked`, read from the path or the query already, but refused only once the token
/// passed).
async fn read<T>(
    app: &App,
    headers: &HeaderMap,
    asked: Result<T, Refusal>,
    look: impl FnOnce(&World, T) -> Result<Response, Refusal>,
) -> Response {
    let result = async {
        headers::authorise(app, headers)?;
        let asked = asked?;
        app.world.read(|w| look(w, asked)).await
    };
    answer(result.await)
}

/// Which users a list asks for: the position of the first and how many, as `paging` reads
/// `startIndex` and `count`.
fn window(query: Pairs, paging: Paging) -> Result<(usize, usize), Refusal> {
    let Query(pairs) = query.map_err(|_| Refusal::bad_request("malformed query string"))?;
    let start_index = number(&pairs, "startIndex", paging.first)?;
    let count = number(&pairs, "count", PAGE_LIMIT)?;
    Ok((paging.offset(start_index, count), count))
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

/// `GET /users?startIndex=&count=`: always synchronous; `count` above 500 is served as 500,
/// and `startIndex` is read as the simulator's paging says.
pub(crate) async fn list_users(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: Pairs,
) -> Response {
    let window = window(query, app.vendor.readings.paging);
    let page = |w: &World, (start, count)| {
        let page = w.page(start, count);
        let users: Vec<_> = page.iter().map(|u| render::user(w, u)).collect();
        Ok(json_reply(StatusCode::OK, &users))
    };
    read(&app, &headers, window, page).await
}

/// `GET /users/{id_or_username}`
pub(crate) async fn get_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
) -> Response {
    let found = |w: &World, key: String| {
        let user = w.get(&key)?;
        Ok(json_reply(StatusCode::OK, &render::user(w, user)))
    };
    read(&app, &headers, key(path), found).await
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
    let reading = app.vendor.readings.put;
    let read = request::user_update;
    let update = |w: &mut World, key: &str, given| w.update_user(key, given, reading);
    write_user(&app, (headers, key(path), body), None, read, update).await
}

/// `DELETE /users/{id_or_username}`
pub(crate) async fn delete_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Key,
    body: Bytes,
) -> Response {
    let delete = |w: &mut World, key: &str, ()| w.delete_user(key);
    write_user(&app, (headers, key(path), body), None, no_body, delete).await
}

/// The user actions that take `PUT /users/{id_or_username}/ACTION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Activate,
    /// With an optional `{"message": "..."}`.
    Deactivate,
    /// Always synchronous.
    ChangePassword,
}

impl Action {
    pub(crate) const ALL: [Self; 3] = [Self::Activate, Self::Deactivate, Self::ChangePassword];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Deactivate => "deactivate",
            Self::ChangePassword => "changePassword",
        }
    }
}

/// `PUT /users/{id_or_username}/{activate,deactivate,changePassword}`; any other action is an
/// unknown endpoint, any other method on a known one is refused.
pub(crate) async fn user_action(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let named = uri.path().rsplit('/').next().unwrap_or_default();
    let Some(action) = Action::ALL.into_iter().find(|a| a.name() == named) else {
        return unknown_endpoint(uri).await;
    };
    if method != Method::PUT {
        return wrong_method().await;
    }
    let key = path.map(|Path((key, _))| key).map_err(|_| malformed_key());
    let request = (headers, key, body);
    match action {
        Action::Activate => {
            let activate = |w: &mut World, key: &str, ()| w.set_enabled(key, true);
            write_user(&app, request, None, no_body, activate).await
        }
        Action::Deactivate => {
            let deactivate = |w: &mut World, key: &str, ()| w.set_enabled(key, false);
            write_user(&app, request, None, request::deactivation, deactivate).await
        }
        Action::ChangePassword => {
            let sync = Some(SyncMode::Synchronous);
            let change = World::change_password;
            write_user(&app, request, sync, request::new_password, change).await
        }
    }
}

/// A method the endpoint does not serve.
pub(crate) async fn wrong_method() -> Response {
    refused(Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed",
    ))
}

/// Any path the simulator does not know.
pub(crate) async fn unknown_endpoint(uri: Uri) -> Response {
    let message = format!("unknown endpoint: {}", uri.path());
    refused(Refusal::new(StatusCode::NOT_FOUND, message))
}
