//! The fetch during the debounce: when a burst of file changes begins, an idle worker (owning
//! its target, with etcd, and with a free `parallel_targets` permit) connects and fetches its
//! vendor list at once, so that the reconcile after the debounce finds it ready.
//!
//! The next reconcile takes the prefetch whatever it is; a file change's uses it only when the
//! fetch is younger than the debounce plus [`SLACK`], its client's stop was never requested
//! (the daemon stopping, the grant revoked), the target's settings are those it was fetched
//! on, and the vendor's fetch scope for the new desired users equals the prefetch's (see
//! `Provider::fetch_scope`; a vendor without one never reuses a list). The prefetch's client
//! is the one the reconcile then uses, since a client may keep what its fetch learned. Since
//! the next reconcile always takes it, no write of this daemon's came between. A prefetch not
//! used is dropped: one list request more. A failed one is dropped too (logged at debug); the
//! reconcile fetches itself. Its requests count in the metrics like any other.
//!
//! Must not: write to the vendor, or keep a list past the next reconcile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::apply::Stop;
use crate::model::DesiredUser;
use crate::plan::Guards;
use crate::reconcile::run::Fetched;
use crate::reconcile::{self, PlanCx};
use crate::vendor::http::Stats;

use super::Worker;

/// How much older than the debounce a prefetched list may be.
const SLACK: Duration = Duration::from_secs(2);

/// A vendor list fetched during the debounce, with the client that fetched it.
pub(super) struct Prefetch {
    pub(super) fetched: Fetched,
    /// The client's counters: the reconcile counts its own requests through them.
    pub(super) stats: Arc<Stats>,
    scope: String,
    settings: String,
    at: Instant,
    stop: Stop,
    _relay: Relay,
}

/// The task that stops the prefetch's client with the daemon or the grant; ends when dropped.
struct Relay(tokio::task::JoinHandle<()>);

impl Drop for Relay {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Prefetch {
    /// Whether the reconcile of `users` on `target` may use this list instead of fetching.
    pub(super) fn usable(
        &self,
        target: &crate::config::Target,
        users: &[DesiredUser],
        debounce: Duration,
    ) -> bool {
        self.at.elapsed() <= debounce + SLACK
            && !self.stop.requested()
            && self.settings == super::focus::settings(target)
            && self.fetched.provider.fetch_scope(users).as_ref() == Some(&self.scope)
    }
}

impl Worker {
    /// Fetches the vendor list for the next reconcile, when this worker may; else nothing.
    pub(super) async fn prefetch(&mut self) {
        self.prefetched = None;
        if self.shared.stop.requested() {
            return;
        }
        let grant = match &self.shared.grants {
            None => None,
            Some(grants) => match grants.get(&self.name) {
                Some(g) if !g.revoked.requested() => Some(g),
                _ => return,
            },
        };
        let Ok(_permit) = self.shared.permits.clone().try_acquire_owned() else {
            return;
        };
        let snap = self.state.borrow().clone();
        let Some(target) = snap.config.targets.get(&self.name) else {
            return;
        };
        let (stop, relay) = super::stop_for(&self.shared.stop, grant.as_ref());
        let relay = Relay(relay);
        let stats = self.stats();
        let cx = PlanCx {
            stats: stats.clone(),
            stop: stop.clone(),
            guards: Guards::Hold,
            now: chrono::Utc::now(),
        };
        let provider = match reconcile::run::connect_target(&snap.config, &cx, target) {
            Ok(p) => p,
            Err(f) => {
                tracing::debug!(target = %self.name, "no fetch during the debounce: {f}");
                return;
            }
        };
        let Some(scope) = provider.fetch_scope(&snap.users) else {
            return;
        };
        let at = Instant::now();
        self.progress
            .busy
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.progress.heartbeat.beat();
        let answers = || stats.total() + stats.retries();
        let fetched = self
            .beating(
                reconcile::run::fetch_with(provider, target, &snap.users),
                &answers,
            )
            .await;
        self.progress
            .busy
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.record_requests(&stats);
        match fetched {
            Ok(fetched) => {
                tracing::debug!(target = %self.name, users = fetched.actual.len(), "fetched during the debounce");
                self.prefetched = Some(Prefetch {
                    fetched,
                    stats,
                    scope,
                    settings: super::focus::settings(target),
                    at,
                    stop,
                    _relay: relay,
                });
            }
            Err(f) => {
                tracing::debug!(target = %self.name, "fetch during the debounce failed, the reconcile fetches itself: {f}");
            }
        }
    }
}
