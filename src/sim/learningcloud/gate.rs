//! Middleware around the vendor API: counts every request, remembers its headers, and
//! applies injected faults (latency, rate limit, server errors, malformed answers,
//! connections dropped after a committed write).
//!
//! `/_sim/*` passes through untouched. It decides nothing about the world itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::app::App;
use super::envelope::{Refusal, malformed};
use super::introspect::endpoint_key;
use crate::sim::faults::{Reject, broken_body};

pub(crate) async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/_sim" || path.starts_with("/_sim/") {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let endpoint = endpoint_key(&method, &path);
    // Every method but GET and HEAD changes the world when it succeeds.
    let write = !matches!(method, Method::GET | Method::HEAD);
    app.headers().record(&endpoint, write, request.headers());
    let verdict = app.faults.judge();
    if !verdict.latency.is_zero() {
        tokio::time::sleep(verdict.latency).await;
    }
    let response = match verdict.reject {
        Some(reject) => refuse(endpoint == "GET /users", reject),
        None => {
            let response = next.run(request).await;
            if verdict.ambiguous && write && response.status() == StatusCode::OK {
                break_off(response).await
            } else {
                response
            }
        }
    };
    let status = response.status();
    tracing::debug!(
        endpoint,
        status = status.as_u16(),
        ?verdict,
        "learningcloud request"
    );
    app.counts.record(&endpoint, status);
    response
}

fn refuse(list: bool, reject: Reject) -> Response {
    let retry_after = |mut response: Response| {
        let one = HeaderValue::from_static("1");
        response.headers_mut().insert(header::RETRY_AFTER, one);
        response
    };
    match reject {
        Reject::RateLimited => {
            let message = "rate limit exceeded: retry after 1 second";
            retry_after(Refusal::new(StatusCode::TOO_MANY_REQUESTS, message).into_response())
        }
        Reject::ServerError(status) => {
            let response = Refusal::new(status, "simulated server error").into_response();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                retry_after(response)
            } else {
                response
            }
        }
        Reject::Malformed(variant) => malformed(list, variant),
    }
}

/// Keeps the status and headers of a performed write, but breaks its body off midway.
async fn break_off(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, broken_body(bytes))
        }
        Err(_) => {
            Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "lost the answer body").into_response()
        }
    }
}
