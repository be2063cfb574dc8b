//! The vendor-neutral HTTP side of an injected fault: which paths are never faulted
//! (`/_sim/*`), the `Retry-After` a refusal asks a client to wait (one second, or an HTTP
//! date that far away), and a performed write's answer broken off after its headers.
//!
//! The status and body of a refusal stay with each vendor, and so does deciding which
//! requests are writes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{Reject, broken_body};

/// Whether `path` is the simulator's own `/_sim` API, which is never faulted or counted.
pub(crate) fn is_introspection(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

/// How a refusal says when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryAfter {
    /// `Retry-After: 1`.
    Seconds,
    /// An HTTP date (IMF-fixdate) at the first whole second at least one second after this
    /// instant, so that a client which honours it waits a second or more.
    Date(SystemTime),
}

impl RetryAfter {
    fn value(self) -> HeaderValue {
        let RetryAfter::Date(now) = self else {
            return HeaderValue::from_static("1");
        };
        let due = (now + Duration::from_secs(1))
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let seconds = due.as_secs() + u64::from(due.subsec_nanos() > 0);
        let date = i64::try_from(seconds)
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .unwrap_or_default();
        let text = date.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("1"))
    }
}

/// Adds a `Retry-After` where `reject` asks the client to come back: a rate limit or a 503.
pub(crate) fn hint_retry(reject: Reject, mut response: Response, when: RetryAfter) -> Response {
    let come_back = matches!(
        reject,
        Reject::RateLimited | Reject::ServerError(StatusCode::SERVICE_UNAVAILABLE)
    );
    if come_back {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, when.value());
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
            let response = hint_retry(reject, Response::default(), RetryAfter::Seconds);
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

    #[test]
    fn retry_after_as_a_date_is_the_next_whole_second_a_second_away() {
        let date = |millis: u64| {
            let now = UNIX_EPOCH + Duration::from_millis(1_704_067_200_000 + millis);
            let response = hint_retry(
                Reject::RateLimited,
                Response::default(),
                RetryAfter::Date(now),
            );
            response.headers()[header::RETRY_AFTER].clone()
        };
        assert_eq!(date(0), "Mon, 01 Jan 2024 00:00:01 GMT");
        assert_eq!(date(1), "Mon, 01 Jan 2024 00:00:02 GMT");
        assert_eq!(date(999), "Mon, 01 Jan 2024 00:00:02 GMT");
    }
}
