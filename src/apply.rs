//! The executor: carries out a [`TargetPlan`] through a vendor [`Client`], and decides nothing.
//!
//! Order: removals, then updates (which may free an e-mail), then creates, then membership
//! changes. Within a phase up to `concurrency` changes run at once. One failure does not stop
//! the others; every change ends in the report as done, failed (with why) or not started (after
//! a stop was requested, including a change whose request was still waiting to be sent). A
//! create whose answer never came is looked up, after a pause with jitter, before it is
//! retried, so that no user is ever created twice.
//!
//! Complexity: one request per change (two for a membership change: list, then update), at most
//! `concurrency` in flight, so k changes take about k / concurrency round trips; O(k log k) to
//! sort the report.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;

use crate::plan::{Create, TargetPlan};
use crate::vendor::http::{ceiling, random_unit};
use crate::vendor::{Applied, Client, ProviderError};

pub use crate::vendor::stop::Stop;

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

/// One change and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Step {
    /// e.g. `create ana@example.com`, `workflow 496553: +2 -1`.
    pub change: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What an apply did on one target.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Report {
    pub target: String,
    pub steps: Vec<Step>,
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
}

type Job<'a> = (
    String,
    std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send + 'a>>,
);

/// How a change ended, from its provider call.
fn outcome(result: Result<Applied, ProviderError>) -> Outcome {
    match result {
        Ok(Applied::Confirmed) => Outcome::Done,
        Ok(Applied::Accepted(note)) => Outcome::Accepted(note),
        // Stopped before anything of it reached the vendor.
        Err(ProviderError::Stopped {
            maybe_applied: false,
            ..
        }) => Outcome::NotStarted,
        Err(e @ ProviderError::Stopped { .. }) => Outcome::Failed(format!(
            "interrupted: {e} (the next plan shows whether it did)"
        )),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

async fn run_phase<'a>(jobs: Vec<Job<'a>>, opts: &Options<'_>, steps: &mut Vec<Step>) {
    let stop = opts.stop.clone();
    let results: Vec<Step> = stream::iter(jobs)
        .map(|(change, fut)| {
            let stop = stop.clone();
            let progress = opts.progress.clone();
            let _tick = Tick(progress);
            async move {
                let _tick = _tick;
                if stop.requested() {
                    return Step {
                        change,
                        outcome: Outcome::NotStarted,
                    };
                }
                Step {
                    change,
                    outcome: fut.await,
                }
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let mut results = results;
    results.sort_by(|a, b| a.change.cmp(&b.change));
    steps.extend(results);
}

/// Executes `plan` and reports every change.
pub async fn apply(provider: &dyn Client, plan: &TargetPlan, opts: &Options<'_>) -> Report {
    let mut steps = Vec::new();
    let removals: Vec<Job> = plan
        .deletes
        .iter()
        .map(|u| -> Job {
            (
                format!("delete {}", u.key),
                Box::pin(async move { outcome(provider.delete(u).await) }),
            )
        })
        .chain(plan.deactivations.iter().map(|u| -> Job {
            (
                format!("deactivate {}", u.user.key),
                Box::pin(async move { outcome(provider.update(u).await) }),
            )
        }))
        .collect();
    run_phase(removals, opts, &mut steps).await;

    let updates: Vec<Job> = plan
        .updates
        .iter()
        .map(|u| -> Job {
            (
                format!("update {}", u.user.key),
                Box::pin(async move { outcome(provider.update(u).await) }),
            )
        })
        .collect();
    run_phase(updates, opts, &mut steps).await;

    let creates: Vec<Job> = plan
        .creates
        .iter()
        .map(|c| -> Job {
            (
                format!("create {}", c.user.key),
                Box::pin(create(provider, c, opts)),
            )
        })
        .collect();
    run_phase(creates, opts, &mut steps).await;

    let memberships: Vec<Job> = plan
        .memberships
        .iter()
        .map(|m| -> Job {
            let change = format!(
                "{} {}: +{} -{}",
                m.field,
                m.collection,
                m.join.len(),
                m.leave.len()
            );
            (
                change,
                Box::pin(async move { outcome(provider.membership(m).await) }),
            )
        })
        .collect();
    run_phase(memberships, opts, &mut steps).await;

    Report {
        target: plan.target.clone(),
        steps,
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
async fn create(provider: &dyn Client, c: &Create, opts: &Options<'_>) -> Outcome {
    let password = match &c.password {
        Some(r) => match r.resolve(opts.secrets_base) {
            Ok(p) => Some(p),
            Err(e) => return Outcome::Failed(format!("password: {e}")),
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
                return Outcome::Failed(format!(
                    "interrupted: {err}; stopped before checking whether the user was created (the next plan shows it)"
                ));
            }
            () = tokio::time::sleep(lookup_pause(attempt)) => {}
        }
        match provider.find(c).await {
            Ok(Some(_)) => return Outcome::Done,
            Ok(None) if attempt < opts.max_attempts => attempt += 1,
            Ok(None) => return Outcome::Failed(err.to_string()),
            Err(e) => {
                return Outcome::Failed(format!("{err}; and the check that followed failed: {e}"));
            }
        }
    }
}

#[cfg(test)]
mod tests;
