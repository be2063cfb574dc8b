//! What `roster status` shows, read from etcd: each target's owner and the last reconcile
//! result its owner published (`PREFIX/status/<target>`).
//!
//! Publishing is guarded by the claim (a process that lost a target cannot overwrite its new
//! owner's result) and carries no lease, so a result outlives its writer. Texts are capped so
//! that a status line cannot grow a key without bound.

use std::collections::BTreeMap;

use etcd_client::{Txn, TxnOp};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::error::{EtcdError, FenceError, LostWhy};
use super::identity::Holder;
use super::keys::{OWNERS, STATUS};
use super::ownership::{Claim, ours};
use super::session::Session;
use super::settings::Etcd;

/// The longest summary published, in bytes.
const SUMMARY_MAX: usize = 2048;

/// A target's last reconcile result, as its owner published it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// RFC 3339, UTC.
    pub finished_at: String,
    /// `ok` or `failed`, for instance; the daemon decides the words.
    pub result: String,
    /// One line for people (no secrets: the caller's texts are already redacted).
    pub summary: String,
    pub by: Holder,
}

/// One line of `roster status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStatus {
    pub target: String,
    pub owner: Option<Holder>,
    pub last: Option<Published>,
}

/// An ownership key as read: who, and which claim exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    pub(crate) holder: Holder,
    pub(crate) lease: i64,
    pub(crate) revision: i64,
}

impl Etcd {
    /// Every target with an owner or a published result, sorted by target.
    pub async fn status(&self) -> Result<Vec<TargetStatus>, EtcdError> {
        let owners = self.owners().await?;
        let mut published: BTreeMap<String, Published> = BTreeMap::new();
        for kv in self.list("list status", &self.keys.dir(STATUS)).await? {
            let Some(target) = self.keys.name_in(STATUS, kv.key()) else {
                continue;
            };
            if let Ok(p) = serde_json::from_slice::<Published>(kv.value()) {
                published.insert(target.to_string(), p);
            }
        }
        let mut targets: Vec<&String> = owners.keys().chain(published.keys()).collect();
        targets.sort();
        targets.dedup();
        Ok(targets
            .into_iter()
            .map(|t| TargetStatus {
                target: t.clone(),
                owner: owners.get(t).map(|o| o.holder.clone()),
                last: published.get(t).cloned(),
            })
            .collect())
    }

    /// The ownership keys, by target.
    pub(crate) async fn owners(&self) -> Result<BTreeMap<String, Owner>, EtcdError> {
        let kvs = self.list("list owners", &self.keys.dir(OWNERS)).await?;
        Ok(kvs
            .iter()
            .filter_map(|kv| {
                let target = self.keys.name_in(OWNERS, kv.key())?;
                Some((
                    target.to_string(),
                    Owner {
                        holder: Holder::from_json(kv.value()),
                        lease: kv.lease(),
                        revision: kv.create_revision(),
                    },
                ))
            })
            .collect())
    }
}

impl Session {
    /// Publishes `claim`'s target's last reconcile result, only while the claim holds.
    pub async fn publish(
        &self,
        claim: &Claim,
        finished_at: &str,
        result: &str,
        summary: &str,
    ) -> Result<(), FenceError> {
        let target = claim.target.clone();
        let deadline = self.deadline().map_err(|why| FenceError::Lost {
            target: target.clone(),
            why,
        })?;
        let value = Published {
            finished_at: finished_at.to_string(),
            result: result.to_string(),
            summary: cap(summary, SUMMARY_MAX).to_string(),
            by: self.me.clone(),
        };
        let value = serde_json::to_string(&value).expect("a status always serialises");
        let key = self.etcd.keys.key(OWNERS, &claim.target);
        let txn = Txn::new().when(ours(&key, claim)).and_then([TxnOp::put(
            self.etcd.keys.key(STATUS, &target),
            value,
            None,
        )]);
        let deadline = deadline.min(Instant::now() + self.etcd.request_timeout);
        match self.txn("publish status", deadline, txn).await {
            Ok(answer) if answer.succeeded() => Ok(()),
            Ok(_) => Err(FenceError::Lost {
                target,
                why: LostWhy::KeyGone,
            }),
            Err(source) => Err(FenceError::Unproven { target, source }),
        }
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_cuts_on_a_character_boundary() {
        assert_eq!(cap("héllo", 2), "h");
        assert_eq!(cap("héllo", 3), "hé");
        assert_eq!(cap("ok", 10), "ok");
    }
}
