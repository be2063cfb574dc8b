//! The shared state of one running simulator: the world (kept by the shared
//! `crate::sim::kept`), the accepted client and its tokens, the deployment flavour, the fault
//! engine and the request counters.
//!
//! Every change to the world goes through `Kept::write`, which saves before it commits, so
//! an answered write is on disk. It knows nothing of HTTP shapes or JSON.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::Deployment;
use super::auth::{Client, TokenError, TokenRequest, Tokens};
use super::reply::Refusal;
use super::world::World;
use crate::sim::counts::Counter;
use crate::sim::faults::Faults;
use crate::sim::introspect::Introspect;
use crate::sim::kept::Kept;

/// What the simulator was told at start-up besides the world.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) client: Client,
    pub(crate) deployment: Deployment,
    pub(crate) token_ttl: Duration,
}

#[derive(Debug)]
pub(crate) struct App {
    pub(crate) world: Kept<World, Refusal>,
    pub(crate) config: Config,
    pub(crate) faults: Faults,
    pub(crate) counts: Counter,
    tokens: Mutex<Tokens>,
}

/// A token handed out: the token, its scopes, and its lifetime in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) token: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_in: u64,
}

impl App {
    pub(crate) fn new(world: Kept<World, Refusal>, config: Config, faults: Faults) -> Self {
        Self {
            world,
            config,
            faults,
            counts: Counter::default(),
            tokens: Mutex::new(Tokens::default()),
        }
    }

    /// Decides a token request and, if it passes, issues a token.
    pub(crate) fn grant(&self, request: &TokenRequest<'_>) -> Result<Grant, TokenError> {
        let scopes = self.config.client.decide(request)?;
        let ttl = self.config.token_ttl;
        let token = self.tokens().issue(scopes.clone(), ttl, Instant::now());
        Ok(Grant {
            token,
            scopes,
            expires_in: ttl.as_secs(),
        })
    }

    pub(crate) fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
