//! The shared state of one running simulator: the world (kept by the shared
//! `crate::sim::kept`), the accepted token, the failing platform, the fault engine, the
//! request counts and the last headers seen.
//!
//! Every change to the world goes through `Kept::write`, which saves before it commits, so
//! an answered write is on disk. It knows nothing of HTTP shapes or JSON.

use std::sync::{Mutex, MutexGuard};

use super::envelope::{Envelope, Platform, Refusal, SyncMode, write_envelope};
use super::introspect::SeenHeaders;
use super::world::World;
use crate::sim::counts::Counter;
use crate::sim::faults::Faults;
use crate::sim::introspect::Introspect;
use crate::sim::kept::Kept;
use crate::sim::secret;

#[derive(Debug)]
pub(crate) struct App {
    pub(crate) world: Kept<World, Refusal>,
    token: String,
    platform_fail: Option<Platform>,
    pub(crate) faults: Faults,
    pub(crate) counts: Counter,
    headers: Mutex<SeenHeaders>,
}

impl App {
    pub(crate) fn new(
        world: Kept<World, Refusal>,
        token: String,
        platform_fail: Option<Platform>,
        faults: Faults,
    ) -> Self {
        Self {
            world,
            token,
            platform_fail,
            faults,
            counts: Counter::default(),
            headers: Mutex::new(SeenHeaders::default()),
        }
    }

    pub(crate) fn token_matches(&self, given: &str) -> bool {
        secret::matches(&self.token, given)
    }

    /// The envelope of a performed write, with the configured platform failure if any.
    pub(crate) fn written(&self, mode: SyncMode, location: Option<String>) -> Envelope {
        write_envelope(mode, self.platform_fail, location)
    }

    pub(crate) fn headers(&self) -> MutexGuard<'_, SeenHeaders> {
        self.headers
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

    /// The headers seen are forgotten with the counts.
    fn forget_requests(&self) {
        *self.headers() = SeenHeaders::default();
    }
}
