//! A daemon's claim loop, one [`Coordinator::step`] at a time: keep a registered session, read
//! who is live and who owns what, let go of what is lost, ask to release above the fair share,
//! claim free targets below it.
//!
//! The daemon calls `step` on a timer (a fraction of the lease TTL) and whenever
//! [`super::Changes`] fires, reconciles the `claimed` targets at once (prompt takeover), and
//! stops working on the `lost` ones. `step` never releases a target itself: a write batch may
//! be running for it, and the next owner could start the moment the key is gone. It lists them
//! in `to_release`; the daemon stops working on each, then calls [`Coordinator::release`].
//!
//! When etcd cannot be reached, `step` says so in `error` and the daemon keeps running; a lost
//! session is replaced by a new one as soon as etcd answers, and the lost lease is revoked then
//! so that its keys free up without waiting out the TTL.
//! This module decides nothing about vendors and runs no timer of its own.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::time::Instant;

use super::error::{ClaimError, EtcdError, FenceError, LostWhy};
use super::ownership::{Claim, Fence};
use super::permit::ClaimPermit;
use super::session::Session;
use super::settings::{Etcd, EtcdSettings};
use super::share::{ShareView, fair_share};

/// A daemon's ownerships over time.
pub struct Coordinator {
    settings: EtcdSettings,
    role: String,
    session: Option<Arc<Session>>,
    owned: BTreeMap<String, Claim>,
    /// Leases of lost sessions, to revoke once etcd answers, until they would have expired.
    stale: Vec<(Etcd, i64, Instant)>,
}

/// What one step changed.
#[derive(Debug, Default)]
pub struct Step {
    /// Newly owned: reconcile these now.
    pub claimed: Vec<String>,
    /// Above the fair share: stop working on these, then [`Coordinator::release`] them.
    pub to_release: Vec<String>,
    /// No longer owned, and why: stop writing to these.
    pub lost: Vec<(String, LostWhy)>,
    /// Why the step stopped early (etcd unreachable, the session could not start...).
    pub error: Option<EtcdError>,
}

impl Coordinator {
    pub fn new(settings: EtcdSettings, role: &str) -> Coordinator {
        Coordinator {
            settings,
            role: role.to_string(),
            session: None,
            owned: BTreeMap::new(),
            stale: Vec::new(),
        }
    }

    /// The current session, if one is alive.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_deref().filter(|s| s.is_alive())
    }

    /// `target`'s claim as a permit to write, while this daemon owns it.
    pub fn permit(&self, target: &str) -> Option<ClaimPermit> {
        let session = self.session.as_ref()?;
        let claim = self.owned.get(target)?;
        Some(ClaimPermit::new(session.clone(), claim.clone()))
    }

    /// The targets owned now, by name.
    pub fn owned(&self) -> impl Iterator<Item = &str> {
        self.owned.keys().map(String::as_str)
    }

    /// This daemon's session and its claim on `target`: a target it does not hold is lost.
    fn held(&self, target: &str) -> Result<(&Session, &Claim), FenceError> {
        let lost = || FenceError::Lost {
            target: target.to_string(),
            why: LostWhy::KeyGone,
        };
        let claim = self.owned.get(target).ok_or_else(lost)?;
        let session = self.session.as_deref().ok_or_else(lost)?;
        Ok((session, claim))
    }

    /// Fences `target` before a write batch; see [`Session::fence`].
    pub async fn fence(&self, target: &str) -> Result<Fence, FenceError> {
        let (session, claim) = self.held(target)?;
        session.fence(claim).await
    }

    /// Publishes `target`'s last reconcile result for `roster status`; see [`Session::publish`].
    pub async fn publish(
        &self,
        target: &str,
        finished_at: &str,
        result: &str,
        summary: &str,
    ) -> Result<(), FenceError> {
        let (session, claim) = self.held(target)?;
        session.publish(claim, finished_at, result, summary).await
    }

    /// One turn of the claim loop for the configured `targets`.
    pub async fn step(&mut self, targets: &[String]) -> Step {
        let mut step = Step::default();
        if let Some(Err(why)) = self.session.as_deref().map(Session::deadline) {
            self.drop_session(why, &mut step);
        }
        self.revoke_stale().await;
        if self.session.is_none() {
            match self.start().await {
                Ok(session) => self.session = Some(Arc::new(session)),
                Err(e) => {
                    step.error = Some(e);
                    return step;
                }
            }
        }
        if let Err(e) = self.turn(targets, &mut step).await {
            step.error = Some(e);
        }
        step
    }

    /// Releases `target` once this process no longer works on it; whether a key was deleted.
    pub async fn release(&mut self, target: &str) -> Result<bool, EtcdError> {
        let (Some(session), Some(claim)) = (self.session.as_ref(), self.owned.get(target)) else {
            return Ok(false);
        };
        let released = session.release(claim).await?;
        self.owned.remove(target);
        Ok(released)
    }

    /// Releases everything and gives the lease back (at shutdown, once no write is running).
    pub async fn shutdown(mut self) {
        if let Some(session) = self.session.take() {
            for claim in self.owned.values() {
                let _ = session.release(claim).await;
            }
            session.close().await;
        }
    }

    async fn start(&self) -> Result<Session, EtcdError> {
        let session = Session::start(&self.settings, &self.role).await?;
        match session.register().await {
            Ok(()) => Ok(session),
            Err(e) => {
                session.close().await;
                Err(e)
            }
        }
    }

    fn drop_session(&mut self, why: LostWhy, step: &mut Step) {
        let Some(session) = self.session.take() else {
            return;
        };
        for target in std::mem::take(&mut self.owned).into_keys() {
            step.lost.push((target, why.clone()));
        }
        let until = Instant::now() + 2 * session.ttl();
        self.stale
            .push((session.etcd().clone(), session.lease(), until));
    }

    async fn revoke_stale(&mut self) {
        let mut keep = Vec::new();
        for (etcd, lease, until) in std::mem::take(&mut self.stale) {
            let mut client = etcd.client.lease_client();
            let revoked =
                super::call::once("revoke lease", etcd.request_timeout, client.revoke(lease)).await;
            if matches!(revoked, Err(EtcdError::Unavailable { .. })) && Instant::now() < until {
                keep.push((etcd, lease, until));
            }
        }
        self.stale = keep;
    }

    async fn turn(&mut self, targets: &[String], step: &mut Step) -> Result<(), EtcdError> {
        let session = self.session.as_ref().expect("a session was just ensured");
        let (members, owners) =
            tokio::try_join!(session.etcd().members(), session.etcd().owners())?;

        // What we believe we hold must still be exactly ours; what is ours but unknown (a claim
        // whose answer was lost) is adopted.
        self.owned.retain(|target, claim| match owners.get(target) {
            Some(o) if o.lease == claim.lease && o.revision == claim.revision => true,
            Some(o) => {
                step.lost
                    .push((target.clone(), LostWhy::TakenBy(Box::new(o.holder.clone()))));
                false
            }
            None => {
                step.lost.push((target.clone(), LostWhy::KeyGone));
                false
            }
        });
        for (target, o) in &owners {
            if o.lease == session.lease() && !self.owned.contains_key(target) {
                let claim = Claim {
                    target: target.clone(),
                    revision: o.revision,
                    lease: o.lease,
                };
                self.owned.insert(target.clone(), claim);
                step.claimed.push(target.clone());
            }
        }

        let live: Vec<String> = members.into_iter().map(|m| m.id).collect();
        let owner_ids: BTreeMap<String, String> = owners
            .iter()
            .map(|(t, o)| (t.clone(), o.holder.id.clone()))
            .collect();
        let share = fair_share(ShareView {
            me: session.id(),
            live: &live,
            targets,
            owners: &owner_ids,
        });
        step.to_release = share
            .release
            .into_iter()
            .filter(|t| self.owned.contains_key(t))
            .collect();
        for target in share.claim {
            match session.claim(&target).await {
                Ok(claim) => {
                    self.owned.insert(target.clone(), claim);
                    step.claimed.push(target);
                }
                Err(ClaimError::Held { .. }) => {}
                Err(ClaimError::Etcd { source, .. }) => return Err(source),
            }
        }
        Ok(())
    }
}
