//! The shared state of one running simulator: the world behind a lock, where it is saved,
//! the accepted token, the failing platform, the fault engine, the request counts and the
//! last headers seen.
//!
//! Every change to the world goes through [`App::write`], which saves before it commits, so
//! an answered write is on disk. It knows nothing of HTTP shapes or JSON.

use std::sync::{Mutex, MutexGuard};

use axum::http::StatusCode;

use super::envelope::{Envelope, Platform, Refusal, SyncMode, write_envelope};
use super::introspect::{RequestCounts, SeenHeaders};
use super::ops::WorldError;
use super::world::World;
use crate::sim::faults::Faults;
use crate::sim::store::Store;

#[derive(Debug)]
pub(crate) struct App {
    world: tokio::sync::Mutex<World>,
    store: Option<Store<World>>,
    token: String,
    platform_fail: Option<Platform>,
    pub(crate) faults: Faults,
    counts: Mutex<RequestCounts>,
    headers: Mutex<SeenHeaders>,
}

impl App {
    pub(crate) fn new(
        world: World,
        store: Option<Store<World>>,
        token: String,
        platform_fail: Option<Platform>,
        faults: Faults,
    ) -> Self {
        Self {
            world: tokio::sync::Mutex::new(world),
            store,
            token,
            platform_fail,
            faults,
            counts: Mutex::new(RequestCounts::default()),
            headers: Mutex::new(SeenHeaders::default()),
        }
    }

    /// Compares without stopping at the first differing byte.
    pub(crate) fn token_matches(&self, given: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The envelope of a performed write, with the configured platform failure if any.
    pub(crate) fn written(&self, mode: SyncMode, location: Option<String>) -> Envelope {
        write_envelope(mode, self.platform_fail, location)
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
        change: impl FnOnce(&mut World) -> Result<T, WorldError>,
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
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not save simulator state",
            )
        })
    }

    pub(crate) fn counts(&self) -> MutexGuard<'_, RequestCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn headers(&self) -> MutexGuard<'_, SeenHeaders> {
        self.headers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
