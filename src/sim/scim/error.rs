//! SCIM's error answers (RFC 7644 §3.12): the `Error` message with `status` (a string, or a
//! number as some servers send it), `scimType` when one applies, and `detail`; and the broken
//! bodies of injected malformed answers.
//!
//! Shapes JSON only; it decides no status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::sim::kept::Unsaved;

pub(crate) const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub(crate) const MEDIA_TYPE: &str = "application/scim+json";

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) scim_type: Option<&'static str>,
    pub(crate) detail: String,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type: None,
            detail: detail.into(),
        }
    }

    /// A 400 with a `scimType`.
    pub(crate) fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self {
            scim_type: Some(scim_type),
            ..Self::new(StatusCode::BAD_REQUEST, detail)
        }
    }

    pub(crate) fn typed(mut self, scim_type: &'static str) -> Self {
        self.scim_type = Some(scim_type);
        self
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} {id} not found"))
    }
}

/// The state file could not be written: a 500, the change not made.
impl From<Unsaved> for Refusal {
    fn from(Unsaved: Unsaved) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not save simulator state",
        )
    }
}

/// The error message of `refusal`; its status a number when `numeric`.
pub(crate) fn body(refusal: &Refusal, numeric: bool) -> serde_json::Value {
    let status = refusal.status.as_u16();
    let mut b = json!({
        "schemas": [ERROR_URN],
        "status": if numeric { json!(status) } else { json!(status.to_string()) },
        "detail": refusal.detail,
    });
    if let Some(t) = refusal.scim_type {
        b["scimType"] = json!(t);
    }
    b
}

/// A JSON answer with SCIM's media type.
pub(crate) fn reply(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    r
}

/// A refusal answered with a string status.
pub(crate) fn refused(refusal: &Refusal) -> Response {
    challenge(refusal.status, reply(refusal.status, &body(refusal, false)))
}

/// A 401 says how to authenticate.
pub(crate) fn challenge(status: StatusCode, mut r: Response) -> Response {
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scim\""),
        );
    }
    r
}

/// A 200 whose body is not what it should be; `variant` picks the breakage.
pub(crate) fn malformed(variant: u64) -> Response {
    let text = match variant % 4 {
        0 => r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":"#,
        1 => "<html><body>Service Unavailable</body></html>",
        2 => "",
        _ => "[]",
    };
    let mut r = (StatusCode::OK, text.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_as_a_string_or_a_number() {
        let r = Refusal::bad("uniqueness", "userName ana is taken");
        assert_eq!(
            body(&r, false),
            json!({"schemas": [ERROR_URN], "status": "400", "scimType": "uniqueness", "detail": "userName ana is taken"})
        );
        assert_eq!(body(&r, true)["status"], 400);
    }
}
