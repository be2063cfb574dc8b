//! Why a reconcile runs, and the queue that coalesces triggers: however many triggers arrive
//! while a reconcile runs, at most one of each kind waits, and a file change waiting is taken
//! by the next trigger that reloads and reaches every target. A trigger that asks for a full
//! reconcile (anything but a file change) is never swallowed by a file change waiting: a file
//! change's reconcile may be focused on the users an edit touched (`worker`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
pub use tokio::sync::mpsc::error::TryRecvError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Startup,
    FileChange,
    Schedule,
    Signal,
    Retry,
    /// An `expires` instant came (`daemon/expiry.rs`).
    Expiry,
    /// This daemon just claimed the target (etcd): reconcile it now.
    Claim,
}

impl Trigger {
    pub fn as_str(&self) -> &'static str {
        match self {
            Trigger::Startup => "startup",
            Trigger::FileChange => "file change",
            Trigger::Schedule => "schedule",
            Trigger::Signal => "SIGHUP",
            Trigger::Retry => "retry",
            Trigger::Expiry => "expiry",
            Trigger::Claim => "claim",
        }
    }
}

/// The sending side; cheap to clone, usable from any thread.
#[derive(Debug)]
pub struct Queue(Arc<Pending>);

/// The receiving side.
#[derive(Debug)]
pub struct Receiver(Arc<Pending>);

/// The triggers waiting, at most one of each kind.
#[derive(Debug, Default)]
struct Pending {
    kinds: Mutex<Vec<Trigger>>,
    ready: Notify,
    /// The [`Queue`]s alive: with none left and nothing waiting, the receiver is disconnected.
    senders: AtomicUsize,
}

impl Clone for Queue {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::SeqCst);
        Queue(self.0.clone())
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.ready.notify_one();
        }
    }
}

impl Trigger {
    /// Which waiting trigger goes first: those that reconcile in full before an expiry's
    /// (some targets only), and a file change last.
    fn rank(self) -> u8 {
        match self {
            Trigger::Signal => 6,
            Trigger::Startup => 5,
            Trigger::Claim => 4,
            Trigger::Schedule => 3,
            Trigger::Retry => 2,
            Trigger::Expiry => 1,
            Trigger::FileChange => 0,
        }
    }
}

impl Queue {
    pub fn new() -> (Queue, Receiver) {
        let pending = Arc::new(Pending {
            senders: AtomicUsize::new(1),
            ..Pending::default()
        });
        (Queue(pending.clone()), Receiver(pending))
    }

    /// Queues a trigger unless one of its kind is already waiting.
    pub fn push(&self, t: Trigger) {
        let mut kinds = self.0.kinds.lock().unwrap_or_else(|e| e.into_inner());
        if !kinds.contains(&t) {
            kinds.push(t);
        }
        drop(kinds);
        self.0.ready.notify_one();
    }
}

impl Receiver {
    /// The next trigger, waiting for one; `None` once every [`Queue`] is gone.
    pub async fn recv(&mut self) -> Option<Trigger> {
        loop {
            match self.try_recv() {
                Ok(t) => return Some(t),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => self.0.ready.notified().await,
            }
        }
    }

    /// The waiting trigger that goes first. Any but an expiry's reloads the files and reaches
    /// every target, so it takes the place of a file change waiting too; other kinds stay, so
    /// that a full reconcile (or an expiry's target) is never lost behind a file change.
    pub fn try_recv(&mut self) -> Result<Trigger, TryRecvError> {
        let mut kinds = self.0.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let (i, &t) = kinds
            .iter()
            .enumerate()
            .max_by_key(|(_, t)| t.rank())
            .ok_or(if self.0.senders.load(Ordering::SeqCst) == 0 {
                TryRecvError::Disconnected
            } else {
                TryRecvError::Empty
            })?;
        kinds.swap_remove(i);
        if t != Trigger::Expiry {
            kinds.retain(|k| *k != Trigger::FileChange);
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_triggers_coalesce_into_one_waiting() {
        let (q, mut rx) = Queue::new();
        for _ in 0..200 {
            q.push(Trigger::FileChange);
        }
        assert_eq!(rx.try_recv().unwrap(), Trigger::FileChange);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn a_full_trigger_is_never_lost_behind_a_file_change_and_takes_its_place() {
        let (q, mut rx) = Queue::new();
        q.push(Trigger::FileChange);
        q.push(Trigger::Schedule);
        q.push(Trigger::Signal);
        q.push(Trigger::FileChange);
        assert_eq!(rx.try_recv().unwrap(), Trigger::Signal);
        assert_eq!(rx.try_recv().unwrap(), Trigger::Schedule);
        assert!(rx.try_recv().is_err(), "the file change is covered");
    }

    #[test]
    fn an_expiry_leaves_a_file_change_waiting() {
        let (q, mut rx) = Queue::new();
        q.push(Trigger::FileChange);
        q.push(Trigger::Expiry);
        assert_eq!(rx.try_recv().unwrap(), Trigger::Expiry);
        assert_eq!(rx.try_recv().unwrap(), Trigger::FileChange);
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn recv_waits_for_a_push_from_another_task() {
        let (q, mut rx) = Queue::new();
        let pusher = tokio::spawn(async move {
            tokio::task::yield_now().await;
            q.push(Trigger::Retry);
        });
        assert_eq!(rx.recv().await, Some(Trigger::Retry));
        pusher.await.unwrap();
        assert_eq!(rx.recv().await, None, "every sender is gone");
    }
}
