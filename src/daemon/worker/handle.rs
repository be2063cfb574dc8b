//! The daemon's side of one worker: starts it, hands it new desired states and triggers,
//! tells the watchdog whether it progresses, and ends it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::model::DesiredUser;

use super::super::metrics::{Metrics, TargetHealth};
use super::super::owners::Grants;
use super::super::systemd::Heartbeat;
use super::super::trigger::{Queue, Trigger};
use super::{Progress, Shared, Snapshot, Worker};

/// The daemon's side of one worker.
pub(crate) struct Handle {
    name: String,
    queue: Queue,
    state: watch::Sender<Snapshot>,
    progress: Arc<Progress>,
    metrics: Arc<Metrics>,
    grants: Option<Arc<Grants>>,
    task: tokio::task::JoinHandle<()>,
}

impl Handle {
    /// Starts the worker of target `name` on `snapshot`; it waits for a trigger.
    pub(crate) fn spawn(name: &str, snapshot: Snapshot, shared: Arc<Shared>) -> Handle {
        let (queue, rx) = Queue::new();
        let (state, state_rx) = watch::channel(snapshot.clone());
        let progress = Arc::new(Progress {
            busy: AtomicBool::new(false),
            heartbeat: Heartbeat::new(),
        });
        let metrics = shared.metrics.clone();
        let grants = shared.grants.clone();
        if let Some(g) = &grants {
            g.register(name, queue.clone());
        }
        let worker = Worker {
            name: name.to_string(),
            shared: shared.clone(),
            queue: queue.clone(),
            state: state_rx,
            progress: progress.clone(),
            health: TargetHealth {
                current: snapshot.current,
                ..TargetHealth::default()
            },
            wake: None,
            last_good: None,
            bursts: shared.bursts.subscribe(),
            prefetched: None,
        };
        metrics.set_health(name, worker.health);
        let task = tokio::spawn(worker.run(rx));
        Handle {
            name: name.to_string(),
            queue,
            state,
            progress,
            metrics,
            grants,
            task,
        }
    }

    /// Queues a reconcile unless one is already waiting.
    pub(crate) fn push(&self, trigger: Trigger) {
        self.queue.push(trigger);
    }

    /// The users of the state it reconciles against.
    pub(crate) fn users(&self) -> Arc<Vec<DesiredUser>> {
        self.state.borrow().users.clone()
    }

    /// A new desired state for the next reconcile.
    pub(crate) fn update(&self, snapshot: Snapshot) {
        self.set_current(snapshot.current);
        self.state.send_replace(snapshot);
    }

    /// Keeps the last good state (an invalid edit touches this target), in the latest mode.
    pub(crate) fn hold(&self, apply: bool) {
        self.set_current(false);
        self.state.send_modify(|s| {
            s.current = false;
            s.apply = apply;
        });
    }

    fn set_current(&self, current: bool) {
        let mut h = self.metrics.health.get(&self.name);
        h.current = current;
        self.metrics.set_health(&self.name, h);
    }

    /// Idle, or progressing within `within` (for the watchdog).
    pub(crate) fn progressing(&self, within: Duration) -> bool {
        !self.progress.busy.load(Ordering::SeqCst) || self.progress.heartbeat.fresh(within)
    }

    /// Ends the worker once its reconcile in flight (if any) has finished.
    pub(crate) async fn stop(self) {
        let Handle {
            name,
            state,
            task,
            grants,
            ..
        } = self;
        if let Some(g) = grants {
            g.unregister(&name);
        }
        drop(state);
        let _ = task.await;
    }
}
