//! The multi-target case (issue 13): 50 targets of 2,000 users each on one simulator (its own
//! process, at the benchmark's latency), planned (fetch + plan, as `reconcile::plan_selected`
//! runs it) with every target at once, with the default `parallel_targets`, one after another,
//! and one target alone, `--runs` times each; medians.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use roster::apply::Stop;
use roster::plan::Guards;
use roster::reconcile::{self, Loaded};

use crate::args::Args;
use crate::report::Spread;
use crate::sim::Sim;
use crate::world;

#[derive(Debug, Clone, serde::Serialize)]
pub struct MultiResults {
    pub targets: usize,
    pub users_per_target: usize,
    pub load: Spread,
    /// One target alone.
    pub one: Spread,
    /// Every target at once (`--parallel` = the number of targets).
    pub all_at_once: Spread,
    /// `parallel_targets` as the config leaves it.
    pub default_parallel: usize,
    pub default: Spread,
    /// One target after another (`--parallel 1`).
    pub sequential: Spread,
}

impl MultiResults {
    /// Every target at once against one target alone (the target: ≤ 1.5).
    pub fn ratio_all(&self) -> f64 {
        self.all_at_once.median_s / self.one.median_s
    }

    /// The default against one target, and the bound 1.5 × ⌈targets / parallel_targets⌉.
    pub fn ratio_default(&self) -> (f64, f64) {
        let rounds = self.targets.div_ceil(self.default_parallel.max(1)) as f64;
        (self.default.median_s / self.one.median_s, 1.5 * rounds)
    }

    /// Every target at once against one after another.
    pub fn ratio_sequential(&self) -> f64 {
        self.all_at_once.median_s / self.sequential.median_s
    }
}

/// Users per target: `--multi-users`, else 2,000, or a fifth of `--users` when that is fewer
/// (CI runs the benchmark at 1,000 users in the test profile).
pub fn users_per_target(args: &Args) -> usize {
    args.multi_users
        .map_or((args.users / 5).clamp(1, 2_000), |n| n as usize)
}

async fn timed(
    loaded: &Arc<Loaded>,
    names: &[String],
    parallel: usize,
) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let planned = reconcile::plan_selected(
        loaded,
        names,
        parallel,
        Default::default(),
        &Stop::default(),
        Guards::Report,
    )
    .await;
    let elapsed = t.elapsed();
    if let Some(f) = planned.failed.first() {
        anyhow::bail!("{f}");
    }
    anyhow::ensure!(
        planned.plan.targets.iter().all(|t| t.updates.len() == 1),
        "each target should plan one update"
    );
    Ok(elapsed)
}

pub async fn measure(args: &Args, root: &std::path::Path) -> anyhow::Result<MultiResults> {
    let targets = args.multi_targets;
    let users = users_per_target(args);
    let dir = root.join("multi");
    std::fs::create_dir_all(&dir)?;
    let ws = world::multi(&dir, targets, users)?;
    let sim = Sim::start(&ws, args.latency).await?;
    world::write_multi_config(&ws, targets, &sim.proc.addr)?;
    let (mut load, mut one, mut all, mut default, mut sequential) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut default_parallel = 0;
    for _ in 0..args.runs {
        let t = Instant::now();
        let loaded = reconcile::load(&ws.config)
            .map_err(|p| anyhow::anyhow!("the multi-target workspace is invalid:\n{p}"))?;
        let loaded = Arc::new(loaded);
        load.push(t.elapsed());
        default_parallel = loaded.config.parallel_targets;
        let names: Vec<String> = loaded.config.targets.keys().cloned().collect();
        let first = names.first().context("no target")?.clone();
        one.push(timed(&loaded, &[first], 1).await?);
        all.push(timed(&loaded, &names, targets).await?);
        default.push(timed(&loaded, &names, default_parallel).await?);
        sequential.push(timed(&loaded, &names, 1).await?);
    }
    Ok(MultiResults {
        targets,
        users_per_target: users,
        load: Spread::of(&load),
        one: Spread::of(&one),
        all_at_once: Spread::of(&all),
        default_parallel,
        default: Spread::of(&default),
        sequential: Spread::of(&sequential),
    })
}
