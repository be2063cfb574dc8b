//! One target's reconcile loop, independent of every other target's: its own trigger queue
//! (at most one reconcile runs and one of each kind waits), its own last good desired state,
//! its own retry backoff with jitter, its own health and metrics. At most `parallel_targets`
//! workers reconcile at once (a shared semaphore).
//!
//! A file change's reconcile after a clean one on the same target settings is focused on the
//! users the edit touched (see [`focus`]); one that touches none sends nothing ("no user
//! changed"). Every other reconcile plans in full, and so does the one after anything but a
//! clean reconcile. When a burst of file changes begins, an idle worker fetches its vendor
//! list meanwhile, for the file change's reconcile to use (see [`prefetch`]).
//!
//! A reconcile takes the target's lock (apply mode), fetches, checks and plans with guarded
//! removals held back, and applies. With etcd it runs only while the daemon holds the target's
//! grant (see `owners`), which replaces the lock, is proved before every write batch, and
//! stops the reconcile's requests at once when revoked; the result is published to etcd. The
//! worker beats its own heartbeat on every vendor answer and finished change, so that the
//! watchdog sees a stuck target. [`wake_at`] is the one way to reconcile this target later:
//! retries use it, and so can any per-target wake-up (keep its handle in a slot of its own, as
//! `Worker::wake` keeps the retry's).
//!
//! Must not: read the config or manifests (the daemon hands it [`Snapshot`]s), or touch
//! another target.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};

mod focus;
mod handle;
mod pass;
mod prefetch;

pub(crate) use handle::Handle;

use crate::apply::Stop;
use crate::config::Config;
use crate::model::DesiredUser;
use crate::vendor::http::{ceiling, random_unit};

use super::metrics::{Metrics, ResultLabel, TargetHealth, TargetLabel};
use super::owners::{Grant, Grants};
use super::systemd::{self, Heartbeat};
use super::trigger::{Queue, Receiver, Trigger};

const RETRY_BASE: Duration = Duration::from_secs(5);
const RETRY_CAP: Duration = Duration::from_secs(300);

/// The wait before retrying after `failures` failures in a row: 5 s doubling to 5 min, each
/// wait drawn from its upper half, so that targets failing together spread out.
pub(crate) fn retry_wait(failures: u32, unit: f64) -> Duration {
    let top = ceiling(RETRY_BASE, RETRY_CAP, failures.max(1));
    top.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
}

/// The desired state one target reconciles against.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    pub(crate) config: Arc<Config>,
    pub(crate) users: Arc<Vec<DesiredUser>>,
    /// The manifests on disk are this state (not a last good one held back by an invalid edit).
    pub(crate) current: bool,
    /// `daemon.mode` of the latest valid config: apply, or only plan.
    pub(crate) apply: bool,
}

/// What every worker shares.
pub(crate) struct Shared {
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) stop: Stop,
    pub(crate) permits: Arc<Semaphore>,
    /// How often a reconcile looks at its progress (a quarter of `WatchdogSec=`).
    pub(crate) beat_every: Option<Duration>,
    /// With `coordination.etcd`: a target is reconciled only while this daemon owns it.
    pub(crate) grants: Option<Arc<Grants>>,
    /// A burst of file changes began: idle workers fetch meanwhile (see [`prefetch`]).
    pub(crate) bursts: super::watch::Bursts,
}

/// Whether a worker is reconciling, and when it last made progress.
#[derive(Debug)]
struct Progress {
    busy: AtomicBool,
    heartbeat: Heartbeat,
}

/// The stop of one reconcile: the daemon's, or the grant's revocation (the target was lost or
/// is being released), whichever comes first; abort the relay when the reconcile is done.
fn stop_for(shared: &Stop, grant: Option<&Grant>) -> (Stop, tokio::task::JoinHandle<()>) {
    let Some(g) = grant else {
        return (shared.clone(), tokio::spawn(async {}));
    };
    let stop = Stop::default();
    let (s, shared, revoked) = (stop.clone(), shared.clone(), g.revoked.clone());
    let relay = tokio::spawn(async move {
        tokio::select! {
            () = shared.wait() => {}
            () = revoked.wait() => {}
        }
        s.request();
    });
    (stop, relay)
}

/// Queues `trigger` on this target's queue at `at`; abort the handle to cancel.
fn wake_at(
    queue: &Queue,
    at: tokio::time::Instant,
    trigger: Trigger,
) -> tokio::task::JoinHandle<()> {
    let queue = queue.clone();
    tokio::spawn(async move {
        tokio::time::sleep_until(at).await;
        queue.push(trigger);
    })
}

struct Worker {
    name: String,
    shared: Arc<Shared>,
    /// Its own queue, for wake-ups.
    queue: Queue,
    state: watch::Receiver<Snapshot>,
    progress: Arc<Progress>,
    health: TargetHealth,
    /// The pending retry.
    wake: Option<tokio::task::JoinHandle<()>>,
    /// The last reconcile, when it was clean and nothing but clean ones ran since.
    last_good: Option<focus::LastGood>,
    /// Changes when a burst of file changes begins.
    bursts: watch::Receiver<u64>,
    /// The list fetched during the debounce, for the next reconcile.
    prefetched: Option<prefetch::Prefetch>,
}

/// Returns when the daemon drops the worker's state: the target left the config, or shutdown.
async fn closed(state: &mut watch::Receiver<Snapshot>) {
    while state.changed().await.is_ok() {}
}

impl Worker {
    async fn run(mut self, mut rx: Receiver) {
        loop {
            // A burst's fetch goes before a trigger waiting with it: that may be its reconcile.
            let trigger = tokio::select! {
                biased;
                () = closed(&mut self.state) => None,
                Ok(()) = self.bursts.changed() => {
                    self.prefetch().await;
                    continue;
                }
                t = rx.recv() => t,
            };
            let Some(trigger) = trigger else { break };
            if self.shared.stop.requested() {
                break;
            }
            let grant = match &self.shared.grants {
                None => None,
                Some(grants) => match grants.get(&self.name) {
                    Some(g) => Some(g),
                    None => {
                        // Another daemon may write to it meanwhile.
                        self.last_good = None;
                        self.prefetched = None;
                        tracing::debug!(target = %self.name, trigger = trigger.as_str(), "not owned by this daemon; skipped");
                        continue;
                    }
                },
            };
            let busy = match &grant {
                Some(g) => Some(g.busy.clone().lock_owned().await),
                None => None,
            };
            let revoked = || grant.as_ref().is_some_and(|g| g.revoked.requested());
            if revoked() {
                continue;
            }
            let permits = self.shared.permits.clone();
            let permit = tokio::select! {
                p = permits.acquire_owned() => p,
                () = self.shared.stop.wait() => break,
            };
            // Given up while waiting for a turn: the claim loop releases it once we let go.
            if revoked() {
                continue;
            }
            self.reconcile(trigger, grant.as_ref()).await;
            drop(permit);
            drop(busy);
        }
        if let Some(w) = self.wake.take() {
            w.abort();
        }
    }

    /// What a reconcile on `snap` focuses on, or `None` to plan in full.
    fn touched(&self, trigger: Trigger, snap: &Snapshot) -> Option<focus::Touched> {
        if trigger != Trigger::FileChange || !snap.apply {
            return None;
        }
        let target = snap.config.targets.get(&self.name)?;
        focus::of(self.last_good.as_ref(), target, &snap.users)
    }

    async fn reconcile(&mut self, trigger: Trigger, grant: Option<&Grant>) {
        let snapshot = self.state.borrow().clone();
        // Taken by every reconcile: only the next one may use it, and only a file change's.
        let prefetched = self
            .prefetched
            .take()
            .filter(|_| trigger == Trigger::FileChange);
        let touched = self.touched(trigger, &snapshot);
        if touched.as_ref().is_some_and(|t| t.users == 0) {
            tracing::info!(target = %self.name, trigger = trigger.as_str(), "no user changed; nothing to reconcile");
            if let Some(last) = &mut self.last_good {
                last.users = snapshot.users.clone();
            }
            return;
        }
        let started = Instant::now();
        self.progress.busy.store(true, Ordering::SeqCst);
        self.progress.heartbeat.beat();
        match &touched {
            Some(t) => {
                tracing::info!(target = %self.name, trigger = trigger.as_str(), "reconcile started, focused on {} users", t.users)
            }
            None => {
                tracing::info!(target = %self.name, trigger = trigger.as_str(), "reconcile started")
            }
        }
        let (stop, relay) = stop_for(&self.shared.stop, grant);
        let result = self
            .once(&snapshot, &stop, grant, touched.as_ref(), prefetched)
            .await;
        self.last_good = match (&result, snapshot.config.targets.get(&self.name)) {
            (Ok(done), Some(target)) if done.clean => Some(focus::LastGood {
                users: snapshot.users.clone(),
                settings: focus::settings(target),
            }),
            _ => None,
        };
        let result = result.map(|done| done.summary);
        relay.abort();
        // The fetched list and the plan are gone: at rest the daemon keeps only its state.
        crate::memory::release_freed();
        if let Some(g) = grant {
            let finished = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let (word, text) = match &result {
                Ok(summary) => ("ok", summary.as_str()),
                Err(e) => ("failed", e.as_str()),
            };
            g.owner.publish(&finished, word, text).await;
        }
        self.progress.heartbeat.beat();
        self.progress.busy.store(false, Ordering::SeqCst);
        let m = &self.shared.metrics;
        m.duration.observe(started.elapsed().as_secs_f64());
        let label = |r: &str| ResultLabel {
            target: self.name.clone(),
            result: r.to_string(),
        };
        match result {
            Ok(summary) => {
                m.reconciles.get_or_create(&label("success")).inc();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .unwrap_or_default();
                m.last_success
                    .get_or_create(&TargetLabel::of(&self.name))
                    .set(now);
                self.health = TargetHealth {
                    last_ok: true,
                    current: snapshot.current,
                    failures: 0,
                };
                if let Some(w) = self.wake.take() {
                    w.abort();
                }
                tracing::info!(
                    target = %self.name,
                    trigger = trigger.as_str(),
                    ms = started.elapsed().as_millis() as u64,
                    "reconcile done: {summary}"
                );
                self.status(&format!("{} ({}): {summary}", self.name, trigger.as_str()));
            }
            Err(e) => {
                m.reconciles.get_or_create(&label("failure")).inc();
                self.health = TargetHealth {
                    last_ok: false,
                    current: snapshot.current,
                    failures: self.health.failures.saturating_add(1),
                };
                let wait = retry_wait(self.health.failures, random_unit());
                tracing::error!(
                    target = %self.name,
                    trigger = trigger.as_str(),
                    retry_in_ms = wait.as_millis() as u64,
                    "reconcile failed: {e}"
                );
                self.status(&format!(
                    "{} failed, retrying in {}s: {e}",
                    self.name,
                    wait.as_secs()
                ));
                let revoked = grant.is_some_and(|g| g.revoked.requested());
                if !self.shared.stop.requested() && !revoked {
                    let at = tokio::time::Instant::now() + wait;
                    if let Some(w) = self.wake.replace(wake_at(&self.queue, at, Trigger::Retry)) {
                        w.abort();
                    }
                }
            }
        }
        m.consecutive_failures
            .get_or_create(&TargetLabel::of(&self.name))
            .set(i64::from(self.health.failures));
        m.set_health(&self.name, self.health);
    }

    /// The systemd status line: this target's news, and how many targets are ready.
    fn status(&self, news: &str) {
        let (ready, all) = self.shared.metrics.health.counts();
        systemd::status(&format!(
            "{} {news}; {ready} of {all} targets ready",
            chrono::Utc::now().format("%H:%M:%S")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_5_s_to_5_min_with_jitter_in_the_upper_half() {
        assert_eq!(retry_wait(1, 1.0), Duration::from_secs(5));
        assert_eq!(retry_wait(1, 0.0), Duration::from_millis(2500));
        assert_eq!(retry_wait(2, 1.0), Duration::from_secs(10));
        assert_eq!(retry_wait(50, 1.0), Duration::from_secs(300));
        assert_eq!(retry_wait(u32::MAX, 0.0), Duration::from_secs(150));
        for f in 1..20 {
            let w = retry_wait(f, random_unit());
            let top = ceiling(RETRY_BASE, RETRY_CAP, f);
            assert!(w >= top / 2 && w <= top, "{f}: {w:?}");
        }
    }
}
