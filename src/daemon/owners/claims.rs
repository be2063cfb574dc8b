//! The claim loop: steps the etcd [`Coordinator`] on a timer (a third of the lease TTL) and
//! whenever membership or ownership changes in etcd, and turns each step into grants: claimed
//! targets are granted (their workers wake at once), lost ones revoked, targets above the fair
//! share revoked and released once their workers are idle. When etcd cannot be reached it says
//! so in the gauges and keeps trying; a lost session's targets are revoked at once.
//!
//! Must not: reconcile, or release a key while its worker still works on the target.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use crate::apply::Stop;
use crate::coordination::etcd::{ClaimPermit, Coordinator, EtcdSettings};

use super::super::metrics::Metrics;
use super::{Grant, Grants, Owner};

impl Owner for ClaimPermit {
    fn publish<'a>(
        &'a self,
        finished_at: &'a str,
        result: &'a str,
        summary: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            if let Err(e) = ClaimPermit::publish(self, finished_at, result, summary).await {
                tracing::warn!("cannot publish the reconcile result: {e}");
            }
        })
    }
}

/// Runs until `stop`, then waits for the workers to be done, releases everything and gives
/// the lease back.
pub(crate) async fn run(
    settings: EtcdSettings,
    grants: Arc<Grants>,
    metrics: Arc<Metrics>,
    stop: Stop,
) {
    let tick = (settings.lease_ttl / 3).max(Duration::from_millis(200));
    let mut c = Coordinator::new(settings, "roster daemon");
    let mut releasing: BTreeMap<String, Grant> = BTreeMap::new();
    let mut changes = None;
    let mut down: Option<String> = None;
    let gauges = &metrics.ownership;
    gauges.set(&[], BTreeSet::new(), Some("not connected yet".into()));
    loop {
        let targets = grants.targets();
        let step = c.step(&targets).await;
        for (target, why) in &step.lost {
            tracing::warn!(target = %target, "lost target {target}: {why}; writing nothing more to it");
            grants.revoke(target);
            releasing.remove(target);
            gauges.count("loss");
        }
        for target in &step.claimed {
            let Some(permit) = c.permit(target) else {
                continue;
            };
            tracing::info!(target = %target, "claimed target {target}; reconciling it now");
            grants.grant(target, Grant::new(Arc::new(permit)));
            gauges.count("claim");
        }
        for target in step.to_release {
            if let Some(g) = grants.revoke(&target) {
                tracing::info!(target = %target, "releasing target {target} to another daemon (fair share)");
                releasing.insert(target, g);
            }
        }
        release_idle(&mut c, &mut releasing, gauges).await;
        let now_down = step.error.as_ref().map(ToString::to_string);
        match (&down, &now_down) {
            (None, Some(why)) => {
                tracing::error!("etcd unavailable, applying nothing until it answers: {why}")
            }
            (Some(_), None) => tracing::info!("etcd answers again"),
            _ => {}
        }
        down = now_down;
        gauges.set(
            &targets,
            c.owned().map(String::from).collect(),
            down.clone(),
        );
        if c.session().is_none() {
            changes = None;
        } else if changes.is_none()
            && let Some(s) = c.session()
        {
            changes = s.etcd().changes().await.ok();
        }
        let pause = if releasing.is_empty() {
            tick
        } else {
            Duration::from_millis(100)
        };
        let lost = async {
            match c.session() {
                Some(s) => {
                    s.lost().await;
                }
                None => std::future::pending().await,
            }
        };
        let changed = async {
            match changes.as_mut() {
                Some(ch) => ch.next().await.is_ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = stop.wait() => break,
            () = tokio::time::sleep(pause) => {}
            () = grants.poke.notified() => {}
            () = lost => {}
            ok = changed => if !ok {
                // A watch that ends at once must not make the loop spin: pause before the next.
                changes = None;
                tokio::time::sleep(Duration::from_millis(200)).await;
            },
        }
    }
    for g in grants.revoke_all() {
        let _ = g.busy.lock().await;
    }
    c.shutdown().await;
    gauges.set(&[], BTreeSet::new(), Some("stopped".into()));
}

/// Releases each target whose worker is no longer working on it.
async fn release_idle(
    c: &mut Coordinator,
    releasing: &mut BTreeMap<String, Grant>,
    gauges: &super::gauges::Gauges,
) {
    let idle: Vec<String> = releasing
        .iter()
        .filter(|(_, g)| g.busy.try_lock().is_ok())
        .map(|(t, _)| t.clone())
        .collect();
    for target in idle {
        match c.release(&target).await {
            Ok(_) => {
                releasing.remove(&target);
                gauges.count("release");
            }
            Err(e) => tracing::warn!(target = %target, "cannot release target {target} yet: {e}"),
        }
    }
}
