//! Per-target ownership: claim, release, who holds it, and the fence before every write batch.
//!
//! A claim creates `PREFIX/owners/<target>` under the session's lease in a transaction that
//! succeeds only when the key does not exist (`create_revision == 0`), so etcd itself
//! guarantees at most one owner per target at any revision.
//!
//! A fence proves ownership *now*. etcd 3.4 answers a transaction that holds only comparisons
//! from the member the client talks to, without asking the others, so a member cut off from
//! the cluster keeps saying "still the owner" from its stale copy. The fence therefore writes
//! (`PREFIX/fence/<target>`) inside the transaction: a write must be committed by a quorum
//! through the raft log, so a fence that succeeds was true at a point in the cluster's single
//! history. On top of that, the local deadline (see [`super::lease`]) is checked before and
//! after, and bounds the fence's own wait, so a process cut off from a quorum stops within the
//! deadline rather than when a request timeout gives up.

use etcd_client::{Compare, CompareOp, PutOptions, Txn, TxnOp, TxnOpResponse, TxnResponse};
use tokio::time::Instant;

use super::call;
use super::error::{ClaimError, EtcdError, FenceError, LostWhy};
use super::identity::Holder;
use super::keys::{FENCE, OWNERS};
use super::session::Session;

/// This process's ownership of one target, as created in etcd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub target: String,
    /// The ownership key's create revision: tells this claim from a later one by anybody.
    pub(crate) revision: i64,
    pub(crate) lease: i64,
}

/// A proof that the claim held at a point in etcd's history, and until when writes may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    /// Start no vendor request after this instant without fencing again.
    pub valid_until: Instant,
    /// etcd's revision of the fence write.
    pub revision: i64,
}

impl Session {
    /// Claims `target` for this session; refuses naming the holder when another one has it.
    /// Claiming a target this session already holds returns the existing claim.
    pub async fn claim(&self, target: &str) -> Result<Claim, ClaimError> {
        let etcd_err = |source| ClaimError::Etcd {
            target: target.to_string(),
            source,
        };
        let deadline = self.usable_until().map_err(etcd_err)?;
        let key = self.etcd.keys.key(OWNERS, target);
        let txn = Txn::new()
            .when([Compare::create_revision(key.clone(), CompareOp::Equal, 0)])
            .and_then([TxnOp::put(
                key.clone(),
                self.me.since_now().to_json(),
                Some(PutOptions::new().with_lease(self.lease)),
            )])
            .or_else([TxnOp::get(key, None)]);
        let answer = self
            .txn("claim target", deadline, txn)
            .await
            .map_err(etcd_err)?;
        if answer.succeeded() {
            return Ok(self.claim_at(target, revision_of(&answer)));
        }
        match first_kv(&answer) {
            // Ours already: a retried claim whose first answer was lost, or a second call.
            Some(kv) if kv.lease() == self.lease => Ok(self.claim_at(target, kv.create_revision())),
            Some(kv) => Err(ClaimError::Held {
                target: target.to_string(),
                holder: Box::new(Holder::from_json(kv.value())),
            }),
            None => Err(etcd_err(EtcdError::Unavailable {
                op: "claim target",
                reason: "the key changed during the claim".into(),
            })),
        }
    }

    /// Releases a claim if it is still this one (a later owner's key is left alone).
    /// Returns whether a key was deleted. Works on a lost session too.
    pub async fn release(&self, claim: &Claim) -> Result<bool, EtcdError> {
        let key = self.etcd.keys.key(OWNERS, &claim.target);
        let txn = Txn::new().when(ours(&key, claim)).and_then([
            TxnOp::delete(key, None),
            TxnOp::delete(self.etcd.keys.key(FENCE, &claim.target), None),
        ]);
        let deadline = Instant::now() + self.etcd.request_timeout;
        Ok(self.txn("release target", deadline, txn).await?.succeeded())
    }

    /// Who owns `target` now, if anybody.
    pub async fn holder_of(&self, target: &str) -> Result<Option<Holder>, EtcdError> {
        Ok(self
            .etcd
            .owners()
            .await?
            .remove(target)
            .map(|owner| owner.holder))
    }

    /// Proves that `claim` still holds, with a quorum write; see the module doc. On `Lost`,
    /// drop the claim; on `Unproven`, write nothing and try again later.
    pub async fn fence(&self, claim: &Claim) -> Result<Fence, FenceError> {
        let lost = |why| FenceError::Lost {
            target: claim.target.clone(),
            why,
        };
        let deadline = self.deadline().map_err(lost)?;
        if claim.lease != self.lease {
            return Err(lost(LostWhy::LeaseGone { lease: claim.lease }));
        }
        let key = self.etcd.keys.key(OWNERS, &claim.target);
        let txn = Txn::new()
            .when(ours(&key, claim))
            .and_then([TxnOp::put(
                self.etcd.keys.key(FENCE, &claim.target),
                self.me.id.clone(),
                Some(PutOptions::new().with_lease(self.lease)),
            )])
            .or_else([TxnOp::get(key, None)]);
        let answer = match self.txn("fence", deadline, txn).await {
            Ok(answer) => answer,
            Err(source) => {
                self.deadline().map_err(lost)?;
                return Err(FenceError::Unproven {
                    target: claim.target.clone(),
                    source,
                });
            }
        };
        if !answer.succeeded() {
            return Err(lost(match first_kv(&answer) {
                Some(kv) if kv.lease() != self.lease => {
                    LostWhy::TakenBy(Box::new(Holder::from_json(kv.value())))
                }
                _ => LostWhy::KeyGone,
            }));
        }
        let valid_until = self.deadline().map_err(lost)?;
        Ok(Fence {
            valid_until,
            revision: revision_of(&answer),
        })
    }

    fn claim_at(&self, target: &str, revision: i64) -> Claim {
        Claim {
            target: target.to_string(),
            revision,
            lease: self.lease,
        }
    }

    pub(crate) async fn txn(
        &self,
        op: &'static str,
        deadline: Instant,
        txn: Txn,
    ) -> Result<TxnResponse, EtcdError> {
        let kv = self.etcd.client.kv_client();
        call::until(op, deadline, self.etcd.request_timeout, || {
            let (mut kv, txn) = (kv.clone(), txn.clone());
            async move { kv.txn(txn).await }
        })
        .await
    }
}

/// The comparisons that say "this key is still exactly `claim`": created at its revision,
/// never modified since, under its lease.
pub(crate) fn ours(key: &str, claim: &Claim) -> Vec<Compare> {
    vec![
        Compare::create_revision(key, CompareOp::Equal, claim.revision),
        Compare::mod_revision(key, CompareOp::Equal, claim.revision),
        Compare::lease(key, CompareOp::Equal, claim.lease),
    ]
}

fn revision_of(answer: &TxnResponse) -> i64 {
    answer.header().map(|h| h.revision()).unwrap_or(0)
}

fn first_kv(answer: &TxnResponse) -> Option<etcd_client::KeyValue> {
    answer.op_responses().into_iter().find_map(|op| match op {
        TxnOpResponse::Get(get) => get.kvs().first().cloned(),
        _ => None,
    })
}
