//! learningCloud's own `/_sim/*` endpoint for tests, reading the last `Accept` and
//! `X-Cloud-Synchronization` headers a client sent, and the endpoint key requests are counted
//! under (the world and the counts themselves are the shared `crate::sim::introspect`). No
//! token and no injected faults here; answers are JSON.
//!
//! Never reachable through the vendor API paths, and never counted.
//!
//! Requests are counted under an endpoint key `METHOD TEMPLATE`, the template relative to
//! `/integration/ws/management/rest` with the user segment written `{id}`: `GET /users`,
//! `POST /users`, `GET /users/{id}`, `PUT /users/{id}`, `DELETE /users/{id}`,
//! `PUT /users/{id}/activate`, `PUT /users/{id}/deactivate`, `PUT /users/{id}/changePassword`.
//! Any other path is counted under `METHOD PATH` as requested.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::app::App;
use super::handlers::Action;
use super::headers::SYNCHRONIZATION;

/// Where every vendor path lives.
pub(crate) const BASE: &str = "/integration/ws/management/rest";

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
        ["users", id, action]
            if !id.is_empty() && Action::ALL.iter().any(|a| a.name() == *action) =>
        {
            Some(format!("/users/{{id}}/{action}"))
        }
        _ => None,
    };
    format!("{method} {}", template.as_deref().unwrap_or(relative))
}

/// `GET /_sim/headers`
pub(crate) async fn get_headers(State(app): State<Arc<App>>) -> Response {
    let seen = app.vendor.headers.lock().clone();
    Json(seen).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn endpoint_keys_use_templates() {
        let cases = [
            (Method::GET, "/users", "GET /users"),
            (Method::POST, "/users", "POST /users"),
            (Method::GET, "/users/restuser.acme", "GET /users/{id}"),
            (Method::DELETE, "/users/ff80", "DELETE /users/{id}"),
            (
                Method::PUT,
                "/users/ff80/changePassword",
                "PUT /users/{id}/changePassword",
            ),
            (
                Method::PUT,
                "/users/a/deactivate",
                "PUT /users/{id}/deactivate",
            ),
            (
                Method::POST,
                "/users/a/welcomeMail",
                "POST /users/a/welcomeMail",
            ),
            (Method::GET, "/users/", "GET /users/"),
        ];
        for (method, rest, want) in cases {
            assert_eq!(endpoint_key(&method, &format!("{BASE}{rest}")), want);
        }
        assert_eq!(endpoint_key(&Method::GET, "/v1/user"), "GET /v1/user");
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
