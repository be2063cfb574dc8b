//! Why one target could not be planned or applied, as a typed value: the target, its vendor's
//! host and port, what roster was doing, the kind of failure and the vendor's own message.
//! A failed target never stops the others; the commands render these values (human blocks,
//! JSON `error` objects) and the daemon counts them.
//!
//! Only builds values from errors that are already safe to show (the transport masks secrets
//! and strips control characters); never logs, never renders.

use serde::Serialize;

use crate::config::Target;
use crate::coordination::CoordinationError;
use crate::plan::GuardTrip;
use crate::vendor::ProviderError;

/// What kind of failure, for scripts that branch on it (`error.kind` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No usable answer: connection refused, TLS failure, timeout, dropped connection.
    Unreachable,
    /// The vendor refused the credentials (401 or 403).
    Auth,
    /// The vendor answered with another error status.
    Vendor,
    /// An answer that cannot be read (malformed, truncated, not the expected document).
    Malformed,
    /// roster refused the answer (a redirect to another origin, an answer over the size cap).
    Refused,
    /// The request could not be sent as it is.
    Invalid,
    /// A stop (SIGINT, SIGTERM) was requested.
    Stopped,
    /// The manifests do not fit the vendor's account (e.g. a group that does not exist).
    Check,
    /// A mass-change guard refused the plan (`apply` without `--allow-mass-delete`).
    Guard,
    /// Another roster process holds the target, or its lock cannot be taken.
    Lock,
    /// The client could not be built (e.g. a credential could not be read).
    Setup,
}

/// What roster was doing when the target failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Lock,
    Connect,
    Fetch,
    Check,
    Guard,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Lock => "lock",
            Stage::Connect => "connect",
            Stage::Fetch => "fetch users",
            Stage::Check => "check the manifests",
            Stage::Guard => "guard",
        }
    }
}

/// The error of one failed target (`error` in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TargetError {
    pub kind: ErrorKind,
    pub stage: Stage,
    /// The vendor endpoint that failed, when a request did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The target URL's host and port (the scheme's default when the URL names none).
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The HTTP status the vendor answered, when it answered one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// One line: the vendor's own message where there is one; never a secret.
    pub message: String,
}

/// A target that failed, named with its vendor and host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Failure {
    pub target: String,
    pub provider: String,
    /// `host[:port]` as plan headers show it.
    pub host: Option<String>,
    pub error: TargetError,
}

impl Failure {
    fn new(target: &Target, stage: Stage, kind: ErrorKind, message: String) -> Self {
        Failure {
            target: target.name.clone(),
            provider: target.provider().to_string(),
            host: crate::render::host_label(&target.url),
            error: TargetError {
                kind,
                stage,
                endpoint: None,
                host: target.url.host_str().map(str::to_string),
                port: target.url.port_or_known_default(),
                status: None,
                message: one_line(&message),
            },
        }
    }

    /// A vendor call that failed while fetching (or connecting).
    pub fn vendor(target: &Target, stage: Stage, e: &ProviderError) -> Self {
        let (kind, endpoint, status) = match e {
            ProviderError::Vendor {
                endpoint, status, ..
            } if matches!(status, 401 | 403) => (ErrorKind::Auth, Some(endpoint), Some(*status)),
            ProviderError::Vendor {
                endpoint, status, ..
            } => (ErrorKind::Vendor, Some(endpoint), Some(*status)),
            ProviderError::Transport { endpoint, .. } => {
                (ErrorKind::Unreachable, Some(endpoint), None)
            }
            ProviderError::Malformed { endpoint, .. } => {
                (ErrorKind::Malformed, Some(endpoint), None)
            }
            ProviderError::Partial { endpoint, .. } => (ErrorKind::Vendor, Some(endpoint), None),
            ProviderError::Refused { endpoint, .. } => (ErrorKind::Refused, Some(endpoint), None),
            ProviderError::Stopped { endpoint, .. } => (ErrorKind::Stopped, Some(endpoint), None),
            ProviderError::Invalid(_) => (ErrorKind::Invalid, None, None),
        };
        let text = e.to_string();
        let message = match endpoint {
            Some(ep) => text
                .strip_prefix(&format!("{ep}: "))
                .unwrap_or(&text)
                .to_string(),
            None => text,
        };
        let mut f = Failure::new(target, stage, kind, message);
        f.error.endpoint = endpoint.cloned();
        f.error.status = status;
        f
    }

    /// The client could not be built.
    pub fn setup(target: &Target, e: &anyhow::Error) -> Self {
        Failure::new(target, Stage::Connect, ErrorKind::Setup, format!("{e:#}"))
    }

    /// The manifests do not fit the vendor's account; each problem names its manifest place.
    pub fn check(target: &Target, problems: &[crate::diag::Problem]) -> Self {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let message = format!(
            "the manifests do not fit the vendor's account: {}",
            list.join("; ")
        );
        Failure::new(target, Stage::Check, ErrorKind::Check, message)
    }

    /// A mass-change guard refused the target's plan.
    pub fn guard(target: &Target, trip: &GuardTrip) -> Self {
        Failure::new(target, Stage::Guard, ErrorKind::Guard, trip.to_string())
    }

    /// The target's lock could not be taken.
    pub fn lock(target: &Target, e: &CoordinationError) -> Self {
        Failure::new(target, Stage::Lock, ErrorKind::Lock, e.to_string())
    }

    /// The permit to write was refused (ownership lost or unproven) before the apply began.
    pub fn denied(target: &Target, e: &crate::coordination::Denied) -> Self {
        Failure::new(target, Stage::Lock, ErrorKind::Lock, e.to_string())
    }

    /// `host:port` of the vendor, for messages.
    pub fn host_port(&self) -> String {
        match (&self.error.host, self.error.port) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.clone(),
            _ => "no host".to_string(),
        }
    }

    /// What failed, for the target's block: `fetch users: /v1/user: connection failed`.
    pub fn what(&self) -> String {
        let e = &self.error;
        match (e.stage, &e.endpoint) {
            // These messages already say what happened.
            (Stage::Lock | Stage::Guard | Stage::Check, _) => e.message.clone(),
            (stage, Some(ep)) => format!("{}: {ep}: {}", stage.as_str(), e.message),
            (stage, None) => format!("{}: {}", stage.as_str(), e.message),
        }
    }
}

/// One line for stderr and logs: `fetch users of target dead: /v1/user: connection failed
/// (vendor at 127.0.0.1:9)`; lock and guard messages as those errors say them (they name the
/// target).
impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.error;
        let (t, at) = (&self.target, self.host_port());
        match (e.stage, &e.endpoint) {
            (Stage::Lock | Stage::Guard, _) => f.write_str(&e.message),
            (Stage::Fetch, Some(ep)) => write!(
                f,
                "fetch users of target {t}: {ep}: {} (vendor at {at})",
                e.message
            ),
            (Stage::Check, _) => write!(f, "target {t}: {} (vendor at {at})", e.message),
            _ => write!(f, "target {t}: {} (vendor at {at})", self.what()),
        }
    }
}

/// Messages are one line: JSON consumers and the one-line logs need no layout.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        let text = format!(
            "manifests: users\ntargets:\n{}",
            crate::vendor::sample_target("dead", url, 1)
        );
        let c = crate::config::from_text(&text, "roster.yaml", std::path::Path::new(".")).unwrap();
        c.targets["dead"].clone()
    }

    #[test]
    fn a_vendor_error_is_typed_with_host_port_and_the_vendors_message() {
        let t = target("http://127.0.0.1:9/v1");
        let f = Failure::vendor(
            &t,
            Stage::Fetch,
            &ProviderError::Vendor {
                endpoint: "/v1/user".into(),
                status: 401,
                message: "invalid api key".into(),
            },
        );
        assert_eq!(f.error.kind, ErrorKind::Auth);
        assert_eq!(f.error.status, Some(401));
        assert_eq!(f.error.endpoint.as_deref(), Some("/v1/user"));
        assert_eq!(
            (f.error.host.as_deref(), f.error.port),
            (Some("127.0.0.1"), Some(9))
        );
        assert_eq!(f.error.message, "vendor answered 401: invalid api key");
        assert_eq!(
            f.to_string(),
            "fetch users of target dead: /v1/user: vendor answered 401: invalid api key (vendor at 127.0.0.1:9)"
        );
        assert_eq!(
            f.what(),
            "fetch users: /v1/user: vendor answered 401: invalid api key"
        );
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["error"]["kind"], "auth");
        assert_eq!(json["error"]["port"], 9);
    }

    #[test]
    fn transport_and_malformed_answers_have_their_kinds_and_https_its_port() {
        let t = target("https://api.vendor.example/v1");
        let f = Failure::vendor(
            &t,
            Stage::Fetch,
            &ProviderError::Transport {
                endpoint: "/v1/user".into(),
                detail: "connection failed".into(),
                maybe_sent: false,
            },
        );
        assert_eq!(f.error.kind, ErrorKind::Unreachable);
        assert_eq!(f.host_port(), "api.vendor.example:443");
        assert_eq!(f.host.as_deref(), Some("api.vendor.example"));
        let f = Failure::vendor(
            &t,
            Stage::Fetch,
            &ProviderError::Malformed {
                endpoint: "/v1/user".into(),
                detail: "unexpected end".into(),
            },
        );
        assert_eq!(f.error.kind, ErrorKind::Malformed);
        assert_eq!(f.error.message, "unreadable answer: unexpected end");
    }

    #[test]
    fn lock_and_check_failures_read_as_one_line() {
        let t = target("https://api.vendor.example/v1");
        let held = CoordinationError::Held {
            target: "dead".into(),
            holder: crate::coordination::Holder {
                host: "h".into(),
                pid: "7".into(),
            },
        };
        let f = Failure::lock(&t, &held);
        assert_eq!(f.error.kind, ErrorKind::Lock);
        assert!(
            f.to_string()
                .starts_with("target dead is being applied by another roster process (pid 7 on h)")
        );
        let p = crate::diag::Problem::in_file("users/a.yaml", "group \"x\" does not exist\nat all");
        let f = Failure::check(&t, &[p]);
        assert!(!f.error.message.contains('\n'), "{}", f.error.message);
        assert!(f.to_string().starts_with(
            "target dead: the manifests do not fit the vendor's account: users/a.yaml:1:1: group"
        ));
    }
}
