//! Middleware around the vendor API: counts every request and applies injected faults
//! (latency, rate limit, server errors, malformed answers, connections dropped after a
//! committed write).
//!
//! `/_sim/*` passes through untouched. It decides nothing about the world itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::app::App;
use super::handlers::{refusal_reply, xml_reply};
use super::params::Refusal;
use super::xml::{self, Root};
use crate::sim::faults::{Reject, break_off, hint_retry, is_introspection};

/// Endpoints that change the world: the only ones an ambiguous fault applies to.
const WRITES: [&str; 4] = [
    "/v1/user/add",
    "/v1/user/update",
    "/v1/user/delete",
    "/v1/workflow/update",
];

pub(crate) async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_introspection(&path) {
        return next.run(request).await;
    }
    let verdict = app.faults.arrive().await;
    let root = Root::for_path(&path);
    let response = match verdict.reject {
        Some(reject) => refuse(root, reject),
        None => {
            let response = next.run(request).await;
            let breakable = WRITES.contains(&path.as_str()) && response.status() == StatusCode::OK;
            if verdict.ambiguous && breakable {
                let lost = || {
                    let message = "lost the answer body";
                    refusal_reply(
                        root,
                        &Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, message),
                    )
                };
                break_off(response, lost).await
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
    let response = match reject {
        Reject::RateLimited => {
            let message = "rate limit exceeded: retry after 1 second";
            let refusal = Refusal::new(StatusCode::TOO_MANY_REQUESTS, message);
            refusal_reply(root, &refusal)
        }
        Reject::ServerError(status) => {
            let refusal = Refusal::new(status, "simulated server error");
            refusal_reply(root, &refusal)
        }
        Reject::Malformed(variant) => xml_reply(StatusCode::OK, xml::malformed(root, variant)),
    };
    hint_retry(reject, response)
}
