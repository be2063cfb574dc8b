//! The executor: carries out a [`TargetPlan`] through a vendor [`Client`], and decides nothing.
//!
//! Order: removals first; an update that frees an e-mail before the create that takes it;
//! a membership change after the creates and updates of its members and the creates joining
//! its collection (they need the new ids). `order` states the rules; apart from them
//! updates, creates and membership changes overlap, with no barrier between kinds, up to
//! `concurrency` changes at once, the change heading the longest chain of requests first. One
//! failure does not stop the others; every change ends in the report as done, failed (with
//! why) or not started (after a stop was requested, including a change whose request was still
//! waiting to be sent). A create whose answer never came is looked up, after a pause with
//! jitter, before it is retried, so that no user is ever created twice.
//!
//! Complexity: one request per change (two for a membership change: list, then update), at most
//! `concurrency` in flight, so r requests take about r / concurrency round trips; O(k log k)
//! to order k changes and to sort the report.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::coordination::{Denied, Permit};
use crate::plan::{Create, TargetPlan};
use crate::vendor::http::{ceiling, random_unit};
use crate::vendor::{Applied, Client, ProviderError};

use order::Order;

pub use crate::vendor::stop::Stop;

mod gate;
mod order;

/// How one change ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum Outcome {
    Done,
    /// Accepted by the vendor but not yet confirmed; the next plan verifies it.
    Accepted(String),
    Failed(String),
    NotStarted,
}

/// The kind of a change, for reports and metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
    Deactivate,
    Membership,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
            ChangeKind::Deactivate => "deactivate",
            ChangeKind::Membership => "membership",
        }
    }
}

/// One change and how it ended.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Step {
    /// e.g. `create ana@example.com`, `workflow 496553: +2 -1`.
    pub change: String,
    pub kind: ChangeKind,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The vendor's error, when the change failed at the vendor (not in JSON: `detail` says it).
    #[serde(skip)]
    #[schemars(skip)]
    pub error: Option<ProviderError>,
}

/// What an apply did on one target.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Report {
    pub target: String,
    pub steps: Vec<Step>,
    /// Why writing stopped before every change was started, when the permit was refused (the
    /// changes left are `not_started`; not in JSON: the caller reports it).
    #[serde(skip)]
    #[schemars(skip)]
    pub denied: Option<Denied>,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
            .count()
    }
    pub fn not_started(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.outcome == Outcome::NotStarted)
            .count()
    }
    pub fn done(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.outcome == Outcome::Done)
            .count()
    }
    pub fn accepted(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Accepted(_)))
            .count()
    }
    pub fn ok(&self) -> bool {
        self.failed() == 0 && self.not_started() == 0
    }
}

/// Calls the progress callback when a change ends, however it ends.
struct Tick(Option<Arc<dyn Fn() + Send + Sync>>);

impl Drop for Tick {
    fn drop(&mut self) {
        if let Some(f) = &self.0 {
            f();
        }
    }
}

/// Settings the executor needs besides the plan.
pub struct Options<'a> {
    pub concurrency: usize,
    pub max_attempts: u32,
    /// Where relative secret files are found.
    pub secrets_base: &'a Path,
    pub stop: Stop,
    /// Called after each change ends (e.g. to move a progress bar).
    pub progress: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Proves the right to write before every batch of up to `concurrency` changes.
    pub permit: &'a dyn Permit,
}

type Job<'a> = (
    String,
    ChangeKind,
    std::pin::Pin<Box<dyn std::future::Future<Output = Ended> + Send + 'a>>,
);

/// How a change ended, and the vendor's error when it failed.
type Ended = (Outcome, Option<ProviderError>);

/// How a change ended, from its provider call.
fn outcome(result: Result<Applied, ProviderError>) -> Ended {
    match result {
        Ok(Applied::Confirmed) => (Outcome::Done, None),
        Ok(Applied::Accepted(note)) => (Outcome::Accepted(note), None),
        // Stopped before anything of it reached the vendor.
        Err(ProviderError::Stopped {
            maybe_applied: false,
            ..
        }) => (Outcome::NotStarted, None),
        Err(e @ ProviderError::Stopped { .. }) => {
            let why = format!("interrupted: {e} (the next plan shows whether it did)");
            (Outcome::Failed(why), Some(e))
        }
        Err(e) => (Outcome::Failed(e.to_string()), Some(e)),
    }
}

/// Runs every job, at most `concurrency` at once, each as soon as the jobs it waits for have
/// ended (however they ended), the one heading the longest chain first, each once the permit
/// allows it. Returns each job's step, and why the permit stopped the writes.
async fn run<'a>(
    mut jobs: Vec<Option<Job<'a>>>,
    order: &Order,
    opts: &Options<'_>,
    target: &str,
) -> (Vec<Step>, Option<Denied>) {
    let mut waits = order.waits.clone();
    let mut ready: BinaryHeap<(u32, Reverse<usize>)> = BinaryHeap::new();
    let mut released = |i: usize, ready: &mut BinaryHeap<(u32, Reverse<usize>)>| {
        for &j in &order.then[i] {
            waits[j] -= 1;
            if waits[j] == 0 {
                ready.push((order.height[j], Reverse(j)));
            }
        }
    };
    for (i, _) in order.waits.iter().enumerate().filter(|(_, w)| **w == 0) {
        ready.push((order.height[i], Reverse(i)));
    }
    let mut steps: Vec<Option<Step>> = (0..jobs.len()).map(|_| None).collect();
    let mut running = FuturesUnordered::new();
    let width = opts.concurrency.max(1);
    let mut gate = gate::Gate::new(opts.permit, width, target);
    loop {
        while running.len() < width {
            let Some((_, Reverse(i))) = ready.pop() else {
                break;
            };
            let Some((change, kind, fut)) = jobs[i].take() else {
                released(i, &mut ready); // the barrier after the removals: nothing to send
                continue;
            };
            let tick = Tick(opts.progress.clone());
            if opts.stop.requested() || !gate.admit().await {
                steps[i] = Some(Step {
                    change,
                    kind,
                    outcome: Outcome::NotStarted,
                    error: None,
                });
                drop(tick);
                released(i, &mut ready);
                continue;
            }
            running.push(async move {
                let _tick = tick;
                let (outcome, error) = fut.await;
                let step = Step {
                    change,
                    kind,
                    outcome,
                    error,
                };
                (i, step)
            });
        }
        let Some((i, step)) = running.next().await else {
            break;
        };
        steps[i] = Some(step);
        released(i, &mut ready);
    }
    // Every job is reached (each waits only for earlier ones); this only keeps the report whole.
    let steps = steps
        .into_iter()
        .zip(jobs)
        .filter_map(|(step, job)| {
            step.or_else(|| {
                job.map(|(change, kind, _)| Step {
                    change,
                    kind,
                    outcome: Outcome::NotStarted,
                    error: None,
                })
            })
        })
        .collect();
    (steps, gate.denied)
}

/// Executes `plan` and reports every change: removals, updates, creates, then membership
/// changes, each kind sorted by its change.
pub async fn apply(provider: &dyn Client, plan: &TargetPlan, opts: &Options<'_>) -> Report {
    let order = order::order(plan);
    let mut jobs: Vec<Option<Job>> = Vec::with_capacity(order.waits.len());
    jobs.extend(plan.deletes.iter().map(|u| -> Option<Job> {
        Some((
            format!("delete {}", u.key),
            ChangeKind::Delete,
            Box::pin(async move { outcome(provider.delete(u).await) }),
        ))
    }));
    jobs.extend(plan.deactivations.iter().map(|u| -> Option<Job> {
        Some((
            format!("deactivate {}", u.user.key),
            ChangeKind::Deactivate,
            Box::pin(async move { outcome(provider.update(u).await) }),
        ))
    }));
    if order.first_update > jobs.len() {
        jobs.push(None);
    }
    jobs.extend(plan.updates.iter().map(|u| -> Option<Job> {
        Some((
            format!("update {}", u.user.key),
            ChangeKind::Update,
            Box::pin(async move { outcome(provider.update(u).await) }),
        ))
    }));
    jobs.extend(plan.creates.iter().map(|c| -> Option<Job> {
        Some((
            format!("create {}", c.user.key),
            ChangeKind::Create,
            Box::pin(create(provider, c, opts)),
        ))
    }));
    jobs.extend(plan.memberships.iter().map(|m| -> Option<Job> {
        let change = format!(
            "{} {}: +{} -{}",
            m.field,
            m.collection,
            m.join.len(),
            m.leave.len()
        );
        Some((
            change,
            ChangeKind::Membership,
            Box::pin(async move { outcome(provider.membership(m).await) }),
        ))
    }));
    let removals = plan.deletes.len() + plan.deactivations.len();
    let kinds = [
        removals,
        plan.updates.len(),
        plan.creates.len(),
        plan.memberships.len(),
    ];
    let (steps, denied) = run(jobs, &order, opts, &plan.target).await;
    let mut steps = steps.into_iter();
    let mut report = Vec::with_capacity(steps.len());
    for n in kinds {
        let mut kind: Vec<Step> = steps.by_ref().take(n).collect();
        kind.sort_by(|a, b| a.change.cmp(&b.change));
        report.extend(kind);
    }
    Report {
        target: plan.target.clone(),
        steps: report,
        denied,
    }
}

/// The first pause before looking a lost create up, doubled per attempt up to the cap.
const LOOKUP_BASE: Duration = Duration::from_millis(500);
const LOOKUP_CAP: Duration = Duration::from_secs(10);

/// A random pause in `[c/2, c]` for `c = min(cap, base · 2^(attempt-1))`: at least half the
/// ceiling, so that the vendor has had time to commit a create whose answer was lost.
fn lookup_pause(attempt: u32) -> Duration {
    let c = ceiling(LOOKUP_BASE, LOOKUP_CAP, attempt);
    c / 2 + (c / 2).mul_f64(random_unit())
}

/// Creates a user; after an answer that never came, pauses, then looks it up before trying
/// again.
async fn create(provider: &dyn Client, c: &Create, opts: &Options<'_>) -> Ended {
    let password = match &c.password {
        Some(r) => match r.resolve(opts.secrets_base) {
            Ok(p) => Some(p),
            Err(e) => return (Outcome::Failed(format!("password: {e}")), None),
        },
        None => None,
    };
    let mut attempt = 1;
    loop {
        let err: ProviderError = match provider.create(c, password.clone()).await {
            Ok(applied) => return outcome(Ok(applied)),
            Err(e) => e,
        };
        if !err.is_ambiguous() {
            return outcome(Err(err));
        }
        tracing::warn!(user = %c.user.key, error = %err, "create answer lost; checking whether it happened");
        tokio::select! {
            biased;
            () = opts.stop.wait() => {
                let why = format!(
                    "interrupted: {err}; stopped before checking whether the user was created (the next plan shows it)"
                );
                return (Outcome::Failed(why), Some(err));
            }
            () = tokio::time::sleep(lookup_pause(attempt)) => {}
        }
        match provider.find(c).await {
            Ok(Some(_)) => return (Outcome::Done, None),
            Ok(None) if attempt < opts.max_attempts => attempt += 1,
            Ok(None) => return (Outcome::Failed(err.to_string()), Some(err)),
            Err(e) => {
                let why = format!("{err}; and the check that followed failed: {e}");
                return (Outcome::Failed(why), Some(err));
            }
        }
    }
}

#[cfg(test)]
mod tests;
