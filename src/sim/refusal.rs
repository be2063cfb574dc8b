//! A refused request as Xtracta's and learningCloud's errors carry one: an HTTP status and a
//! human message. How it is written on the wire (an XML or a JSON envelope) stays with each
//! vendor.
//!
//! It decides no status; handlers and world operations do.

use axum::http::StatusCode;

use super::kept::Unsaved;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
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
