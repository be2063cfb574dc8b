//! One reconcile pass of one target: take its lock (apply mode; with etcd the grant replaces
//! it), fetch, check and plan with guarded removals held back (only the users an edit touched,
//! when focused), prove the ownership still holds (and again before every write batch),
//! apply, and count it all in the target's metrics. Its caller keeps the loop, the retries and
//! the health.
//!
//! A focused pass knows nothing about drift elsewhere: it leaves `roster_needs_person` and a
//! `roster_pending_drift` of 0 as the last full pass set them, and raises pending drift only
//! with what it could not apply itself.
//!
//! Must not: schedule anything or touch another target.

use std::sync::Arc;

use crate::apply::{Outcome, Stop};
use crate::coordination::local::LocalLocks;
use crate::coordination::{Coordinator, Ownership};
use crate::plan::{Guards, Summary, TargetPlan};
use crate::reconcile::{self, ApplyCx, Failure, PlanCx};
use crate::vendor::http::Stats;

use super::super::metrics::{EndpointLabel, KindLabel, RequestLabel, TargetLabel};
use super::super::owners::Grant;
use super::super::systemd;
use super::focus::Touched;
use super::prefetch::Prefetch;
use super::{Snapshot, Worker};

/// A pass that finished: its summary, and whether it was clean (nothing failed, held back or
/// guarded), so that the next file change may be focused on what it touches.
pub(super) struct Done {
    pub(super) summary: String,
    pub(super) clean: bool,
}

impl Worker {
    /// Locks (apply mode), plans (focused on `touched`, when given) and applies the target
    /// once; a one-line summary, or why not. With a `grant` (etcd), the grant replaces the
    /// file lock and is proved before every write batch; `stop` ends the requests (a signal,
    /// or the grant revoked).
    pub(super) async fn once(
        &self,
        snap: &Snapshot,
        stop: &Stop,
        grant: Option<&Grant>,
        touched: Option<&Touched>,
        prefetched: Option<Prefetch>,
    ) -> Result<Done, String> {
        let Some(target) = snap.config.targets.get(&self.name) else {
            return Err(format!("target {} is not in the config", self.name));
        };
        let owned = if snap.apply && grant.is_none() {
            let locks = LocalLocks::new(&snap.config.state_dir);
            match locks.acquire(&self.name).await {
                Ok(o) => Some(o),
                Err(e) => return Err(Failure::lock(target, &e).to_string()),
            }
        } else {
            None
        };
        let prefetched = prefetched.filter(|p| {
            let usable = p.usable(target, &snap.users, snap.config.daemon.debounce);
            if !usable {
                tracing::info!(target = %self.name, "the list fetched during the debounce does not serve this reconcile; fetching again");
            }
            usable
        });
        let stats = match &prefetched {
            Some(p) => p.stats.clone(),
            None => self.stats(),
        };
        let answers = || stats.total() + stats.retries();
        let cx = PlanCx {
            stats: stats.clone(),
            stop: stop.clone(),
            guards: Guards::Hold,
            now: chrono::Utc::now(),
        };
        let focus = touched.map(|t| &t.focus);
        let planned = self
            .beating(
                async {
                    let fetched = match prefetched {
                        Some(p) => {
                            tracing::info!(target = %self.name, "using the list fetched during the debounce");
                            p.fetched
                        }
                        None => {
                            reconcile::run::fetch_target(&snap.config, &cx, target, &snap.users)
                                .await?
                        }
                    };
                    reconcile::run::plan_fetched(fetched, &cx, target, &snap.users, focus)
                },
                &answers,
            )
            .await;
        self.record_requests(&stats);
        let run = planned.map_err(|f| f.to_string())?;
        let plan = &run.plan;
        let label = TargetLabel::of(&self.name);
        if let Some(trip) = &plan.guard {
            tracing::warn!(target = %self.name, "guard tripped, holding removals back: {trip}");
            self.shared
                .metrics
                .guards_tripped
                .get_or_create(&label)
                .inc();
        }
        let m = &self.shared.metrics;
        if touched.is_none() {
            m.needs_person
                .get_or_create(&label)
                .set(plan.needs_person.len() as i64);
        }
        let mut summary = Summary::of(std::slice::from_ref(plan)).counts();
        if let Some(t) = touched {
            summary = format!("focused on {} users, {summary}", t.users);
        }
        if !snap.apply {
            m.pending_drift.get_or_create(&label).set(changes_in(plan));
            return Ok(Done {
                summary: format!("plan mode, {summary}"),
                clean: false,
            });
        }
        let mut permits = std::collections::BTreeMap::new();
        match (&owned, grant) {
            (Some(o), _) => o
                .fence()
                .await
                .map_err(|e| Failure::lock(target, &e).to_string())?,
            (None, Some(g)) => {
                let permit = g.permit();
                permit
                    .prove()
                    .await
                    .map_err(|e| Failure::denied(target, &e).to_string())?;
                permits.insert(self.name.clone(), permit);
            }
            (None, None) => {}
        }
        let heartbeat = self.progress.heartbeat.clone();
        let apply_cx = ApplyCx {
            stop: stop.clone(),
            progress: Some(Arc::new(move || heartbeat.beat())),
            parallel: 1,
            permits,
        };
        let report = self
            .beating(
                reconcile::run::apply_target(
                    &snap.config,
                    target,
                    plan,
                    run.provider.as_ref(),
                    &apply_cx,
                ),
                &answers,
            )
            .await;
        self.record_requests(&stats);
        let mut failed = Vec::new();
        for s in &report.steps {
            match &s.outcome {
                Outcome::Done | Outcome::Accepted(_) => {
                    let kind = KindLabel {
                        target: self.name.clone(),
                        kind: s.kind.as_str().to_string(),
                    };
                    m.changes.get_or_create(&kind).inc();
                }
                Outcome::Failed(why) => failed.push(format!("{}: {why}", s.change)),
                Outcome::NotStarted => failed.push(format!("{}: not started", s.change)),
            }
        }
        if let Some(denied) = &report.denied {
            if matches!(denied, crate::coordination::Denied::Lost { .. })
                && let Some(g) = &self.shared.grants
            {
                g.poke.notify_one();
            }
            failed.insert(0, format!("stopped writing: {denied}"));
        }
        let pending = report.failed() + report.not_started() + plan.held.len();
        if touched.is_none() || pending > 0 {
            m.pending_drift.get_or_create(&label).set(pending as i64);
        }
        if !failed.is_empty() {
            return Err(format!(
                "{} change(s) failed: {}",
                failed.len(),
                failed.join("; ")
            ));
        }
        Ok(Done {
            summary,
            clean: pending == 0 && plan.guard.is_none(),
        })
    }

    pub(super) async fn beating<F: std::future::Future>(
        &self,
        work: F,
        answers: &impl Fn() -> u64,
    ) -> F::Output {
        systemd::beating(
            work,
            &self.progress.heartbeat,
            self.shared.beat_every,
            answers,
        )
        .await
    }

    /// Fresh request counters that feed the latency histogram.
    pub(super) fn stats(&self) -> Arc<Stats> {
        let m = self.shared.metrics.clone();
        let name = self.name.clone();
        Arc::new(Stats::observed(Arc::new(move |endpoint, d| {
            m.latency
                .get_or_create(&EndpointLabel {
                    target: name.clone(),
                    endpoint: endpoint.to_string(),
                })
                .observe(d.as_secs_f64());
        })))
    }

    /// Adds the requests made since the last call to the counters.
    pub(super) fn record_requests(&self, stats: &Stats) {
        let m = &self.shared.metrics;
        for ((endpoint, status), n) in stats.take() {
            let label = RequestLabel {
                target: self.name.clone(),
                endpoint,
                status,
            };
            m.requests.get_or_create(&label).inc_by(n);
        }
        m.retries
            .get_or_create(&TargetLabel::of(&self.name))
            .inc_by(stats.take_retries());
    }
}

fn changes_in(t: &TargetPlan) -> i64 {
    let s = Summary::of(std::slice::from_ref(t));
    (s.create + s.update + s.membership_changes + s.delete + s.deactivate) as i64
}
