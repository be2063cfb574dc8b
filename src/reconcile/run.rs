//! Many targets in one run: each target is locked, fetched, checked, planned and applied on
//! its own, up to `parallel` targets at once, and a target that fails becomes a [`Failure`]
//! beside the others' plans instead of stopping them. Results come back in target-name order
//! whatever order they finish in.
//!
//! Each target keeps its own client, so its `concurrency` and `rate_limit` hold as they do
//! alone; two targets on one vendor host share nothing but the host. Decides nothing about
//! output or exit codes.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::apply::{self, Report, Stop};
use crate::config::{Config, Target};
use crate::coordination::{Coordinator, Permit, Unfenced};
use crate::model::{ActualUser, DesiredUser};
use crate::plan::{self, Guards, TargetPlan};
use crate::vendor::Client;
use crate::vendor::http::Stats;

use super::failure::{Failure, Stage};
use super::{Loaded, Planned, Skipped};

/// One target planned: its plan, the client to apply it with, and its users as fetched.
pub struct TargetRun {
    pub plan: TargetPlan,
    pub provider: Box<dyn Client>,
    pub actual: Vec<ActualUser>,
}

/// What planning one target needs besides the config and the target.
#[derive(Clone, Debug)]
pub struct PlanCx {
    pub stats: Arc<Stats>,
    /// The providers' requests, then and when applying, stop waiting when it is requested.
    pub stop: Stop,
    pub guards: Guards,
    /// The instant every target of the run is planned for.
    pub now: DateTime<Utc>,
}

/// Connects, fetches, checks and plans one target; any failure is this target's alone.
pub async fn plan_target(
    config: &Config,
    cx: &PlanCx,
    target: &Target,
    desired: &[DesiredUser],
) -> Result<TargetRun, Failure> {
    let fetched = fetch_target(config, cx, target, desired).await?;
    plan_fetched(fetched, cx, target, desired, None)
}

/// One target's client and its users as fetched, not yet checked or planned.
pub struct Fetched {
    pub provider: Box<dyn Client>,
    pub actual: Vec<ActualUser>,
}

/// The first half of [`plan_target`]: connects and fetches.
pub async fn fetch_target(
    config: &Config,
    cx: &PlanCx,
    target: &Target,
    desired: &[DesiredUser],
) -> Result<Fetched, Failure> {
    let provider = connect_target(config, cx, target)?;
    fetch_with(provider, target, desired).await
}

/// Builds the target's client (its credentials read; no request yet).
#[expect(
    clippy::result_large_err,
    reason = "the same Failure every planning step returns, made once per target"
)]
pub fn connect_target(
    config: &Config,
    cx: &PlanCx,
    target: &Target,
) -> Result<Box<dyn Client>, Failure> {
    super::provider(config, target, cx.stats.clone(), &cx.stop)
        .map_err(|e| Failure::setup(target, &e))
}

/// Fetches the users in scope for `desired` through `provider`.
pub async fn fetch_with(
    provider: Box<dyn Client>,
    target: &Target,
    desired: &[DesiredUser],
) -> Result<Fetched, Failure> {
    let actual = provider
        .fetch(desired)
        .await
        .map_err(|e| Failure::vendor(target, Stage::Fetch, &e))?;
    Ok(Fetched { provider, actual })
}

/// The second half of [`plan_target`]: checks `desired` against what the fetch learned, and
/// plans (only the users in `focus`, when given; see [`plan::plan_focused`]).
#[expect(
    clippy::result_large_err,
    reason = "the same Failure every planning step returns, made once per target"
)]
pub fn plan_fetched(
    fetched: Fetched,
    cx: &PlanCx,
    target: &Target,
    desired: &[DesiredUser],
    focus: Option<&plan::Focus>,
) -> Result<TargetRun, Failure> {
    let Fetched { provider, actual } = fetched;
    let problems = provider.check(desired);
    if !problems.is_empty() {
        return Err(Failure::check(target, &problems));
    }
    let input = plan::Input {
        target: &target.name,
        desired,
        actual: &actual,
        schema: target.schema(),
        policy: &target.policy,
        now: cx.now,
        guards: cx.guards,
    };
    let mut planned = plan::plan_focused(&input, focus);
    planned.host = crate::render::host_label(&target.url);
    Ok(TargetRun {
        plan: planned,
        provider,
        actual,
    })
}

/// Plans `names` (each a target of the config), `parallel` at a time, each in a task of its
/// own so that targets parse and plan on every core. Targets of the config not named are
/// listed as skipped, with `why`.
pub async fn plan_targets(
    loaded: &Arc<Loaded>,
    names: &[String],
    parallel: usize,
    cx: &PlanCx,
    why: &str,
) -> Planned {
    // Lazy: a task is spawned only when the stream has room for it.
    let jobs = names
        .iter()
        .filter(|n| loaded.config.targets.contains_key(*n))
        .map(|name| {
            let (loaded, cx, name) = (loaded.clone(), cx.clone(), name.clone());
            tokio::spawn(async move {
                let Some(target) = loaded.config.targets.get(&name) else {
                    unreachable!("names are filtered to the config's targets")
                };
                let desired = loaded
                    .desired
                    .by_target
                    .get(&name)
                    .map(|u| u.as_slice())
                    .unwrap_or_default();
                let result = plan_target(&loaded.config, &cx, target, desired).await;
                (name, result)
            })
        });
    let results: Vec<(String, Result<TargetRun, Failure>)> = futures_util::stream::iter(jobs)
        .buffer_unordered(parallel.max(1))
        .map(|joined| joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())))
        .collect()
        .await;
    let by_name: BTreeMap<String, Result<TargetRun, Failure>> = results.into_iter().collect();
    let mut planned = Planned {
        plan: Default::default(),
        providers: Vec::new(),
        actual: Vec::new(),
        failed: Vec::new(),
        skipped: skipped(&loaded.config, names, why),
        stats: cx.stats.clone(),
    };
    for (_, result) in by_name {
        match result {
            Ok(run) => planned.push(run),
            Err(f) => planned.failed.push(f),
        }
    }
    planned
}

/// The targets of `config` that are not in `names`.
pub fn skipped(config: &Config, names: &[String], why: &str) -> Vec<Skipped> {
    config
        .targets
        .values()
        .filter(|t| !names.contains(&t.name))
        .map(|t| Skipped {
            target: t.name.clone(),
            provider: t.provider().to_string(),
            host: crate::render::host_label(&t.url),
            reason: why.to_string(),
        })
        .collect()
}

/// What applying needs besides the plan.
#[derive(Clone, Default)]
pub struct ApplyCx {
    pub stop: Stop,
    /// Called after each change (progress bars, the daemon's heartbeat).
    pub progress: Option<Arc<dyn Fn() + Send + Sync>>,
    pub parallel: usize,
    /// Each target's permit to write, proved before every write batch; a target without one
    /// is under a lock that cannot lapse (the file lock).
    pub permits: BTreeMap<String, Arc<dyn Permit>>,
}

/// Applies one target's plan with its own `concurrency` and `max_attempts`.
pub async fn apply_target(
    config: &Config,
    target: &Target,
    plan: &TargetPlan,
    provider: &dyn Client,
    cx: &ApplyCx,
) -> Report {
    let opts = apply::Options {
        concurrency: target.limits.concurrency,
        max_attempts: target.limits.max_attempts,
        secrets_base: &config.base_dir,
        stop: cx.stop.clone(),
        progress: cx.progress.clone(),
        permit: cx
            .permits
            .get(&target.name)
            .map_or(&Unfenced as &dyn Permit, |p| p.as_ref()),
    };
    apply::apply(provider, plan, &opts).await
}

/// Applies every planned target, `cx.parallel` at a time; the reports in the plan's order.
pub async fn apply_targets(loaded: &Loaded, planned: &Planned, cx: &ApplyCx) -> Vec<Report> {
    let jobs = planned
        .plan
        .targets
        .iter()
        .zip(&planned.providers)
        .filter_map(|(t, p)| Some((loaded.config.targets.get(&t.target)?, t, p)));
    futures_util::stream::iter(jobs)
        .map(|(target, t, p)| apply_target(&loaded.config, target, t, p.as_ref(), cx))
        .buffered(cx.parallel.max(1))
        .collect()
        .await
}

/// Takes each of `names` from `coordinator`; a target another process holds fails alone.
pub(crate) async fn own<C: Coordinator>(
    coordinator: &C,
    config: &Config,
    names: &[String],
) -> (Vec<(String, C::Ownership)>, Vec<Failure>) {
    let mut owned = Vec::new();
    let mut failed = Vec::new();
    for name in names {
        let Some(target) = config.targets.get(name) else {
            continue;
        };
        match coordinator.acquire(name).await {
            Ok(o) => owned.push((name.clone(), o)),
            Err(e) => failed.push(Failure::lock(target, &e)),
        }
    }
    (owned, failed)
}
