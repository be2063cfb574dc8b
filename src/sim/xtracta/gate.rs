//! Middleware around the vendor API: counts every request and applies injected faults
//! (latency, rate limit, server errors, malformed answers, connections dropped after a
//! committed write).
//!
//! `/_sim/*` passes through untouched. It decides nothing about the world itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::app::App;
use super::handlers::{refusal_reply, xml_reply};
use super::params::Refusal;
use super::xml::{self, Root};
use crate::sim::faults::{Reject, broken_body};

/// Endpoints that change the world: the only ones an ambiguous fault applies to.
const WRITES: [&str; 4] = [
    "/v1/user/add",
    "/v1/user/update",
    "/v1/user/delete",
    "/v1/workflow/update",
];

pub(crate) async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/_sim" || path.starts_with("/_sim/") {
        return next.run(request).await;
    }
    let verdict = app.faults.judge();
    if !verdict.latency.is_zero() {
        tokio::time::sleep(verdict.latency).await;
    }
    let root = Root::for_path(&path);
    let response = match verdict.reject {
        Some(reject) => refuse(root, reject),
        None => {
            let response = next.run(request).await;
            let breakable = WRITES.contains(&path.as_str()) && response.status() == StatusCode::OK;
            if verdict.ambiguous && breakable {
                break_off(root, response).await
            } else {
                response
            }
        }
    };
    let status = response.status();
    tracing::debug!(path, status = status.as_u16(), ?verdict, "xtracta request");
    app.counts.record(&path, status);
    response
}

fn refuse(root: Root, reject: Reject) -> Response {
    let retry_after = |mut response: Response| {
        let one = HeaderValue::from_static("1");
        response.headers_mut().insert(header::RETRY_AFTER, one);
        response
    };
    match reject {
        Reject::RateLimited => {
            let message = "rate limit exceeded: retry after 1 second";
            let refusal = Refusal::new(StatusCode::TOO_MANY_REQUESTS, message);
            retry_after(refusal_reply(root, &refusal))
        }
        Reject::ServerError(status) => {
            let refusal = Refusal::new(status, "simulated server error");
            let response = refusal_reply(root, &refusal);
            if status == StatusCode::SERVICE_UNAVAILABLE {
                retry_after(response)
            } else {
                response
            }
        }
        Reject::Malformed(variant) => xml_reply(StatusCode::OK, xml::malformed(root, variant)),
    }
}

/// Keeps the status and headers of a performed write, but breaks its body off midway.
async fn break_off(root: Root, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, broken_body(bytes))
        }
        Err(_) => {
            let refusal = Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "lost the answer body");
            refusal_reply(root, &refusal)
        }
    }
}
