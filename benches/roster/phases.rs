//! The measured phases, in-process through roster's library API: load and validate, fetch,
//! plan (the pure planner alone, and `reconcile::plan_shared` as the commands run it), render,
//! apply, and a second plan after apply.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use roster::apply::Stop;
use roster::model::Value;
use roster::plan::{Plan, TargetPlan};
use roster::reconcile::{self, Loaded};
use roster::render::{self, Styles};
use roster::vendor::http::Stats;

use crate::args::Args;
use crate::procs;
use crate::sim::{Counts, Sim};
use crate::world::Workspace;

/// Durations of the read-only phases, one entry per run.
#[derive(Debug, Default)]
pub struct ReadOnly {
    pub load: Vec<Duration>,
    pub fetch: Vec<Duration>,
    pub plan: Vec<Duration>,
    pub fetch_plan: Vec<Duration>,
    pub load_fetch_plan: Vec<Duration>,
    pub render: Vec<Duration>,
    /// Resident memory before the first run, and its peak over load, fetch, plan and render.
    pub rss_before: u64,
    pub peak: u64,
    /// Whether the peak covers the first run only (the kernel let us reset it).
    pub peak_reset: bool,
    pub rendered_bytes: usize,
    pub summary: Summary,
    /// Vendor requests of one `reconcile::plan_shared` (fetch + plan), and roster's own count.
    pub requests: Counts,
    pub roster_requests: Counts,
    pub groups_in_play: usize,
}

/// What the plan asks for.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub creates: usize,
    pub updates: usize,
    pub deletes: usize,
    pub workflows_changed: usize,
    pub memberships: usize,
    pub needs_person: usize,
    pub unmanaged: usize,
    /// Writes `apply` makes: one per create, update and delete, one per workflow.
    pub changes: usize,
}

impl Summary {
    fn of(plan: &Plan) -> Summary {
        let sum = |f: fn(&TargetPlan) -> usize| plan.targets.iter().map(f).sum::<usize>();
        let mut s = Summary {
            creates: sum(|t| t.creates.len()),
            updates: sum(|t| t.updates.len() + t.deactivations.len()),
            deletes: sum(|t| t.deletes.len()),
            workflows_changed: sum(|t| t.memberships.len()),
            memberships: sum(TargetPlan::membership_changes),
            needs_person: sum(|t| t.needs_person.len()),
            unmanaged: sum(|t| t.unmanaged.len()),
            changes: 0,
        };
        s.changes = s.creates + s.updates + s.deletes + s.workflows_changed;
        s
    }

    /// The fewest round trips apply can take: its requests `concurrency` at a time (a workflow
    /// change is two: list, then update), and no fewer than its longest chain of requests that
    /// must follow each other (a removal, then a create, then a workflow's list and update).
    pub fn critical_path(&self, concurrency: u32) -> u64 {
        let requests = (self.changes + self.workflows_changed) as u64;
        let one = |n: usize| u64::from(n > 0);
        let chain = one(self.deletes) + one(self.creates) + 2 * one(self.workflows_changed);
        requests
            .div_ceil(u64::from(concurrency))
            .max(chain.max(one(self.updates)))
    }

    /// The fewest vendor requests `apply` can make for this plan, by endpoint.
    pub fn minimum_apply(&self) -> Counts {
        [
            ("/v1/user", self.workflows_changed),
            ("/v1/user/add", self.creates),
            ("/v1/user/update", self.updates),
            ("/v1/user/delete", self.deletes),
            ("/v1/workflow/update", self.workflows_changed),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n as u64))
        .collect()
    }
}

/// The fewest vendor requests a plan can make: one list per group in play.
pub fn minimum_plan(groups_in_play: usize) -> Counts {
    Counts::from([("/v1/user".to_string(), groups_in_play as u64)])
}

pub fn load(ws: &Workspace) -> anyhow::Result<Loaded> {
    reconcile::load(&ws.config)
        .map_err(|p| anyhow::anyhow!("the generated workspace is invalid:\n{p}"))
}

/// Roster's own request counts, by endpoint.
fn by_endpoint(stats: &Stats) -> Counts {
    let mut out = Counts::new();
    for ((endpoint, _status), n) in stats.snapshot() {
        *out.entry(endpoint).or_default() += n;
    }
    out
}

fn groups_in_play(loaded: &Loaded) -> usize {
    let mut groups = BTreeSet::new();
    for (name, target) in &loaded.config.targets {
        if let Some(x) = target
            .settings
            .as_any()
            .downcast_ref::<roster::vendor::xtracta::Settings>()
        {
            groups.insert(x.group_id.to_string());
        }
        for d in loaded
            .desired
            .by_target
            .get(name)
            .iter()
            .flat_map(|u| u.iter())
        {
            if let Some(Value::Text(g)) = d.fields.get("group_id") {
                groups.insert(g.clone());
            }
        }
    }
    groups.len()
}

/// Runs load, fetch, plan and render `args.runs` times against the drifted world.
pub async fn read_only(args: &Args, ws: &Workspace, sim: &Sim) -> anyhow::Result<ReadOnly> {
    let mut out = ReadOnly {
        rss_before: procs::own_rss(),
        peak_reset: procs::reset_own_peak(),
        ..ReadOnly::default()
    };
    for run in 0..args.runs {
        sim.reset_requests().await?;
        let stats = Arc::new(Stats::default());

        let t = Instant::now();
        let loaded = Arc::new(load(ws)?);
        let load = t.elapsed();
        let t = Instant::now();
        let planned = reconcile::plan_shared(&loaded, stats.clone())
            .await
            .context("plan")?;
        let fetch_plan = t.elapsed();
        let t = Instant::now();
        let text = render::plan(&planned.plan, &Styles::colored(false), false);
        let render = t.elapsed();
        std::hint::black_box(&text);

        if run == 0 {
            out.peak = procs::own_peak();
            out.rendered_bytes = text.len();
            out.summary = Summary::of(&planned.plan);
            out.requests = sim.requests().await?;
            out.roster_requests = by_endpoint(&stats);
            out.groups_in_play = groups_in_play(&loaded);
        }
        drop(text);
        drop(planned);
        out.load.push(load);
        out.fetch_plan.push(fetch_plan);
        out.load_fetch_plan.push(load + fetch_plan);
        out.render.push(render);

        // Fetch and the pure planner, each on its own.
        let (name, target) = loaded.config.targets.iter().next().context("no target")?;
        let desired = loaded
            .desired
            .by_target
            .get(name)
            .map(|u| u.as_slice())
            .unwrap_or_default();
        let provider = reconcile::provider(
            &loaded.config,
            target,
            Arc::new(Stats::default()),
            &Stop::default(),
        )?;
        let t = Instant::now();
        let actual = provider.fetch(desired).await.context("fetch")?;
        out.fetch.push(t.elapsed());
        let schema = target.schema();
        let t = Instant::now();
        let plan = roster::plan::plan(&roster::plan::Input {
            target: name,
            desired,
            actual: &actual,
            schema,
            policy: &target.policy,
            now: chrono::Utc::now(),
            guards: roster::plan::Guards::Report,
        });
        out.plan.push(t.elapsed());
        std::hint::black_box(&plan);
    }
    Ok(out)
}

/// One apply of the drifted world, and what it cost.
#[derive(Debug, Default)]
pub struct ApplyRun {
    pub elapsed: Duration,
    pub changes: usize,
    pub failed: usize,
    pub requests: Counts,
    pub roster_requests: Counts,
    pub retries: u64,
    pub minimum: Counts,
    pub summary: Summary,
    /// CPU the simulator and roster spent meanwhile.
    pub sim_cpu: Duration,
    pub own_cpu: Duration,
    pub peak: u64,
}

/// Applies the drifted world `args.apply_runs` times, putting it back before each run.
pub async fn apply(args: &Args, ws: &Workspace, sim: &Sim) -> anyhow::Result<Vec<ApplyRun>> {
    let mut runs = Vec::new();
    for run in 0..args.apply_runs() {
        if run > 0 {
            sim.restore().await?;
        }
        let loaded = Arc::new(load(ws)?);
        let stats = Arc::new(Stats::default());
        let planned = reconcile::plan_shared(&loaded, stats.clone()).await?;
        let trips = reconcile::guards(&planned);
        anyhow::ensure!(trips.is_empty(), "a mass-change guard tripped: {trips:?}");
        let summary = Summary::of(&planned.plan);
        stats.take();
        stats.take_retries();
        sim.reset_requests().await?;
        procs::reset_own_peak();
        let sim_before = procs::cpu(sim.proc.pid());
        let own_before = procs::cpu(std::process::id());

        let t = Instant::now();
        let reports = reconcile::apply(&loaded, &planned, &Stop::default()).await;
        let elapsed = t.elapsed();

        let sim_cpu = procs::cpu(sim.proc.pid()).since(&sim_before);
        let own_cpu = procs::cpu(std::process::id()).since(&own_before);
        runs.push(ApplyRun {
            elapsed,
            changes: reports.iter().map(|r| r.steps.len()).sum(),
            failed: reports.iter().map(|r| r.failed() + r.not_started()).sum(),
            requests: sim.requests().await?,
            roster_requests: by_endpoint(&stats),
            retries: stats.retries(),
            minimum: summary.minimum_apply(),
            summary: summary.clone(),
            sim_cpu: Duration::from_nanos(sim_cpu.ns),
            own_cpu: Duration::from_nanos(own_cpu.ns),
            peak: procs::own_peak(),
        });
        if let Some(failure) = reports
            .iter()
            .flat_map(|r| &r.steps)
            .find(|s| !matches!(s.outcome, roster::apply::Outcome::Done))
        {
            eprintln!(
                "warning: apply run {}: {} {:?}",
                run + 1,
                failure.change,
                failure.outcome
            );
        }
    }
    Ok(runs)
}

/// The plan after apply: it should hold nothing and make no writes.
#[derive(Debug, Default)]
pub struct Replan {
    pub summary: Summary,
    pub requests: Counts,
    pub roster_requests: Counts,
    pub elapsed: Duration,
}

pub async fn replan(ws: &Workspace, sim: &Sim) -> anyhow::Result<Replan> {
    sim.reset_requests().await?;
    let t = Instant::now();
    let loaded = Arc::new(load(ws)?);
    let stats = Arc::new(Stats::default());
    let planned = reconcile::plan_shared(&loaded, stats.clone()).await?;
    let elapsed = t.elapsed();
    Ok(Replan {
        summary: Summary::of(&planned.plan),
        requests: sim.requests().await?,
        roster_requests: by_endpoint(&stats),
        elapsed,
    })
}
