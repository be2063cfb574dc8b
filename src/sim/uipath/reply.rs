//! How the simulator answers: JSON with the right content types, and every kind of refusal
//! (validation, not-found and missing-rights `ProblemDetails`, `IdentityResult` failures, bare
//! 401 and 403)
//! as one [`Refusal`] type. Also the broken answers of the `malformed` fault.
//!
//! It decides nothing; handlers and the gate choose what to answer.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::auth::BearerError;
use super::ops::{IdentityError, OpError};
use super::wire::{IdentityResult, ProblemDetails};
use crate::sim::kept::Unsaved;

const JSON: &str = "application/json; charset=utf-8";
const PROBLEM_JSON: &str = "application/problem+json; charset=utf-8";

/// `value` as JSON with `status`.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, JSON)], body).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "could not serialise an answer");
            problem(StatusCode::INTERNAL_SERVER_ERROR, None)
        }
    }
}

/// A `ProblemDetails` answer.
pub(crate) fn problem(
    status: StatusCode,
    errors: Option<BTreeMap<String, Vec<String>>>,
) -> Response {
    send_problem(status, &ProblemDetails::new(status.as_u16(), errors))
}

/// A `ProblemDetails` answer with a `detail` saying why.
pub(crate) fn problem_saying(status: StatusCode, detail: &str) -> Response {
    let body = ProblemDetails::new(status.as_u16(), None).with_detail(detail);
    send_problem(status, &body)
}

fn send_problem(status: StatusCode, body: &ProblemDetails) -> Response {
    let body = serde_json::to_vec(body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response()
}

/// A request the simulator refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 400 `ProblemDetails` with `errors` keyed by field path.
    Invalid(BTreeMap<String, Vec<String>>),
    /// 400 `IdentityResult` with `succeeded: false`.
    Identity(Vec<IdentityError>),
    /// 401, empty, with a `WWW-Authenticate` challenge.
    Unauthorized(BearerError),
    /// 403, empty: the token lacks the scope.
    Forbidden,
    /// 403 `ProblemDetails` saying why: the client lacks partition-administrator rights.
    NotPartitionAdmin(&'static str),
    /// Any other status, as a `ProblemDetails` without `errors`.
    Status(StatusCode),
}

impl Refusal {
    /// A validation problem about one field.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(BTreeMap::from([(field.to_owned(), vec![message.into()])]))
    }

    /// ASP.NET's message for a value that does not bind (`The value 'X' is not valid.`).
    pub(crate) fn not_valid(field: &str, value: &str) -> Self {
        Self::invalid(field, format!("The value '{value}' is not valid."))
    }

    pub(crate) fn not_found() -> Self {
        Self::Status(StatusCode::NOT_FOUND)
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) | Self::Identity(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::NotPartitionAdmin(_) => StatusCode::FORBIDDEN,
            Self::Status(status) => *status,
        }
    }
}

/// The state file could not be written: a 500, the change not made.
impl From<Unsaved> for Refusal {
    fn from(Unsaved: Unsaved) -> Self {
        Self::Status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<OpError> for Refusal {
    fn from(err: OpError) -> Self {
        match err {
            OpError::UserNotFound(_) => Self::not_found(),
            OpError::Refused(errors) => Self::Identity(errors),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Self::Invalid(errors) => problem(status, Some(errors)),
            Self::Identity(errors) => json(status, &IdentityResult::failure(&errors)),
            Self::Unauthorized(why) => {
                let challenge = match why {
                    BearerError::Expired => {
                        r#"Bearer error="invalid_token", error_description="The token expired""#
                    }
                    BearerError::Missing | BearerError::Unknown => {
                        r#"Bearer error="invalid_token""#
                    }
                };
                let challenge = HeaderValue::from_static(challenge);
                (status, [(header::WWW_AUTHENTICATE, challenge)]).into_response()
            }
            Self::Forbidden => status.into_response(),
            Self::NotPartitionAdmin(why) => problem_saying(status, why),
            Self::Status(status) => problem(status, None),
        }
    }
}

/// A 200 answer that is not what was asked for: cut-off JSON, or an HTML page (with an HTML
/// or, lying, a JSON content type). `variant` picks which.
pub(crate) fn malformed(variant: u64) -> Response {
    const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>UiPath</title></head>\
        <body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>\n";
    let (content_type, body) = match variant % 3 {
        0 => (
            JSON,
            r#"{"totalCount":3,"results":[{"id":"8c1f0b2e-4d5a-4e6f"#,
        ),
        1 => ("text/html; charset=utf-8", PAGE),
        _ => (JSON, "<html><body><h1>502 Bad Gateway</h1></body></html>\n"),
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_is_empty_with_a_challenge() {
        let response = Refusal::Unauthorized(BearerError::Unknown).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            r#"Bearer error="invalid_token""#
        );
        assert!(response.headers().get(header::CONTENT_TYPE).is_none());
        let forbidden = Refusal::Forbidden.into_response();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn malformed_answers_are_ok_but_not_json() {
        let mut content_types = Vec::new();
        for variant in 0..3 {
            let response = malformed(variant);
            assert_eq!(response.status(), StatusCode::OK);
            content_types.push(response.headers()[header::CONTENT_TYPE].clone());
            let body = axum::body::to_bytes(response.into_body(), usize::MAX);
            let body = body.await.unwrap();
            assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
        }
        assert_eq!(content_types[0], JSON);
        assert_eq!(content_types[1], "text/html; charset=utf-8");
        assert_eq!(
            content_types[2], JSON,
            "an HTML page that claims to be JSON"
        );
    }
}
