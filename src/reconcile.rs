//! One reconcile, shared by `plan`, `apply` and the daemon: load the desired state, build each
//! target's provider, fetch, plan, check the guards, and (when asked) apply.
//!
//! Decides nothing about output or exit codes; it returns values the caller renders.

use std::sync::Arc;

use anyhow::Context;

use crate::apply::{self, Report, Stop};
use crate::config::{Config, Target};
use crate::diag::{Problems, Stamp};
use crate::manifest::{self, Desired};
use crate::plan::{self, GuardTrip, Guards, Plan};
use crate::vendor::http::Stats;
use crate::vendor::{Client, Connect};

/// The config and manifests, validated.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub config: Config,
    pub desired: Desired,
}

/// Reads and validates the config and every manifest; touches no network.
///
/// The manifests are one consistent snapshot (see `manifest::load`); the config is read again
/// when it changed meanwhile (a `git pull` touching both), a few times, so that both come from
/// the same moment.
pub fn load(path: &std::path::Path) -> Result<Loaded, Problems> {
    const PASSES: usize = 5;
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
    let stamp = || std::fs::metadata(path).ok().map(|m| Stamp::of(&m));
    for pass in 1..=PASSES {
        let before = stamp();
        let config = crate::config::load(path)?;
        let desired = manifest::load(&config)?;
        if stamp() == before {
            return Ok(Loaded { config, desired });
        }
        if pass < PASSES {
            std::thread::sleep(PAUSE);
        }
    }
    Err(Problems(vec![crate::diag::Problem {
        origin: None,
        message: format!(
            "{} kept changing while the manifests were read ({PASSES} passes); try again once it is still",
            crate::diag::display_path(path)
        ),
    }]))
}

/// Builds a target's client, reading its credentials. Its requests stop waiting when `stop`
/// is requested.
pub fn provider(
    config: &Config,
    target: &Target,
    stats: Arc<Stats>,
    stop: &Stop,
) -> anyhow::Result<Box<dyn Client>> {
    target.settings.connect(Connect {
        target: &target.name,
        url: &target.url,
        limits: &target.limits,
        base_dir: &config.base_dir,
        state_dir: &config.state_dir,
        stats,
        stop: stop.clone(),
    })
}

/// A planned run: the plan, and each target's provider to apply it with.
pub struct Planned {
    pub plan: Plan,
    pub providers: Vec<Box<dyn Client>>,
    /// Each target's users as fetched, in the order of `plan.targets`.
    pub actual: Vec<Vec<crate::model::ActualUser>>,
    pub stats: Arc<Stats>,
}

/// Fetches every target and plans it.
pub async fn plan(loaded: &Loaded, stats: Arc<Stats>) -> anyhow::Result<Planned> {
    plan_until(loaded, stats, &Stop::default()).await
}

/// Fetches every target and plans it; the providers' requests (then and when applying) stop
/// waiting when `stop` is requested. A tripped guard is reported in the plan.
pub async fn plan_until(
    loaded: &Loaded,
    stats: Arc<Stats>,
    stop: &Stop,
) -> anyhow::Result<Planned> {
    plan_with(loaded, stats, stop, Guards::Report).await
}

/// As [`plan_until`], with the choice of what a tripped guard does to the plan.
pub async fn plan_with(
    loaded: &Loaded,
    stats: Arc<Stats>,
    stop: &Stop,
    guards: Guards,
) -> anyhow::Result<Planned> {
    let now = chrono::Utc::now();
    let mut plan = Plan::default();
    let mut providers = Vec::new();
    let mut actuals = Vec::new();
    for (name, target) in &loaded.config.targets {
        let p = provider(&loaded.config, target, stats.clone(), stop)?;
        let desired = loaded
            .desired
            .by_target
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let actual = p
            .fetch(desired)
            .await
            .with_context(|| format!("fetch users of target {name}"))?;
        let problems = p.check(desired);
        if !problems.is_empty() {
            let list = crate::diag::Problems(problems);
            anyhow::bail!("target {name}: the manifests do not fit the vendor's account:\n{list}");
        }
        let mut planned = plan::plan(&plan::Input {
            target: name,
            desired,
            actual: &actual,
            schema: target.schema(),
            policy: &target.policy,
            now,
            guards,
        });
        planned.host = crate::render::host_label(&target.url);
        plan.targets.push(planned);
        providers.push(p);
        actuals.push(actual);
    }
    Ok(Planned {
        plan,
        providers,
        actual: actuals,
        stats,
    })
}

/// Every target's tripped guard, as the planner found them.
pub fn guards(planned: &Planned) -> Vec<GuardTrip> {
    planned
        .plan
        .targets
        .iter()
        .filter_map(|t| t.guard.clone())
        .collect()
}

/// Applies every target's plan.
pub async fn apply(loaded: &Loaded, planned: &Planned, stop: &Stop) -> Vec<Report> {
    apply_with(loaded, planned, stop, None).await
}

/// Applies every target's plan, calling `progress` after each change.
pub async fn apply_with(
    loaded: &Loaded,
    planned: &Planned,
    stop: &Stop,
    progress: Option<Arc<dyn Fn() + Send + Sync>>,
) -> Vec<Report> {
    let mut reports = Vec::new();
    for (t, p) in planned.plan.targets.iter().zip(&planned.providers) {
        let Some(target) = loaded.config.targets.get(&t.target) else {
            continue;
        };
        let opts = apply::Options {
            concurrency: target.limits.concurrency,
            max_attempts: target.limits.max_attempts,
            secrets_base: &loaded.config.base_dir,
            stop: stop.clone(),
            progress: progress.clone(),
        };
        reports.push(apply::apply(p.as_ref(), t, &opts).await);
    }
    reports
}
