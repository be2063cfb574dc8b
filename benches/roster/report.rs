//! The results: medians, the table people read, and the JSON kept for comparison across
//! commits; `targets` judges them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::args::Args;
use crate::daemon::DaemonResults;
use crate::multi::MultiResults;
use crate::phases::{ApplyRun, ReadOnly, Replan, Summary, minimum_plan};
use crate::sim::{self, Counts};
use crate::targets::{Verdict, mb, secs};

/// Median, fastest and slowest of several runs, in seconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    pub median_s: f64,
    pub min_s: f64,
    pub max_s: f64,
}

impl Spread {
    pub fn of(xs: &[Duration]) -> Spread {
        let mut s: Vec<f64> = xs.iter().map(Duration::as_secs_f64).collect();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => s[n / 2],
            _ => (s[n / 2 - 1] + s[n / 2]) / 2.0,
        };
        Spread {
            median_s: median,
            min_s: s.first().copied().unwrap_or(f64::NAN),
            max_s: s.last().copied().unwrap_or(f64::NAN),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestRow {
    pub phase: &'static str,
    pub endpoint: String,
    pub made: u64,
    pub minimum: u64,
    /// What roster itself counted (its `Stats`), which should agree with the vendor.
    pub roster_counted: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyResults {
    pub changes: usize,
    pub failed: usize,
    pub retries: u64,
    pub time: Spread,
    /// Changes per second, median run.
    pub throughput: f64,
    /// `min(concurrency / latency, rate_limit)` with the latency asked of the simulator.
    pub ideal: f64,
    pub ratio: f64,
    /// The same with the round trip measured (timer rounding and loopback HTTP included).
    pub round_trip_s: f64,
    pub ideal_at_round_trip: f64,
    pub ratio_at_round_trip: f64,
    /// The fewest round trips the plan's requests need, and the throughput that allows.
    pub critical_path_round_trips: u64,
    pub ideal_at_critical_path: f64,
    pub ratio_at_critical_path: f64,
    pub peak_bytes: u64,
    /// CPU the simulator and roster spent during the median run.
    pub sim_cpu_s: f64,
    pub roster_cpu_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub commit: Option<String>,
    pub cores: usize,
    /// One-minute load average before and after: other work on the machine skews the numbers.
    pub load_average: [f64; 2],
    pub users: usize,
    pub files: u32,
    pub workflows: u32,
    pub drift: BTreeMap<&'static str, f64>,
    pub latency_ms: u64,
    pub concurrency: u32,
    pub rate_limit: Option<f64>,
    pub runs: u32,
    pub apply_runs: u32,
    pub plan: Summary,
    pub phases: BTreeMap<&'static str, Spread>,
    pub rendered_bytes: usize,
    pub rss_before_bytes: u64,
    pub peak_plan_bytes: u64,
    pub peak_is_first_run_only: bool,
    pub apply: ApplyResults,
    pub replan_changes: usize,
    pub replan_writes: u64,
    pub replan_s: f64,
    pub requests: Vec<RequestRow>,
    pub daemon: Option<DaemonResults>,
    pub multi: Option<MultiResults>,
    pub targets: Vec<Verdict>,
}

fn rows(phase: &'static str, made: &Counts, minimum: &Counts, roster: &Counts) -> Vec<RequestRow> {
    let mut endpoints: Vec<&String> = made.keys().chain(minimum.keys()).collect();
    endpoints.sort();
    endpoints.dedup();
    endpoints
        .into_iter()
        .map(|e| RequestRow {
            phase,
            endpoint: e.clone(),
            made: made.get(e).copied().unwrap_or(0),
            minimum: minimum.get(e).copied().unwrap_or(0),
            roster_counted: roster.get(e).copied().unwrap_or(0),
        })
        .collect()
}

fn commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "describe",
            "--always",
            "--dirty",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn collect(
    args: &Args,
    load_average: [f64; 2],
    round_trip: Duration,
    ro: &ReadOnly,
    applies: &[ApplyRun],
    replan: &Replan,
    daemon: Option<DaemonResults>,
) -> Results {
    let phases = BTreeMap::from([
        ("load", Spread::of(&ro.load)),
        ("fetch", Spread::of(&ro.fetch)),
        ("plan", Spread::of(&ro.plan)),
        ("fetch_plan", Spread::of(&ro.fetch_plan)),
        ("load_fetch_plan", Spread::of(&ro.load_fetch_plan)),
        ("render", Spread::of(&ro.render)),
    ]);
    // The median apply run stands for all of them.
    let mut by_time: Vec<&ApplyRun> = applies.iter().collect();
    by_time.sort_by_key(|r| r.elapsed);
    let median = by_time[by_time.len() / 2];
    let times: Vec<Duration> = applies.iter().map(|r| r.elapsed).collect();
    let time = Spread::of(&times);
    let throughput = median.changes as f64 / median.elapsed.as_secs_f64();
    let ideal = args.ideal_throughput();
    let rt = round_trip.as_secs_f64();
    let ideal_rt = args
        .rate_limit
        .map_or(f64::INFINITY, |r| r)
        .min(f64::from(args.concurrency) / rt);
    let path = median.summary.critical_path(args.concurrency);
    let ideal_path = ideal_rt.min(median.changes as f64 / (path as f64 * rt));
    let apply = ApplyResults {
        changes: median.changes,
        failed: applies.iter().map(|r| r.failed).sum(),
        retries: applies.iter().map(|r| r.retries).sum(),
        time,
        throughput,
        ideal,
        ratio: throughput / ideal,
        round_trip_s: rt,
        ideal_at_round_trip: ideal_rt,
        ratio_at_round_trip: throughput / ideal_rt,
        critical_path_round_trips: path,
        ideal_at_critical_path: ideal_path,
        ratio_at_critical_path: throughput / ideal_path,
        peak_bytes: applies.iter().map(|r| r.peak).max().unwrap_or(0),
        sim_cpu_s: median.sim_cpu.as_secs_f64(),
        roster_cpu_s: median.own_cpu.as_secs_f64(),
    };
    let mut requests = rows(
        "plan",
        &ro.requests,
        &minimum_plan(ro.groups_in_play),
        &ro.roster_requests,
    );
    requests.extend(rows(
        "apply",
        &median.requests,
        &median.minimum,
        &median.roster_requests,
    ));
    requests.extend(rows(
        "plan again",
        &replan.requests,
        &minimum_plan(ro.groups_in_play),
        &replan.roster_requests,
    ));
    let mut r = Results {
        commit: commit(),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        load_average,
        users: args.users,
        files: args.files,
        workflows: args.workflows,
        drift: BTreeMap::from([
            ("renamed", args.renamed),
            ("workflow_drift", args.workflow_drift),
            ("missing", args.missing),
        ]),
        latency_ms: args.latency,
        concurrency: args.concurrency,
        rate_limit: args.rate_limit,
        runs: args.runs,
        apply_runs: args.apply_runs(),
        plan: ro.summary.clone(),
        phases,
        rendered_bytes: ro.rendered_bytes,
        rss_before_bytes: ro.rss_before,
        peak_plan_bytes: ro.peak,
        peak_is_first_run_only: ro.peak_reset,
        apply,
        replan_changes: replan.summary.changes,
        replan_writes: sim::writes(&replan.requests),
        replan_s: replan.elapsed.as_secs_f64(),
        requests,
        daemon,
        multi: None,
        targets: Vec::new(),
    };
    r.targets = crate::targets::judge(args, &r);
    r
}

/// The table, as printed and as kept in README.
pub fn table(r: &Results) -> String {
    let mut o = String::new();
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let _ = writeln!(
        o,
        "roster benchmark: {} users in {} files, {} workflows; drift {} renamed, {} workflows, {} missing",
        r.users,
        r.files,
        r.workflows,
        pct(r.drift["renamed"]),
        pct(r.drift["workflow_drift"]),
        pct(r.drift["missing"]),
    );
    let _ = writeln!(
        o,
        "simulator latency {} ms, concurrency {}, rate limit {}; {} cores, load average {:.2} → {:.2}; commit {}",
        r.latency_ms,
        r.concurrency,
        r.rate_limit
            .map_or("none".to_string(), |x| format!("{x}/s")),
        r.cores,
        r.load_average[0],
        r.load_average[1],
        r.commit.as_deref().unwrap_or("unknown"),
    );
    let p = &r.plan;
    let _ = writeln!(
        o,
        "plan: {} creates, {} updates, {} workflows changing ({} joins and leaves), {} writes\n",
        p.creates, p.updates, p.workflows_changed, p.memberships, p.changes
    );

    let _ = writeln!(o, "| phase ({} runs) | median | min | max |", r.runs);
    let _ = writeln!(o, "|---|---:|---:|---:|");
    let labels = [
        ("load", "load + validate manifests"),
        ("fetch", "fetch actual state"),
        ("plan", "plan (pure planner)"),
        ("fetch_plan", "fetch + plan (`reconcile::plan_shared`)"),
        ("load_fetch_plan", "**load + fetch + plan**"),
        ("render", "render plan"),
    ];
    for (key, label) in labels {
        let s = r.phases[key];
        let _ = writeln!(
            o,
            "| {label} | {} | {} | {} |",
            secs(s.median_s),
            secs(s.min_s),
            secs(s.max_s)
        );
    }
    let a = &r.apply;
    let _ = writeln!(
        o,
        "| apply ({} runs; {} changes) | {} | {} | {} |",
        r.apply_runs,
        a.changes,
        secs(a.time.median_s),
        secs(a.time.min_s),
        secs(a.time.max_s)
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "apply throughput: {:.0} changes/s; ideal min(concurrency / latency, rate limit) = {:.0}/s: {:.0}%; with the measured round trip of {} instead of the latency: {:.0}/s: {:.0}%; its requests need {} round trips at least: {:.0}/s: {:.0}%; {} failed, {} retries; CPU meanwhile: roster {}, simulator {}",
        a.throughput,
        a.ideal,
        a.ratio * 100.0,
        secs(a.round_trip_s),
        a.ideal_at_round_trip,
        a.ratio_at_round_trip * 100.0,
        a.critical_path_round_trips,
        a.ideal_at_critical_path,
        a.ratio_at_critical_path * 100.0,
        a.failed,
        a.retries,
        secs(a.roster_cpu_s),
        secs(a.sim_cpu_s)
    );
    let _ = writeln!(
        o,
        "memory (VmHWM of this process): {} before; peak {} over load + fetch + plan + render{}; peak {} during apply; rendered plan {}\n",
        mb(r.rss_before_bytes),
        mb(r.peak_plan_bytes),
        if r.peak_is_first_run_only {
            ""
        } else {
            " (could not reset VmHWM: includes generation)"
        },
        mb(a.peak_bytes),
        mb(r.rendered_bytes as u64),
    );

    let _ = writeln!(
        o,
        "| requests | endpoint | made | minimum | roster counted |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---:|");
    for row in &r.requests {
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} | {} |",
            row.phase, row.endpoint, row.made, row.minimum, row.roster_counted
        );
    }
    let _ = writeln!(
        o,
        "\nplan after apply: {} changes, {} writes (load + fetch + plan {})\n",
        r.replan_changes,
        r.replan_writes,
        secs(r.replan_s)
    );

    if let Some(d) = &r.daemon {
        let _ = writeln!(
            o,
            "daemon: first reconcile {} after start; at rest over {:.0} s: CPU {:.2} ms, {} wake-ups ({}{} threads); RSS {} ({} anonymous, peak {}); edit → vendor {} (of which the reconcile {}; {} requests)\n",
            secs(d.first_reconcile_s),
            d.idle_s,
            d.idle_cpu_s * 1e3,
            d.idle_wakeups,
            d.idle_wakeups_by_thread
                .iter()
                .map(|(t, n)| format!("{t}: {n}; "))
                .collect::<String>(),
            d.threads,
            mb(d.rss_bytes),
            mb(d.rss_anon_bytes),
            mb(d.peak_bytes),
            secs(d.edit_to_vendor_s),
            secs(d.edit_reconcile_s),
            d.edit_requests
        );
    }

    if let Some(m) = &r.multi {
        let (ratio_default, bound) = m.ratio_default();
        let _ = writeln!(
            o,
            "many targets: {} targets × {} users at {} ms, fetch + plan (median of {}): one target {}; all at once (--parallel {}) {} = {:.2}× one target's; default parallel_targets {} {} = {:.1}× (bound {:.1}×); one after another {}, of which all at once is {:.0}%; load + validate {}\n",
            m.targets,
            m.users_per_target,
            r.latency_ms,
            r.runs,
            secs(m.one.median_s),
            m.targets,
            secs(m.all_at_once.median_s),
            m.ratio_all(),
            m.default_parallel,
            secs(m.default.median_s),
            ratio_default,
            bound,
            secs(m.sequential.median_s),
            m.ratio_sequential() * 100.0,
            secs(m.load.median_s),
        );
    }

    let _ = writeln!(o, "| target | measured | met |");
    let _ = writeln!(o, "|---|---|---|");
    for t in &r.targets {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**NO**",
            None => "n/a",
        };
        let _ = writeln!(o, "| {} | {} | {met} |", t.target, t.measured);
    }
    o
}
