//! What a vendor call returns: [`Applied`] when it did not fail, [`ProviderError`] when it did.
//! Errors say whether retrying can help and whether a write may have happened.

/// How a write ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The vendor confirmed it.
    Confirmed,
    /// The vendor accepted it for later processing (e.g. asynchronous platforms); the next
    /// plan verifies it. The text says what is pending.
    Accepted(String),
}

/// Why a vendor call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The vendor answered with an error.
    #[error("{endpoint}: vendor answered {status}: {message}")]
    Vendor {
        endpoint: String,
        status: u16,
        message: String,
    },
    /// No usable answer came: connection refused or dropped, timeout.
    #[error("{endpoint}: {detail}")]
    Transport {
        endpoint: String,
        detail: String,
        /// The request may have reached the vendor.
        maybe_sent: bool,
    },
    /// An answer came that cannot be read (malformed, truncated, not the expected document).
    #[error("{endpoint}: unreadable answer: {detail}")]
    Malformed { endpoint: String, detail: String },
    /// The input cannot be sent as it is (e.g. an unknown group name).
    #[error("{0}")]
    Invalid(String),
    /// The vendor answered in full but part of the write failed (e.g. one of the
    /// vendor's platforms). The answer is not in doubt, so it is neither retried (a create would collide
    /// with itself) nor looked up; the next plan shows what took effect.
    #[error("{endpoint}: {message}")]
    Partial { endpoint: String, message: String },
    /// roster refused the answer: a redirect to another origin, an answer over the size cap.
    /// Trying again would get the same answer.
    #[error("{endpoint}: {detail}")]
    Refused { endpoint: String, detail: String },
    /// A stop was requested: waiting ended, or a request in flight was abandoned after its
    /// grace. `maybe_applied` says whether a write may have reached the vendor.
    #[error("{endpoint}: {detail}")]
    Stopped {
        endpoint: String,
        detail: String,
        maybe_applied: bool,
    },
}

impl ProviderError {
    /// Whether trying again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Vendor { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            ProviderError::Transport { .. } | ProviderError::Malformed { .. } => true,
            ProviderError::Invalid(_)
            | ProviderError::Partial { .. }
            | ProviderError::Refused { .. }
            | ProviderError::Stopped { .. } => false,
        }
    }

    /// Whether a write may have taken effect although it failed.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            ProviderError::Vendor { status, .. } => matches!(status, 500 | 502 | 504),
            ProviderError::Transport { maybe_sent, .. } => *maybe_sent,
            ProviderError::Malformed { .. } => true,
            // A stop is never followed by a look-up: nothing more is sent after it.
            ProviderError::Invalid(_)
            | ProviderError::Partial { .. }
            | ProviderError::Refused { .. }
            | ProviderError::Stopped { .. } => false,
        }
    }

    /// The same error, met after a write of the same change took effect: a stop then is no
    /// longer "nothing happened".
    pub(crate) fn after_write(self) -> Self {
        match self {
            ProviderError::Stopped {
                endpoint, detail, ..
            } => ProviderError::Stopped {
                endpoint,
                detail,
                maybe_applied: true,
            },
            other => other,
        }
    }

    /// The same error with `f` applied to every text that may hold vendor words (never the
    /// endpoint, which is roster's own).
    pub(crate) fn map_text(self, f: impl Fn(String) -> String) -> Self {
        match self {
            ProviderError::Vendor {
                endpoint,
                status,
                message,
            } => ProviderError::Vendor {
                endpoint,
                status,
                message: f(message),
            },
            ProviderError::Transport {
                endpoint,
                detail,
                maybe_sent,
            } => ProviderError::Transport {
                endpoint,
                detail: f(detail),
                maybe_sent,
            },
            ProviderError::Malformed { endpoint, detail } => ProviderError::Malformed {
                endpoint,
                detail: f(detail),
            },
            ProviderError::Invalid(text) => ProviderError::Invalid(f(text)),
            ProviderError::Partial { endpoint, message } => ProviderError::Partial {
                endpoint,
                message: f(message),
            },
            ProviderError::Refused { endpoint, detail } => ProviderError::Refused {
                endpoint,
                detail: f(detail),
            },
            ProviderError::Stopped {
                endpoint,
                detail,
                maybe_applied,
            } => ProviderError::Stopped {
                endpoint,
                detail: f(detail),
                maybe_applied,
            },
        }
    }
}
