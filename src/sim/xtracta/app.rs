//! The shared state of one running simulator: the world (kept by the shared
//! `crate::sim::kept`), the accepted key, the fault engine, the request counters and the
//! login-token sequence.
//!
//! Every change to the world goes through `Kept::write`, which saves before it commits, so
//! an answered write is on disk. It knows nothing of HTTP shapes or XML.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::params::Refusal;
use super::world::World;
use super::xml::LoginToken;
use crate::sim::counts::Counter;
use crate::sim::faults::{Faults, mix};
use crate::sim::introspect::Introspect;
use crate::sim::kept::Kept;
use crate::sim::secret;

#[derive(Debug)]
pub(crate) struct App {
    pub(crate) world: Kept<World, Refusal>,
    api_key: String,
    pub(crate) faults: Faults,
    pub(crate) counts: Counter,
    tokens_issued: AtomicU64,
}

impl App {
    pub(crate) fn new(world: Kept<World, Refusal>, api_key: String, faults: Faults) -> Self {
        Self {
            world,
            api_key,
            faults,
            counts: Counter::default(),
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

impl Introspect for App {
    type World = World;
    type Refusal = Refusal;

    fn kept(&self) -> &Kept<World, Refusal> {
        &self.world
    }

    fn counter(&self) -> &Counter {
        &self.counts
    }
}
