//! The shared state of one running simulator: the world behind a lock, where it is saved, the
//! accepted client and its tokens, the deployment flavour, the fault engine and the request
//! counters.
//!
//! Every change to the world goes through [`App::write`], which saves before it commits, so
//! an answered write is on disk. It knows nothing of HTTP shapes or JSON.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::time::Instant;

use super::Deployment;
use super::auth::{Client, TokenError, TokenRequest, Tokens};
use super::introspect::RequestCounts;
use super::reply::Refusal;
use super::world::World;
use crate::sim::faults::Faults;
use crate::sim::store::Store;

/// What the simulator was told at start-up besides the world.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) client: Client,
    pub(crate) deployment: Deployment,
    pub(crate) token_ttl: Duration,
}

#[derive(Debug)]
pub(crate) struct App {
    world: tokio::sync::Mutex<World>,
    store: Option<Store<World>>,
    pub(crate) config: Config,
    pub(crate) faults: Faults,
    counts: Mutex<RequestCounts>,
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
    pub(crate) fn new(
        world: World,
        store: Option<Store<World>>,
        config: Config,
        faults: Faults,
    ) -> Self {
        Self {
            world: tokio::sync::Mutex::new(world),
            store,
            config,
            faults,
            counts: Mutex::new(RequestCounts::default()),
            tokens: Mutex::new(Tokens::default()),
        }
    }

    pub(crate) async fn read<T>(&self, look: impl FnOnce(&World) -> T) -> T {
        look(&*self.world.lock().await)
    }

    pub(crate) async fn snapshot(&self) -> World {
        self.world.lock().await.clone()
    }

    /// Applies `change` to a copy, saves the copy, then makes it the world: a refused or
    /// unsaved change leaves no trace.
    pub(crate) async fn write<T>(
        &self,
        change: impl FnOnce(&mut World) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut world = self.world.lock().await;
        let mut next = world.clone();
        let out = change(&mut next)?;
        self.save(&next).await?;
        *world = next;
        Ok(out)
    }

    pub(crate) async fn replace(&self, next: World) -> Result<(), Refusal> {
        let mut world = self.world.lock().await;
        self.save(&next).await?;
        *world = next;
        Ok(())
    }

    async fn save(&self, world: &World) -> Result<(), Refusal> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        store.save(world).await.map_err(|err| {
            tracing::error!(error = format!("{err:#}"), "could not save simulator state");
            Refusal::Status(StatusCode::INTERNAL_SERVER_ERROR)
        })
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

    pub(crate) fn counts(&self) -> MutexGuard<'_, RequestCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
