//! Wakes the daemon when access ends: every `expires` instant of the desired state, per
//! target; a loop that queues a [`Trigger::Expiry`] as each one comes (not only on the cron
//! schedule), and the gauge `roster_next_expiry_timestamp_seconds{target}` (the next instant
//! still to come; no series for a target with none).
//!
//! The reconcile it triggers plans with its own "now", which is past the instant by then. Like
//! the schedule, the loop re-reads the wall clock at least once a minute, so a clock step
//! delays a wake-up by at most that much; it never reconciles by itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::metrics::{Metrics, TargetLabel};
use super::schedule::Clock;
use super::trigger::{Queue, Trigger};
use crate::model::DesiredUser;

/// Each target's expiry instants, sorted, without repeats.
pub type Instants = BTreeMap<String, Vec<DateTime<Utc>>>;

/// Every expiry instant of the desired state (users' and memberships'), by target.
pub fn instants<'a>(desired: impl IntoIterator<Item = (&'a str, &'a [DesiredUser])>) -> Instants {
    desired
        .into_iter()
        .map(|(target, users)| {
            let mut at: Vec<DateTime<Utc>> = users
                .iter()
                .flat_map(|u| u.expiry.all().map(|e| e.at))
                .collect();
            at.sort_unstable();
            at.dedup();
            (target.to_string(), at)
        })
        .filter(|(_, at)| !at.is_empty())
        .collect()
}

/// The first instant strictly after `now`, per target that has one.
pub fn next_after(instants: &Instants, now: DateTime<Utc>) -> BTreeMap<&str, DateTime<Utc>> {
    instants
        .iter()
        .filter_map(|(t, at)| {
            let i = at.partition_point(|a| *a <= now);
            at.get(i).map(|a| (t.as_str(), *a))
        })
        .collect()
}

/// The loop's side the daemon keeps: it hands over each newly adopted desired state.
#[derive(Debug)]
pub struct Ends {
    tx: watch::Sender<Arc<Instants>>,
    /// The targets whose instant came since the daemon last took them.
    due: Due,
}

/// Targets an instant came for, filled by the loop, taken by the daemon with each trigger.
type Due = Arc<std::sync::Mutex<BTreeSet<String>>>;

impl Ends {
    /// Starts the loop; it ends when the returned value is dropped.
    pub fn start(clock: impl Clock, queue: Queue, metrics: Arc<Metrics>) -> Ends {
        let (tx, rx) = watch::channel(Arc::new(Instants::new()));
        let due = Due::default();
        tokio::spawn(run(rx, clock, queue, metrics, due.clone()));
        Ends { tx, due }
    }

    /// The targets whose access ended since the last call: those a [`Trigger::Expiry`] is for.
    pub fn take_due(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.due.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The desired state to wake for from now on: each target's users.
    pub fn set<'a>(&self, desired: impl IntoIterator<Item = (&'a str, &'a [DesiredUser])>) {
        let _ = self.tx.send(Arc::new(instants(desired)));
    }
}

/// Longest single sleep: the wall clock is read again at least this often.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Queues a [`Trigger::Expiry`] at each instant after the loop started, noting in `due` the
/// targets it is for, and keeps the gauges.
async fn run(
    mut rx: watch::Receiver<Arc<Instants>>,
    clock: impl Clock,
    queue: Queue,
    metrics: Arc<Metrics>,
    due: Due,
) {
    // Instants up to here are covered by a reconcile already queued (start-up, the adopting
    // reload): the loop wakes only for those still to come.
    let mut covered = clock.now();
    let mut shown = BTreeSet::new();
    loop {
        let state = rx.borrow_and_update().clone();
        let now = clock.now();
        publish(&metrics, &state, now, &mut shown);
        let next = next_after(&state, covered);
        let wait = match next.values().min().copied() {
            Some(at) if now >= at => {
                let targets = next.iter().filter(|(_, a)| **a <= now).map(|(t, _)| t);
                let mut d = due.lock().unwrap_or_else(|e| e.into_inner());
                d.extend(targets.map(|t| t.to_string()));
                drop(d);
                tracing::info!(at = %at.to_rfc3339(), "access ends: reconciling");
                queue.push(Trigger::Expiry);
                covered = now;
                continue;
            }
            Some(at) => at
                .signed_duration_since(now)
                .to_std()
                .unwrap_or_default()
                .min(MAX_SLEEP),
            None => Duration::MAX,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait), if wait != Duration::MAX => {}
            changed = rx.changed() => if changed.is_err() { return },
        }
    }
}

/// Sets each target's next instant after `now`; removes the series of targets with none.
fn publish(metrics: &Metrics, state: &Instants, now: DateTime<Utc>, shown: &mut BTreeSet<String>) {
    let next = next_after(state, now);
    for gone in shown.iter().filter(|t| !next.contains_key(t.as_str())) {
        metrics.next_expiry.remove(&TargetLabel {
            target: gone.clone(),
        });
    }
    shown.clear();
    for (target, at) in next {
        let label = TargetLabel {
            target: target.to_string(),
        };
        metrics
            .next_expiry
            .get_or_create(&label)
            .set(at.timestamp() as f64);
        shown.insert(target.to_string());
    }
}

#[cfg(test)]
mod tests;
