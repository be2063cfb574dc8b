//! Middleware around every vendor API: counts each request under the key its vendor names,
//! and applies the injected faults (latency, rate limit, server errors, malformed answers,
//! and for writes answers broken off after the write took effect).
//!
//! `/_sim/*` passes through untouched. It decides nothing about the world; every answer it
//! makes up is shaped by the vendor.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::app::App;
use super::faults::{Reject, answer_at, break_off, is_introspection};
use super::vendor::{Call, Vendor};

pub(crate) async fn gate<V: Vendor>(
    State(app): State<Arc<App<V>>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_introspection(&path) {
        return next.run(request).await;
    }
    let call = Call::of::<V>(request.method(), &path);
    app.vendor.observe(&call, request.headers());
    let (verdict, due) = app.faults.arrive();
    let response = match verdict.reject {
        Some(reject) => app
            .faults
            .hint_retry(reject, refuse::<V>(&call.key, reject)),
        None => {
            let response = next.run(request).await;
            if verdict.ambiguous && call.write && response.status().is_success() {
                break_off_write::<V>(&call.key, response).await
            } else {
                response
            }
        }
    };
    let status = response.status();
    tracing::debug!(
        endpoint = call.key,
        status = status.as_u16(),
        ?verdict,
        "{} request",
        V::NAME
    );
    app.counts.record(&call.key, status);
    answer_at(due).await;
    response
}

fn refuse<V: Vendor>(key: &str, reject: Reject) -> Response {
    match reject {
        Reject::RateLimited => V::failure(
            key,
            StatusCode::TOO_MANY_REQUESTS,
            "rate limit exceeded: retry after 1 second",
        ),
        Reject::ServerError(status) => V::failure(key, status, "simulated server error"),
        Reject::Malformed(variant) => V::malformed(key, variant),
    }
}

/// Keeps the status and headers of a performed write but breaks its body off midway. A 204
/// has no body to break, so it answers 504 Gateway Timeout instead, as a proxy that gave up
/// waiting would.
async fn break_off_write<V: Vendor>(key: &str, response: Response) -> Response {
    if response.status() == StatusCode::NO_CONTENT {
        let message = "gave up waiting for the answer";
        return V::failure(key, StatusCode::GATEWAY_TIMEOUT, message);
    }
    let lost = || {
        V::failure(
            key,
            StatusCode::INTERNAL_SERVER_ERROR,
            "lost the answer body",
        )
    };
    break_off(response, lost).await
}
