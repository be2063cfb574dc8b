//! Middleware around the vendor API (the token endpoint included): counts every request under
//! its endpoint key and applies injected faults (latency, rate limit, server errors,
//! malformed answers, and for API writes connections dropped after the write committed).
//!
//! `/_sim/*` passes through untouched. It decides nothing about the world itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::app::App;
use super::reply;
use crate::sim::faults::{Reject, break_off, hint_retry, is_introspection};

/// The key a request is counted under: its method and a path template with the
/// organisation and ids left out, e.g. `PUT /api/User/{id}` or `POST /connect/token`.
const TOKEN_KEY: &str = "POST /connect/token";

pub(crate) fn endpoint_key(method: &Method, path: &str) -> String {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let template = match segments.as_slice() {
        ["identity_", "connect", "token"] => "/connect/token",
        [_, "identity_", "api", rest @ ..] => match rest {
            ["User"] => "/api/User",
            ["User", "users", _] => "/api/User/users/{pgid}",
            ["User", _] => "/api/User/{id}",
            ["Group", _] => "/api/Group/{pgid}",
            _ => "(unknown)",
        },
        _ => "(unknown)",
    };
    format!("{method} {template}")
}

pub(crate) async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_introspection(&path) {
        return next.run(request).await;
    }
    let key = endpoint_key(request.method(), &path);
    // Only changes to the world are left ambiguous; a lost token answer is just a failure.
    let write = !matches!(*request.method(), Method::GET | Method::HEAD) && key != TOKEN_KEY;
    let verdict = app.faults.arrive().await;
    let response = match verdict.reject {
        Some(reject) => refuse(reject),
        None => {
            let response = next.run(request).await;
            if verdict.ambiguous && write && response.status().is_success() {
                break_off_write(response).await
            } else {
                response
            }
        }
    };
    let status = response.status();
    tracing::debug!(key, status = status.as_u16(), ?verdict, "uipath request");
    app.counts.record(&key, status);
    response
}

fn refuse(reject: Reject) -> Response {
    let response = match reject {
        Reject::RateLimited => reply::problem(StatusCode::TOO_MANY_REQUESTS, None),
        Reject::ServerError(status) => reply::problem(status, None),
        Reject::Malformed(variant) => reply::malformed(variant),
    };
    hint_retry(reject, response)
}

/// Keeps the status and headers of a performed write but breaks its body off midway. A 204
/// has no body to break, so a committed delete answers 504 Gateway Timeout instead, as a
/// proxy that gave up waiting would.
async fn break_off_write(response: Response) -> Response {
    if response.status() == StatusCode::NO_CONTENT {
        return reply::problem(StatusCode::GATEWAY_TIMEOUT, None);
    }
    break_off(response, || {
        reply::problem(StatusCode::INTERNAL_SERVER_ERROR, None)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keys_leave_out_org_and_ids() {
        let key = |method: Method, path: &str| endpoint_key(&method, path);
        let pgid = "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11";
        assert_eq!(
            key(Method::POST, "/identity_/connect/token"),
            "POST /connect/token"
        );
        assert_eq!(
            key(
                Method::GET,
                &format!("/acme/identity_/api/User/users/{pgid}")
            ),
            "GET /api/User/users/{pgid}"
        );
        assert_eq!(
            key(Method::PUT, "/other/identity_/api/User/her-1909"),
            "PUT /api/User/{id}"
        );
        assert_eq!(
            key(Method::POST, "/acme/identity_/api/User"),
            "POST /api/User"
        );
        assert_eq!(
            key(Method::DELETE, "/acme/identity_/api/User/"),
            "DELETE /api/User"
        );
        assert_eq!(
            key(Method::GET, &format!("/acme/identity_/api/Group/{pgid}")),
            "GET /api/Group/{pgid}"
        );
        assert_eq!(
            key(Method::GET, "/acme/identity_/api/Robot/1"),
            "GET (unknown)"
        );
        assert_eq!(key(Method::GET, "/"), "GET (unknown)");
    }
}
