//! The daemon's ownerships with `coordination.etcd`: the claim loop ([`claims`]) decides which
//! targets this daemon owns, and each target's worker reconciles only while it holds a
//! [`Grant`] for it.
//!
//! A claim grants the target and wakes its worker at once (prompt takeover); a loss revokes
//! the grant, which stops the worker's requests at once; a release revokes it too, and frees
//! the key in etcd only once the worker no longer works on it, so that two owners never write
//! at the same moment. Without etcd there are no grants and every worker reconciles.
//!
//! Must not: plan, apply or talk to a vendor.

#[cfg(feature = "etcd")]
pub(crate) mod claims;
pub mod gauges;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::apply::Stop;
use crate::coordination::Permit;

use super::trigger::{Queue, Trigger};

/// What a target's owner can do with its ownership besides proving it.
pub(crate) trait Owner: Permit {
    /// Publishes the target's last reconcile result (best effort).
    fn publish<'a>(
        &'a self,
        finished_at: &'a str,
        result: &'a str,
        summary: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;
}

/// This daemon's right to work on one target, until revoked.
#[derive(Clone)]
pub(crate) struct Grant {
    pub(crate) owner: Arc<dyn Owner>,
    /// Requested when the target is lost or being released: stop at once.
    pub(crate) revoked: Stop,
    /// Held by the worker while it reconciles; the claim loop takes it before a release.
    pub(crate) busy: Arc<tokio::sync::Mutex<()>>,
}

#[cfg_attr(
    all(not(feature = "etcd"), not(test)),
    expect(dead_code, reason = "only the etcd claim loop grants")
)]
impl Grant {
    pub(crate) fn new(owner: Arc<dyn Owner>) -> Grant {
        Grant {
            owner,
            revoked: Stop::default(),
            busy: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// A permit to write, as the executor takes it.
    pub(crate) fn permit(&self) -> Arc<dyn Permit> {
        self.owner.clone()
    }
}

/// The grants of this daemon, and the workers' queues (the targets there are to claim).
#[derive(Default)]
pub(crate) struct Grants {
    inner: Mutex<Inner>,
    /// Asks the claim loop to look again now (a fence found the target lost).
    pub(crate) poke: Notify,
}

#[derive(Default)]
struct Inner {
    grants: BTreeMap<String, Grant>,
    queues: BTreeMap<String, Queue>,
}

#[cfg_attr(
    not(feature = "etcd"),
    expect(dead_code, reason = "only the etcd claim loop grants")
)]
impl Grants {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A worker for `target` exists: the target is one to claim.
    pub(crate) fn register(&self, target: &str, queue: Queue) {
        self.lock().queues.insert(target.to_string(), queue);
        self.poke.notify_one();
    }

    /// The target left the config: no longer one to claim (a grant is revoked by the loop).
    pub(crate) fn unregister(&self, target: &str) {
        self.lock().queues.remove(target);
        self.poke.notify_one();
    }

    /// The targets there are to claim, sorted.
    pub(crate) fn targets(&self) -> Vec<String> {
        self.lock().queues.keys().cloned().collect()
    }

    pub(crate) fn get(&self, target: &str) -> Option<Grant> {
        self.lock().grants.get(target).cloned()
    }

    /// Grants `target` and wakes its worker to reconcile it now.
    pub(crate) fn grant(&self, target: &str, grant: Grant) {
        let mut inner = self.lock();
        if let Some(old) = inner.grants.insert(target.to_string(), grant) {
            old.revoked.request();
        }
        if let Some(q) = inner.queues.get(target) {
            q.push(Trigger::Claim);
        }
    }

    /// Takes `target`'s grant away and stops its work at once; the grant, to wait for the
    /// worker to be done with it.
    pub(crate) fn revoke(&self, target: &str) -> Option<Grant> {
        let grant = self.lock().grants.remove(target)?;
        grant.revoked.request();
        Some(grant)
    }

    pub(crate) fn revoke_all(&self) -> Vec<Grant> {
        let grants = std::mem::take(&mut self.lock().grants);
        grants
            .into_values()
            .inspect(|g| g.revoked.request())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Permit for Fake {
        fn prove(&self) -> crate::coordination::permit::Proof<'_> {
            Box::pin(async { Ok(tokio::time::Instant::now()) })
        }
    }

    impl Owner for Fake {
        fn publish<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
            _: &'a str,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
            Box::pin(async {})
        }
    }

    #[test]
    fn a_grant_wakes_its_worker_and_a_revoke_or_a_new_grant_stops_the_old_one() {
        let grants = Grants::default();
        let (queue, mut rx) = Queue::new();
        grants.register("a", queue);
        assert_eq!(grants.targets(), ["a"]);
        grants.grant("a", Grant::new(Arc::new(Fake)));
        assert_eq!(rx.try_recv().unwrap(), Trigger::Claim, "reconcile at once");
        let first = grants.get("a").unwrap();
        grants.grant("a", Grant::new(Arc::new(Fake)));
        assert!(
            first.revoked.requested(),
            "a new claim replaces the old one"
        );
        let second = grants.get("a").unwrap();
        assert!(!second.revoked.requested());
        assert!(grants.revoke("a").is_some());
        assert!(second.revoked.requested());
        assert!(grants.get("a").is_none() && grants.revoke("a").is_none());
        grants.unregister("a");
        assert!(grants.targets().is_empty());
    }
}
