//! The stop signal: a flag that a signal handler sets once, which a running apply checks
//! before starting a change and which the transport awaits while it waits (backoff,
//! `Retry-After`, rate-limit pacing) or while a request is in flight.
//!
//! It only says that a stop was asked for; what stops, and how fast, is decided by its users
//! (`apply` and `provider::http`). It must stay cheap to clone and free of I/O.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A flag that asks a running apply to start nothing new and to stop waiting.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    requested: AtomicBool,
    notify: Notify,
}

impl Stop {
    /// Asks for a stop; every [`wait`](Self::wait) in progress or to come returns at once.
    pub fn request(&self) {
        self.0.requested.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    /// Returns once a stop has been requested (at once if it already was).
    pub async fn wait(&self) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            // Registered before the flag is read, so a request between the two is not missed.
            notified.as_mut().enable();
            if self.requested() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_once_requested_from_elsewhere() {
        let stop = Stop::default();
        let waiter = tokio::spawn({
            let stop = stop.clone();
            async move { stop.wait().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        stop.request();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("wait ended")
            .unwrap();
        // Later waits return at once.
        stop.wait().await;
        assert!(stop.requested());
    }
}
