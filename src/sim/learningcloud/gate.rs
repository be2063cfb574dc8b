//! Middleware around the vendor API: counts every request, remembers its headers, and
//! applies injected faults (latency, rate limit, server errors, malformed answers,
//! connections dropped after a committed write).
//!
//! `/_sim/*` passes through untouched. It decides nothing about the world itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::app::App;
use super::envelope::{Refusal, malformed};
use super::introspect::endpoint_key;
use crate::sim::faults::{Reject, break_off, hint_retry, is_introspection};

pub(crate) async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_introspection(&path) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let endpoint = endpoint_key(&method, &path);
    // Every method but GET and HEAD changes the world when it succeeds.
    let write = !matches!(method, Method::GET | Method::HEAD);
    app.headers().record(&endpoint, write, request.headers());
    let verdict = app.faults.arrive().await;
    let response = match verdict.reject {
        Some(reject) => refuse(endpoint == "GET /users", reject),
        None => {
            let response = next.run(request).await;
            if verdict.ambiguous && write && response.status() == StatusCode::OK {
                let lost = || {
                    let message = "lost the answer body";
                    Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
                };
                break_off(response, lost).await
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
    let response = match reject {
        Reject::RateLimited => {
            let message = "rate limit exceeded: retry after 1 second";
            Refusal::new(StatusCode::TOO_MANY_REQUESTS, message).into_response()
        }
        Reject::ServerError(status) => {
            Refusal::new(status, "simulated server error").into_response()
        }
        Reject::Malformed(variant) => malformed(list, variant),
    };
    hint_retry(reject, response)
}
