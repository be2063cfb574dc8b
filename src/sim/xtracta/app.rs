//! The shared state of one running simulator: the world behind a lock, where it is saved,
//! the accepted key, the fault engine and the request counters.
//!
//! Every change to the world goes through [`App::write`], which saves before it commits, so
//! an answered write is on disk. It knows nothing of HTTP shapes or XML.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;

use super::introspect::RequestCounts;
use super::ops::WorldError;
use super::params::Refusal;
use super::world::World;
use super::xml::LoginToken;
use crate::sim::faults::{Faults, mix};
use crate::sim::store::Store;

#[derive(Debug)]
pub(crate) struct App {
    world: tokio::sync::Mutex<World>,
    store: Option<Store<World>>,
    api_key: String,
    pub(crate) faults: Faults,
    counts: Mutex<RequestCounts>,
    tokens_issued: AtomicU64,
}

impl App {
    pub(crate) fn new(
        world: World,
        store: Option<Store<World>>,
        api_key: String,
        faults: Faults,
    ) -> Self {
        Self {
            world: tokio::sync::Mutex::new(world),
            store,
            api_key,
            faults,
            counts: Mutex::new(RequestCounts::default()),
            tokens_issued: AtomicU64::new(0),
        }
    }

    /// Compares without stopping at the first differing byte.
    pub(crate) fn key_matches(&self, given: &str) -> bool {
        let (a, b) = (self.api_key.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    pub(crate) async fn read<T>(&self, look: impl FnOnce(&World) -> T) -> T {
        look(&*self.world.lock().await)
    }

    pub(crate) async fn snapshot(&self) -> World {
        self.world.lock().await.clone()
    }

    /// Applies `change` to a copy, saves the copy, then makes it the world: a refused or
    /// unsaved change leaves no trace. Without a state file nothing can fail to save, and
    /// every operation checks before it changes anything (`ops.rs`), so the change is made in
    /// place: copying a world of 100,000 users per write made the simulator, not the client,
    /// the bottleneck of the benchmark.
    pub(crate) async fn write<T>(
        &self,
        change: impl FnOnce(&mut World) -> Result<T, WorldError>,
    ) -> Result<T, Refusal> {
        let mut world = self.world.lock().await;
        if self.store.is_none() {
            return Ok(change(&mut world)?);
        }
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
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not save simulator state",
            )
        })
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

    pub(crate) fn record(&self, path: &str, status: StatusCode) {
        self.counts().record(path, status);
    }

    pub(crate) fn counts(&self) -> std::sync::MutexGuard<'_, RequestCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
