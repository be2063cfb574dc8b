//! Xtracta's side of the shared skeleton: the settings and per-run state of one simulator
//! (the accepted key, the key's own group and the login-token sequence), and how its requests are counted (by
//! path) and refused (the XML envelope).
//!
//! It knows no world operation and no form parameter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{Method, StatusCode};
use axum::response::Response;

use super::handlers::{refusal_reply, xml_reply};
use super::params::Refusal;
use super::world::World;
use super::xml::{self, LoginToken, Root};
use crate::sim::faults::mix;
use crate::sim::secret;
use crate::sim::vendor::Vendor;

/// The state every handler reaches through `State`.
pub(crate) type App = crate::sim::app::App<Xtracta>;

/// Endpoints that change the world: the only ones an ambiguous fault applies to.
const WRITES: [&str; 4] = [
    "/v1/user/add",
    "/v1/user/update",
    "/v1/user/delete",
    "/v1/workflow/update",
];

#[derive(Debug)]
pub(crate) struct Xtracta {
    api_key: String,
    /// The API key's own group, when the simulator is told it (`--key-group`).
    pub(crate) key_group: Option<u64>,
    tokens_issued: AtomicU64,
}

impl Xtracta {
    pub(crate) fn new(api_key: String, key_group: Option<u64>) -> Self {
        Self {
            api_key,
            key_group,
            tokens_issued: AtomicU64::new(0),
        }
    }

    pub(crate) fn key_matches(&self, given: &str) -> bool {
        secret::matches(&self.api_key, given)
    }

    /// A fresh, deterministic login token for a new user.
    pub(crate) fn login_token(&self, user_id: u64, seconds: u64) -> LoginToken {
        let n = self.tokens_issued.fetch_add(1, Ordering::Relaxed);
        let token = format!("{:016x}{:016x}", mix(user_id ^ n.rotate_left(32)), mix(n));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        LoginToken {
            qrcode: format!("https://qrcode.sim.invalid/{token}.png"),
            token,
            expire: now + seconds,
        }
    }
}

impl Vendor for Xtracta {
    const NAME: &'static str = "xtracta";
    type World = World;
    type Refusal = Refusal;

    /// Counted by path, as the form API has one method.
    fn endpoint(_method: &Method, path: &str) -> String {
        path.to_owned()
    }

    fn writes(_method: &Method, key: &str) -> bool {
        WRITES.contains(&key)
    }

    fn failure(key: &str, status: StatusCode, message: &str) -> Response {
        refusal_reply(Root::for_path(key), &Refusal::new(status, message))
    }

    fn malformed(key: &str, variant: u64) -> Response {
        xml_reply(StatusCode::OK, xml::malformed(Root::for_path(key), variant))
    }
}
