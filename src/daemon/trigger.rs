//! Why a reconcile runs, and the queue that coalesces triggers: at most one reconcile waits
//! while another runs, however many triggers arrive.

use tokio::sync::mpsc;

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
#[derive(Clone, Debug)]
pub struct Queue(mpsc::Sender<Trigger>);

impl Queue {
    pub fn new() -> (Queue, mpsc::Receiver<Trigger>) {
        let (tx, rx) = mpsc::channel(1);
        (Queue(tx), rx)
    }

    /// Queues a trigger unless one is already waiting.
    pub fn push(&self, t: Trigger) {
        let _ = self.0.try_send(t);
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
}
