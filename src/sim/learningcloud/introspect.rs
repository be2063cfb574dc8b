//! The `/_sim/*` endpoints for tests: read or replace the world, read or reset request
//! counts, and read the last `Accept` and `X-Cloud-Synchronization` headers a client sent.
//! No token and no injected faults here; answers are JSON.
//!
//! Never reachable through the vendor API paths, and never counted.
//!
//! Requests are counted under an endpoint key `METHOD TEMPLATE`, the template relative to
//! `/integration/ws/management/rest` with the user segment written `{id}`: `GET /users`,
//! `POST /users`, `GET /users/{id}`, `PUT /users/{id}`, `DELETE /users/{id}`,
//! `PUT /users/{id}/activate`, `PUT /users/{id}/deactivate`, `PUT /users/{id}/changePassword`.
//! Any other path is counted under `METHOD PATH` as requested.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::app::App;
use super::headers::SYNCHRONIZATION;
use super::world::World;
use crate::sim::store;

/// Where every vendor path lives.
pub(crate) const BASE: &str = "/integration/ws/management/rest";

/// The user actions that take `PUT /users/{id}/ACTION`.
const ACTIONS: [&str; 3] = ["activate", "deactivate", "changePassword"];

/// Requests served on the vendor API, by endpoint key and by endpoint key and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct RequestCounts {
    pub(crate) total: u64,
    pub(crate) by_endpoint: BTreeMap<String, u64>,
    /// Keyed `"ENDPOINT STATUS"`, e.g. `"GET /users 200"`.
    pub(crate) by_endpoint_status: BTreeMap<String, u64>,
}

impl RequestCounts {
    pub(crate) fn record(&mut self, endpoint: &str, status: StatusCode) {
        self.total += 1;
        *self.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
        let key = format!("{endpoint} {}", status.as_u16());
        *self.by_endpoint_status.entry(key).or_default() += 1;
    }
}

/// The headers of one request, as sent (null when absent). Never the token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Seen {
    pub(crate) endpoint: Option<String>,
    pub(crate) accept: Option<String>,
    pub(crate) synchronization: Option<String>,
    pub(crate) content_type: Option<String>,
}

/// The last vendor request's headers, and those of the last write (any method but GET).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SeenHeaders {
    #[serde(flatten)]
    pub(crate) last: Seen,
    pub(crate) last_write: Option<Seen>,
}

impl SeenHeaders {
    pub(crate) fn record(&mut self, endpoint: &str, write: bool, headers: &HeaderMap) {
        let text = |name| {
            headers
                .get(name)
                .map(|v: &header::HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        self.last = Seen {
            endpoint: Some(endpoint.to_owned()),
            accept: text(header::ACCEPT.as_str()),
            synchronization: text(SYNCHRONIZATION),
            content_type: text(header::CONTENT_TYPE.as_str()),
        };
        if write {
            self.last_write = Some(self.last.clone());
        }
    }
}

/// The key a request is counted under (see the module doc).
pub(crate) fn endpoint_key(method: &Method, path: &str) -> String {
    let relative = path.strip_prefix(BASE).unwrap_or(path);
    let segments: Vec<&str> = relative
        .strip_prefix('/')
        .unwrap_or("")
        .split('/')
        .collect();
    let template = match segments.as_slice() {
        ["users"] => Some("/users".to_owned()),
        ["users", id] if !id.is_empty() => Some("/users/{id}".to_owned()),
        ["users", id, action] if !id.is_empty() && ACTIONS.contains(action) => {
            Some(format!("/users/{{id}}/{action}"))
        }
        _ => None,
    };
    format!("{method} {}", template.as_deref().unwrap_or(relative))
}

fn json_error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// `GET /_sim/state`
pub(crate) async fn get_state(State(app): State<Arc<App>>) -> Response {
    Json(app.snapshot().await).into_response()
}

/// `PUT /_sim/state`: replaces the world, answering the world as it will be served.
pub(crate) async fn put_state(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let world = match store::from_json::<World>(&body) {
        Ok(world) => world,
        Err(err) => return json_error(StatusCode::BAD_REQUEST, format!("{err:#}")),
    };
    match app.replace(world.clone()).await {
        Ok(()) => Json(world).into_response(),
        Err(refusal) => json_error(refusal.status, refusal.message),
    }
}

/// `GET /_sim/requests`
pub(crate) async fn get_requests(State(app): State<Arc<App>>) -> Response {
    let counts = app.counts().clone();
    Json(counts).into_response()
}

/// `POST /_sim/requests/reset`: zeroes the counts and forgets the headers seen, answering
/// the zeroed counts.
pub(crate) async fn reset_requests(State(app): State<Arc<App>>) -> Response {
    *app.headers() = SeenHeaders::default();
    let mut counts = app.counts();
    *counts = RequestCounts::default();
    Json(counts.clone()).into_response()
}

/// `GET /_sim/headers`
pub(crate) async fn get_headers(State(app): State<Arc<App>>) -> Response {
    let seen = app.headers().clone();
    Json(seen).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn endpoint_keys_use_templates() {
        let key = |method: Method, rest: &str| endpoint_key(&method, &format!("{BASE}{rest}"));
        assert_eq!(key(Method::GET, "/users"), "GET /users");
        assert_eq!(key(Method::POST, "/users"), "POST /users");
        assert_eq!(key(Method::GET, "/users/restuser.acme"), "GET /users/{id}");
        assert_eq!(key(Method::DELETE, "/users/ff80"), "DELETE /users/{id}");
        assert_eq!(
            key(Method::PUT, "/users/ff80/changePassword"),
            "PUT /users/{id}/changePassword"
        );
        assert_eq!(
            key(Method::PUT, "/users/a/deactivate"),
            "PUT /users/{id}/deactivate"
        );
        assert_eq!(
            key(Method::POST, "/users/a/welcomeMail"),
            "POST /users/a/welcomeMail"
        );
        assert_eq!(key(Method::GET, "/users/"), "GET /users/");
        assert_eq!(endpoint_key(&Method::GET, "/v1/user"), "GET /v1/user");
    }

    #[test]
    fn counts_by_endpoint_and_status() {
        let mut counts = RequestCounts::default();
        counts.record("GET /users", StatusCode::OK);
        counts.record("GET /users", StatusCode::UNAUTHORIZED);
        counts.record("POST /users", StatusCode::OK);
        assert_eq!(counts.total, 3);
        assert_eq!(counts.by_endpoint["GET /users"], 2);
        let json = serde_json::to_value(&counts).unwrap();
        assert_eq!(json["by_endpoint_status"]["GET /users 401"], 1);
    }

    #[test]
    fn seen_headers_keep_the_last_request_and_the_last_write() {
        let mut seen = SeenHeaders::default();
        let mut headers = HeaderMap::new();
        headers.insert(SYNCHRONIZATION, HeaderValue::from_static("synchronous"));
        headers.insert("x-cloud-auth-token", HeaderValue::from_static("secret"));
        seen.record("PUT /users/{id}", true, &headers);
        seen.record("GET /users", false, &HeaderMap::new());
        let json = serde_json::to_value(&seen).unwrap();
        assert_eq!(json["endpoint"], "GET /users");
        assert_eq!(json["synchronization"], serde_json::Value::Null);
        assert_eq!(json["last_write"]["synchronization"], "synchronous");
        assert!(!json.to_string().contains("secret"), "never the token");
    }
}
