//! UiPath's side of the shared skeleton: the settings and per-run state of one simulator
//! (the accepted client and its tokens, the deployment flavour, the rights it lacks), and how its requests are
//! counted (method and path template) and refused (ASP.NET `ProblemDetails`).
//!
//! It knows no world operation and no request body.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use tokio::time::Instant;

use super::Deployment;
use super::auth::{Client, TokenError, TokenRequest, Tokens};
use super::reply::{self, Refusal};
use super::world::World;
use crate::sim::lock::Locked;
use crate::sim::vendor::{Vendor, changes_world};

/// The state every handler reaches through `State`.
pub(crate) type App = crate::sim::app::App<UiPath>;

/// The key token requests are counted under; they are never left ambiguous, as a lost token
/// answer is only a failure.
const TOKEN_KEY: &str = "POST /connect/token";

/// What the simulator was told at start-up besides the world.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) client: Client,
    pub(crate) deployment: Deployment,
    pub(crate) token_ttl: Duration,
    /// Whether the client lacks the partition-administrator rights that group membership
    /// writes need.
    pub(crate) deny_partition_admin: bool,
}

#[derive(Debug)]
pub(crate) struct UiPath {
    pub(crate) config: Config,
    pub(crate) tokens: Locked<Tokens>,
}

/// A token handed out: the token, its scopes, and its lifetime in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) token: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_in: u64,
}

impl UiPath {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            tokens: Locked::default(),
        }
    }

    /// Decides a token request and, if it passes, issues a token.
    pub(crate) fn grant(&self, request: &TokenRequest<'_>) -> Result<Grant, TokenError> {
        let scopes = self.config.client.decide(request)?;
        let ttl = self.config.token_ttl;
        let token = self
            .tokens
            .lock()
            .issue(scopes.clone(), ttl, Instant::now());
        Ok(Grant {
            token,
            scopes,
            expires_in: ttl.as_secs(),
        })
    }
}

impl Vendor for UiPath {
    const NAME: &'static str = "uipath";
    type World = World;
    type Refusal = Refusal;

    /// Counted by its method and a path template with the organisation and ids left out,
    /// e.g. `PUT /api/User/{id}` or `POST /connect/token`.
    fn endpoint(method: &Method, path: &str) -> String {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let template = match segments.as_slice() {
            ["identity_", "connect", "token"] => "/connect/token",
            [_, "identity_", "api", rest @ ..] => match rest {
                ["User"] => "/api/User",
                ["User", "users", _] => "/api/User/users/{pgid}",
                ["User", _] => "/api/User/{id}",
                ["Group", _] => "/api/Group/{pgid}",
                _ => "(unknown)",
            },
            _ => "(unknown)",
        };
        format!("{method} {template}")
    }

    /// Every method but GET and HEAD writes, except a token request.
    fn writes(method: &Method, key: &str) -> bool {
        changes_world(method) && key != TOKEN_KEY
    }

    /// ASP.NET writes its own title for a status; the message is not shown.
    fn failure(_key: &str, status: StatusCode, _message: &str) -> Response {
        reply::problem(status, None)
    }

    fn malformed(_key: &str, variant: u64) -> Response {
        reply::malformed(variant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keys_leave_out_org_and_ids() {
        let pgid = "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11";
        let cases: [(Method, &str, &str); 8] = [
            (
                Method::POST,
                "/identity_/connect/token",
                "POST /connect/token",
            ),
            (
                Method::GET,
                &format!("/acme/identity_/api/User/users/{pgid}"),
                "GET /api/User/users/{pgid}",
            ),
            (
                Method::PUT,
                "/other/identity_/api/User/her-1909",
                "PUT /api/User/{id}",
            ),
            (Method::POST, "/acme/identity_/api/User", "POST /api/User"),
            (
                Method::DELETE,
                "/acme/identity_/api/User/",
                "DELETE /api/User",
            ),
            (
                Method::GET,
                &format!("/acme/identity_/api/Group/{pgid}"),
                "GET /api/Group/{pgid}",
            ),
            (Method::GET, "/acme/identity_/api/Robot/1", "GET (unknown)"),
            (Method::GET, "/", "GET (unknown)"),
        ];
        for (method, path, want) in cases {
            assert_eq!(UiPath::endpoint(&method, path), want);
        }
    }
}
