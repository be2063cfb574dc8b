//! Who lets `roster apply` write to each selected target: the file lock of every target, or,
//! with `coordination.etcd`, a claim of each target under one etcd session of this run (not
//! registered as a daemon, so the daemons' fair share ignores it). A target another process
//! owns fails alone, naming the holder's host and pid.
//!
//! Holds the ownerships until [`Owned::finish`]; decides nothing about plans.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::apply::Stop;
use crate::config::Config;
use crate::coordination::Permit;
use crate::coordination::local::{LocalLocks, LocalOwnership};
use crate::reconcile::{self, Failure};

/// The targets this run owns, their permits, and what keeps them owned.
pub(super) struct Owned {
    pub(super) names: Vec<String>,
    pub(super) failed: Vec<Failure>,
    /// Only targets whose ownership can lapse have one.
    pub(super) permits: BTreeMap<String, Arc<dyn Permit>>,
    keep: Keep,
}

enum Keep {
    Locks(
        #[expect(dead_code, reason = "held for the locks, released when dropped")]
        Vec<LocalOwnership>,
    ),
    #[cfg(feature = "etcd")]
    Etcd(Option<Arc<crate::coordination::etcd::Session>>),
}

impl Owned {
    /// Takes each of `names` (targets of `config`) from the configured backend.
    /// With etcd, `stop` is requested when the session's lease is lost, so that no request
    /// waiting to be sent (or retried) goes out after the deadline.
    pub(super) async fn take(
        config: &Config,
        names: &[String],
        stop: &Stop,
    ) -> anyhow::Result<Owned> {
        #[cfg(feature = "etcd")]
        if let Some(c) = &config.coordination {
            return from_etcd(config, &c.etcd, names, stop).await;
        }
        let _ = stop;
        let locks = LocalLocks::new(&config.state_dir);
        let (owned, failed) = reconcile::run::own(&locks, config, names).await;
        Ok(Owned {
            names: owned.iter().map(|(n, _)| n.clone()).collect(),
            failed,
            permits: BTreeMap::new(),
            keep: Keep::Locks(owned.into_iter().map(|(_, o)| o).collect()),
        })
    }

    /// Whether the ownership was lost during the run (the etcd lease lapsed).
    pub(super) fn lost(&self) -> bool {
        match &self.keep {
            Keep::Locks(_) => false,
            #[cfg(feature = "etcd")]
            Keep::Etcd(session) => session.as_ref().is_some_and(|s| !s.is_alive()),
        }
    }

    /// Gives every ownership up (an etcd session's lease is revoked, so its claims free at
    /// once rather than after the lease's TTL).
    pub(super) async fn finish(self) {
        match self.keep {
            Keep::Locks(_) => {}
            #[cfg(feature = "etcd")]
            Keep::Etcd(session) => {
                drop(self.permits);
                if let Some(s) = session {
                    s.close().await;
                }
            }
        }
    }
}

#[cfg(feature = "etcd")]
async fn from_etcd(
    config: &Config,
    etcd: &crate::config::coordination::EtcdConfig,
    names: &[String],
    stop: &Stop,
) -> anyhow::Result<Owned> {
    use crate::config::Target;
    use crate::coordination::CoordinationError;
    use crate::coordination::etcd::{Claims, EtcdSettings, Session};
    let settings = EtcdSettings::from_config(etcd, &config.base_dir)?;
    let targets = || names.iter().filter_map(|n| config.targets.get(n));
    let session = match Session::start(&settings, "roster apply").await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            let failed = targets()
                .map(|t: &Target| {
                    let e = CoordinationError::Unavailable {
                        target: t.name.clone(),
                        reason: e.to_string(),
                    };
                    Failure::lock(t, &e)
                })
                .collect();
            return Ok(Owned {
                names: Vec::new(),
                failed,
                permits: BTreeMap::new(),
                keep: Keep::Etcd(None),
            });
        }
    };
    let claims = Claims {
        session: session.clone(),
    };
    let (watched, stop) = (session.clone(), stop.clone());
    tokio::spawn(async move {
        let why = watched.lost().await;
        tracing::error!("etcd lease lost ({why}): stopping every write");
        stop.request();
    });
    let (owned, failed) = reconcile::run::own(&claims, config, names).await;
    Ok(Owned {
        names: owned.iter().map(|(n, _)| n.clone()).collect(),
        failed,
        permits: owned
            .into_iter()
            .map(|(n, p)| (n, Arc::new(p) as Arc<dyn Permit>))
            .collect(),
        keep: Keep::Etcd(Some(session)),
    })
}
