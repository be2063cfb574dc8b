//! The vendor-neutral HTTP side of an injected fault: which paths are never faulted
//! (`/_sim/*`), the `Retry-After: 1` a refusal asks a client to wait, and a performed write's
//! answer broken off after its headers.
//!
//! The status and body of a refusal stay with each vendor, and so does deciding which
//! requests are writes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{Reject, broken_body};

/// Whether `path` is the simulator's own `/_sim` API, which is never faulted or counted.
pub(crate) fn is_introspection(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

/// Adds `Retry-After: 1` where `reject` asks the client to come back: a rate limit or a 503.
pub(crate) fn hint_retry(reject: Reject, mut response: Response) -> Response {
    let come_back = matches!(
        reject,
        Reject::RateLimited | Reject::ServerError(StatusCode::SERVICE_UNAVAILABLE)
    );
    if come_back {
        let one = HeaderValue::from_static("1");
        response.headers_mut().insert(header::RETRY_AFTER, one);
    }
    response
}

/// Keeps the status and headers of a performed write but breaks its body off midway; `lost`
/// answers instead when the body cannot be read.
pub(crate) async fn break_off(response: Response, lost: impl FnOnce() -> Response) -> Response {
    let (mut parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, broken_body(bytes))
        }
        Err(_) => lost(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sim_api_is_introspection() {
        assert!(is_introspection("/_sim"));
        assert!(is_introspection("/_sim/state"));
        assert!(!is_introspection("/_simulate"));
        assert!(!is_introspection("/v1/user"));
    }

    #[test]
    fn rate_limits_and_503s_ask_to_retry_after_a_second() {
        let retry_after = |reject| {
            let response = hint_retry(reject, Response::default());
            response.headers().get(header::RETRY_AFTER).cloned()
        };
        let one = Some(HeaderValue::from_static("1"));
        assert_eq!(retry_after(Reject::RateLimited), one);
        let unavailable = Reject::ServerError(StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(unavailable), one);
        let internal = Reject::ServerError(StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(retry_after(internal), None);
        assert_eq!(retry_after(Reject::Malformed(0)), None);
    }
}
