//! The executor: carries out a [`TargetPlan`] through a [`Provider`], and decides nothing.
//!
//! Order: removals, then updates (which may free an e-mail), then creates, then membership
//! changes. Within a phase up to `concurrency` changes run at once. One failure does not stop
//! the others; every change ends in the report as done, failed (with why) or not started (after
//! a stop was requested). A create whose answer never came is looked up before it is retried,
//! so that no user is ever created twice.
//!
//! Complexity: one request per change (two for a membership change: list, then update), at most
//! `concurrency` in flight, so k changes take about k / concurrency round trips; O(k log k) to
//! sort the report.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use futures_util::stream;

use crate::plan::{Create, TargetPlan};
use crate::vendor::{Applied, Client, ProviderError};

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

/// A flag that asks a running apply to start nothing new.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
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
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Applied, String>> + Send + 'a>>,
);

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
                let outcome = match fut.await {
                    Ok(Applied::Confirmed) => Outcome::Done,
                    Ok(Applied::Accepted(note)) => Outcome::Accepted(note),
                    Err(e) => Outcome::Failed(e),
                };
                Step { change, outcome }
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
                Box::pin(async move { provider.delete(u).await.map_err(|e| e.to_string()) }),
            )
        })
        .chain(plan.deactivations.iter().map(|u| -> Job {
            (
                format!("deactivate {}", u.user.key),
                Box::pin(async move { provider.update(u).await.map_err(|e| e.to_string()) }),
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
                Box::pin(async move { provider.update(u).await.map_err(|e| e.to_string()) }),
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
                Box::pin(async move { provider.membership(m).await.map_err(|e| e.to_string()) }),
            )
        })
        .collect();
    run_phase(memberships, opts, &mut steps).await;

    Report {
        target: plan.target.clone(),
        steps,
    }
}

/// Creates a user; after an answer that never came, looks it up before trying again.
async fn create(provider: &dyn Client, c: &Create, opts: &Options<'_>) -> Result<Applied, String> {
    let password = match &c.password {
        Some(r) => Some(
            r.resolve(opts.secrets_base)
                .map_err(|e| format!("password: {e}"))?,
        ),
        None => None,
    };
    let mut attempt = 1;
    loop {
        let err: ProviderError = match provider.create(c, password.clone()).await {
            Ok(applied) => return Ok(applied),
            Err(e) => e,
        };
        if !err.is_ambiguous() {
            return Err(err.to_string());
        }
        tracing::warn!(user = %c.user.key, error = %err, "create answer lost; checking whether it happened");
        match provider.find(c).await {
            Ok(Some(_)) => return Ok(Applied::Confirmed),
            Ok(None) if attempt < opts.max_attempts => attempt += 1,
            Ok(None) => return Err(err.to_string()),
            Err(e) => return Err(format!("{err}; and the check that followed failed: {e}")),
        }
    }
}

#[cfg(test)]
mod tests;
