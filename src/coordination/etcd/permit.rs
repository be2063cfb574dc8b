//! An etcd claim behind the backend-neutral contracts: [`Claims`] hands out claims as
//! [`crate::coordination::Coordinator`] does (for `roster apply`, which takes ownership without
//! registering as a daemon), and a [`ClaimPermit`] is a claim the executor proves before every
//! write batch (a fence: a write transaction, and the lease's local deadline).
//!
//! Translates errors and nothing else: the claims and fences are [`super::ownership`]'s.

use std::sync::Arc;

use tokio::time::Instant;

use crate::coordination::permit::Proof;
use crate::coordination::{self, CoordinationError, Denied, Permit};

use super::error::{ClaimError, FenceError};
use super::ownership::Claim;
use super::session::Session;

/// Claims targets for one session (no membership: the daemons do not count it).
#[derive(Clone)]
pub struct Claims {
    pub session: Arc<Session>,
}

/// One claimed target of one session.
#[derive(Clone)]
pub struct ClaimPermit {
    session: Arc<Session>,
    claim: Claim,
}

impl ClaimPermit {
    pub fn new(session: Arc<Session>, claim: Claim) -> ClaimPermit {
        ClaimPermit { session, claim }
    }

    /// Publishes the target's last reconcile result, while the claim holds.
    pub async fn publish(
        &self,
        finished_at: &str,
        result: &str,
        summary: &str,
    ) -> Result<(), FenceError> {
        self.session
            .publish(&self.claim, finished_at, result, summary)
            .await
    }

    /// Fences now: until when writes may start.
    pub async fn fence(&self) -> Result<Instant, FenceError> {
        self.session.fence(&self.claim).await.map(|f| f.valid_until)
    }
}

impl Permit for ClaimPermit {
    fn prove(&self) -> Proof<'_> {
        Box::pin(async move { self.fence().await.map_err(denied) })
    }

    fn valid(&self) -> bool {
        self.session.is_alive()
    }
}

/// The executor's wording of a failed fence.
pub(crate) fn denied(e: FenceError) -> Denied {
    match e {
        FenceError::Lost { target, why } => Denied::Lost {
            target,
            reason: why.to_string(),
        },
        FenceError::Unproven { target, source } => Denied::Unproven {
            target,
            reason: source.to_string(),
        },
    }
}

impl coordination::Coordinator for Claims {
    type Ownership = ClaimPermit;

    async fn acquire(&self, target: &str) -> Result<ClaimPermit, CoordinationError> {
        match self.session.claim(target).await {
            Ok(claim) => Ok(ClaimPermit::new(self.session.clone(), claim)),
            Err(ClaimError::Held { target, holder }) => Err(CoordinationError::Held {
                target,
                holder: coordination::Holder {
                    host: holder.host.clone(),
                    pid: holder.pid.to_string(),
                },
            }),
            Err(ClaimError::Etcd { target, source }) => Err(CoordinationError::Unavailable {
                target,
                reason: source.to_string(),
            }),
        }
    }
}

impl coordination::Ownership for ClaimPermit {
    async fn fence(&self) -> Result<(), CoordinationError> {
        match ClaimPermit::fence(self).await {
            Ok(_) => Ok(()),
            Err(e) => Err(match denied(e) {
                Denied::Lost { target, reason } => CoordinationError::Lost { target, reason },
                Denied::Unproven { target, reason } => {
                    CoordinationError::Unavailable { target, reason }
                }
            }),
        }
    }
}
