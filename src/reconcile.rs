//! One reconcile, shared by `plan`, `apply` and the daemon: load the desired state, build each
//! target's provider, fetch, plan, check the guards, and (when asked) apply. Targets run
//! concurrently and independently ([`run`]): a target that fails is a [`Failure`] beside the
//! others' plans. [`select`] picks the targets of a run; [`attribute`] tells the daemon which
//! targets an invalid edit touches.
//!
//! Decides nothing about output or exit codes; it returns values the caller renders.

pub mod attribute;
pub mod failure;
pub mod run;
pub mod select;

use std::sync::Arc;

use crate::apply::{Report, Stop};
use crate::config::{Config, Target};
use crate::diag::{Problems, Stamp};
use crate::manifest::{self, Desired};
use crate::model::ActualUser;
use crate::plan::{GuardTrip, Guards, Plan};
use crate::vendor::http::Stats;
use crate::vendor::{Client, Connect};

pub use failure::{ErrorKind, Failure, Stage, TargetError};
pub use run::{ApplyCx, PlanCx, TargetRun};
pub use select::{UnknownTarget, select};

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
    while_still(path, || {
        let config = crate::config::load(path)?;
        let desired = manifest::load(&config)?;
        Ok(Loaded { config, desired })
    })
}

/// Runs `read` until the config at `path` is the same file before and after it (a few passes,
/// with a short pause between), so that what it read of the config and of the manifests comes
/// from one moment; its error ends at once.
pub(crate) fn while_still<T>(
    path: &std::path::Path,
    mut read: impl FnMut() -> Result<T, Problems>,
) -> Result<T, Problems> {
    const PASSES: usize = 5;
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
    let stamp = || std::fs::metadata(path).ok().map(|m| Stamp::of(&m));
    for pass in 1..=PASSES {
        let before = stamp();
        let read = read()?;
        if stamp() == before {
            return Ok(read);
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

/// A planned run: the plan of every target that could be planned, each one's provider to apply
/// it with, and the targets that failed or were left out. `plan`, `providers` and `actual` are
/// parallel, in target-name order.
pub struct Planned {
    pub plan: Plan,
    pub providers: Vec<Box<dyn Client>>,
    /// Each target's users as fetched, in the order of `plan.targets`.
    pub actual: Vec<Vec<ActualUser>>,
    /// Targets that could not be planned (or were refused), in target-name order.
    pub failed: Vec<Failure>,
    /// Targets of the config this run leaves alone.
    pub skipped: Vec<Skipped>,
    pub stats: Arc<Stats>,
}

/// A target a run leaves alone, and why (`not selected`, `not in the saved plan`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Skipped {
    pub target: String,
    pub provider: String,
    pub host: Option<String>,
    pub reason: String,
}

impl Planned {
    fn push(&mut self, run: TargetRun) {
        self.plan.targets.push(run.plan);
        self.providers.push(run.provider);
        self.actual.push(run.actual);
    }

    /// Takes a planned target out of the run as failed (a guard refused it, say).
    pub fn refuse(&mut self, target: &str, failure: Failure) {
        if let Some(i) = self.plan.targets.iter().position(|t| t.target == target) {
            self.plan.targets.remove(i);
            self.providers.remove(i);
            self.actual.remove(i);
        }
        let at = self
            .failed
            .partition_point(|f| f.target.as_str() < failure.target.as_str());
        self.failed.insert(at, failure);
    }

    /// Whether any target failed.
    pub fn any_failed(&self) -> bool {
        !self.failed.is_empty()
    }
}

/// Every target of the config, `parallel_targets` at a time: the plans of those that could be
/// planned, and the others as failures.
pub async fn plan_all(
    loaded: &Arc<Loaded>,
    stats: Arc<Stats>,
    stop: &Stop,
    guards: Guards,
) -> Planned {
    let names: Vec<String> = loaded.config.targets.keys().cloned().collect();
    let parallel = loaded.config.parallel_targets;
    plan_selected(loaded, &names, parallel, stats, stop, guards).await
}

/// The targets `names`, `parallel` at a time; the config's other targets are skipped.
pub async fn plan_selected(
    loaded: &Arc<Loaded>,
    names: &[String],
    parallel: usize,
    stats: Arc<Stats>,
    stop: &Stop,
    guards: Guards,
) -> Planned {
    let cx = PlanCx {
        stats,
        stop: stop.clone(),
        guards,
        now: chrono::Utc::now(),
    };
    run::plan_targets(loaded, names, parallel, &cx, "not selected").await
}

/// Fetches every target and plans it; an error when any target fails (for callers that need
/// every target, such as the benchmark).
pub async fn plan_shared(loaded: &Arc<Loaded>, stats: Arc<Stats>) -> anyhow::Result<Planned> {
    let planned = plan_all(loaded, stats, &Stop::default(), Guards::Report).await;
    match planned.failed.first() {
        Some(f) => anyhow::bail!("{f}"),
        None => Ok(planned),
    }
}

/// As [`plan_shared`], for a caller that holds its `Loaded` alone (the demo): plans a copy.
pub async fn plan(loaded: &Loaded, stats: Arc<Stats>) -> anyhow::Result<Planned> {
    plan_shared(&Arc::new(loaded.clone()), stats).await
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

/// Applies every planned target, `parallel_targets` at a time.
pub async fn apply(loaded: &Loaded, planned: &Planned, stop: &Stop) -> Vec<Report> {
    let cx = ApplyCx {
        stop: stop.clone(),
        progress: None,
        parallel: loaded.config.parallel_targets,
        permits: Default::default(),
    };
    run::apply_targets(loaded, planned, &cx).await
}

/// Applies every planned target as `cx` says.
pub async fn apply_with(loaded: &Loaded, planned: &Planned, cx: &ApplyCx) -> Vec<Report> {
    run::apply_targets(loaded, planned, cx).await
}
