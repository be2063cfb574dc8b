//! SCIM's side of the shared skeleton: the settings of one simulator (the accepted token and
//! the quirks it plays: no PATCH, no filters, a small `maxResults`, no discovery, groups
//! listed without members, `If-Match` required, PascalCase names, booleans and statuses
//! spelt otherwise), the requests it logged for `GET /_sim/log`, and how its requests are
//! counted (method and path template) and refused (SCIM's error message).
//!
//! It knows no world operation and no request body.

use std::collections::VecDeque;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::error::{self, Refusal};
use super::render::Style;
use super::world::World;
use crate::sim::lock::Locked;
use crate::sim::secret;
use crate::sim::vendor::{Vendor, changes_world};

/// The state every handler reaches through `State`.
pub(crate) type App = crate::sim::app::App<Scim>;

/// Where the service lives below the host.
pub(crate) const BASE: &str = "/scim/v2";

/// How many requests `GET /_sim/log` remembers.
const KEPT: usize = 500;

/// What the simulator was told at start-up besides the world.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) token: String,
    pub(crate) patch: bool,
    pub(crate) filter: bool,
    pub(crate) max_results: usize,
    pub(crate) discovery: bool,
    pub(crate) members_in_lists: bool,
    /// Lists answer `max_results` resources whatever `count` asks.
    pub(crate) ignore_count: bool,
    pub(crate) require_if_match: bool,
    pub(crate) numeric_status: bool,
    pub(crate) style: Style,
}

/// One request as the simulator received it: every write, and every list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Logged {
    pub(crate) endpoint: String,
    /// The query string, as sent.
    pub(crate) query: Option<String>,
    pub(crate) if_match: Option<String>,
    pub(crate) body: serde_json::Value,
}

#[derive(Debug)]
pub(crate) struct Scim {
    pub(crate) config: Config,
    pub(crate) log: Locked<VecDeque<Logged>>,
}

impl Scim {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            log: Locked::default(),
        }
    }

    pub(crate) fn token_matches(&self, given: &str) -> bool {
        secret::matches(&self.config.token, given)
    }

    pub(crate) fn record(&self, entry: Logged) {
        let mut log = self.log.lock();
        if log.len() == KEPT {
            log.pop_front();
        }
        log.push_back(entry);
    }

    /// A refusal in this simulator's spelling.
    pub(crate) fn refuse(&self, r: &Refusal) -> Response {
        let body = super::render::styled(
            error::body(r, self.config.numeric_status),
            self.config.style,
        );
        error::challenge(r.status, error::reply(r.status, &body))
    }
}

impl Vendor for Scim {
    const NAME: &'static str = "scim";
    type World = World;
    type Refusal = Refusal;

    /// Counted by its method and a path template below the base with ids left out, e.g.
    /// `PATCH /Groups/{id}`.
    fn endpoint(method: &Method, path: &str) -> String {
        let rest = path.strip_prefix(BASE).unwrap_or("(unknown)");
        let segments: Vec<&str> = rest.trim_end_matches('/').split('/').skip(1).collect();
        let template = match segments.as_slice() {
            [".search"] => "/.search".to_string(),
            [r @ ("Users" | "Groups")] => format!("/{r}"),
            [r @ ("Users" | "Groups"), ".search"] => format!("/{r}/.search"),
            [r @ ("Users" | "Groups"), _] => format!("/{r}/{{id}}"),
            [r @ ("ServiceProviderConfig" | "Schemas" | "ResourceTypes")] => format!("/{r}"),
            [r @ ("Schemas" | "ResourceTypes"), _] => format!("/{r}/{{id}}"),
            _ => "(unknown)".to_string(),
        };
        format!("{method} {template}")
    }

    /// Every method but GET and HEAD writes, except a search.
    fn writes(method: &Method, key: &str) -> bool {
        changes_world(method) && !key.ends_with(".search")
    }

    fn failure(_key: &str, status: StatusCode, message: &str) -> Response {
        error::refused(&Refusal::new(status, message))
    }

    fn malformed(_key: &str, variant: u64) -> Response {
        error::malformed(variant)
    }

    /// The log is forgotten with the counts.
    fn forget_requests(&self) {
        self.log.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keys_leave_out_ids() {
        let cases = [
            ("GET /scim/v2/Users", "GET /Users"),
            ("PATCH /scim/v2/Groups/abc", "PATCH /Groups/{id}"),
            ("POST /scim/v2/Users/.search", "POST /Users/.search"),
            (
                "GET /scim/v2/ServiceProviderConfig",
                "GET /ServiceProviderConfig",
            ),
            ("GET /scim/v2/Schemas/urn:x", "GET /Schemas/{id}"),
            ("GET /other", "GET (unknown)"),
            ("GET /scim/v2/Robots", "GET (unknown)"),
        ];
        for (request, want) in cases {
            let (method, path) = request.split_once(' ').unwrap();
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            assert_eq!(Scim::endpoint(&method, path), want, "{request}");
        }
    }
}
