//! `roster apply [FILE]`: plan and apply after confirmation, or apply exactly a saved plan
//! (the file is the approval) after checking that nothing it depended on has changed.
//!
//! Each target is locked, planned and applied on its own, `--parallel` at a time: a target
//! whose lock is held, whose vendor fails, or whose plan a guard refuses is reported failed and
//! the others are applied. The exit code is 1 when any target failed or any change did.

mod own;
mod prompt;
mod saved;

use std::path::Path;
use std::sync::Arc;

use crate::apply::{Report, Stop};
use crate::coordination::Unfenced;
use crate::exit;
use crate::plan::Guards;
use crate::reconcile::{self, ApplyCx, Failure, Loaded, PlanCx, Planned};
use crate::render::{self, Outcome};

use super::{Ctx, Output};
use saved::Refusal;

/// What `roster apply` was asked.
#[derive(Clone, Copy, Debug, Default)]
pub struct Args<'a> {
    pub yes: bool,
    pub allow_mass_delete: bool,
    /// A saved plan to apply exactly.
    pub file: Option<&'a Path>,
    /// `--target`: empty for every target (never with a saved plan, which names its own).
    pub targets: &'a [String],
    pub parallel: Option<usize>,
}

pub async fn run(cx: &Ctx, args: Args<'_>) -> anyhow::Result<u8> {
    let loaded = match cx.load() {
        Ok(l) => Arc::new(l),
        Err(code) => return Ok(code),
    };
    let (names, saved, why) = match args.file {
        None => (
            reconcile::select(&loaded.config, args.targets)?,
            None,
            "not selected",
        ),
        Some(path) => match saved::read(cx, &loaded, path)? {
            Ok((plan, covered)) => (covered, Some(plan), "not in the saved plan"),
            Err(refusal) => return Ok(refuse(path, refusal)),
        },
    };
    let parallel = args.parallel.unwrap_or(loaded.config.parallel_targets);
    // Every target is taken before planning, so that nobody else applies it meanwhile; one
    // held by another process fails alone.
    // Made before planning: the providers built then obey it while applying.
    let stop = Stop::default();
    let mut owned = own::Owned::take(&loaded.config, &names, &stop).await?;
    let run = Run {
        loaded: &loaded,
        names: &names,
        why,
        parallel,
        stop: &stop,
    };
    let code = apply_owned(cx, args, &run, saved, &mut owned).await;
    owned.finish().await;
    code
}

/// What one run selected.
struct Run<'a> {
    loaded: &'a Arc<Loaded>,
    names: &'a [String],
    /// Why the targets not selected are skipped.
    why: &'a str,
    parallel: usize,
    stop: &'a Stop,
}

/// Plans and applies the targets `owned` holds.
async fn apply_owned(
    cx: &Ctx,
    args: Args<'_>,
    run: &Run<'_>,
    saved: Option<crate::saved::SavedPlan>,
    owned: &mut own::Owned,
) -> anyhow::Result<u8> {
    let Run {
        loaded,
        names,
        why,
        parallel,
        stop,
    } = *run;
    let mut planned = plan(loaded, &owned.names, parallel, stop).await;
    planned.skipped = reconcile::run::skipped(&loaded.config, names, why);
    for f in std::mem::take(&mut owned.failed) {
        planned.refuse(&f.target.clone(), f);
    }
    if let (Some(saved), Some(path)) = (&saved, args.file)
        && let Some(refusal) = saved::check(cx, saved, &planned)
    {
        cx.report_failures(&planned.failed);
        return Ok(refuse(path, refusal));
    }
    if cx.output != Output::Json {
        print!("{}", cx.render_run(&planned, false, args.file));
    }
    if !args.allow_mass_delete {
        for trip in reconcile::guards(&planned) {
            if let Some(target) = loaded.config.targets.get(&trip.target) {
                planned.refuse(&trip.target, Failure::guard(target, &trip));
            }
        }
    }
    cx.report_failures(&planned.failed);
    if !planned.plan.has_changes() {
        if cx.output == Output::Json {
            print!("{}", json(cx, &planned, &[]));
        } else if planned.plan.targets.is_empty() && planned.any_failed() {
            println!("Nothing to apply: no target could be planned.");
        } else {
            println!("Nothing to apply.");
        }
        return Ok(code(&planned, &[]));
    }
    // A saved plan was approved when it was reviewed; a fresh one is approved here.
    if args.file.is_none() && !args.yes && !prompt::confirm(planned.any_failed())? {
        return Ok(exit::ERROR);
    }
    for name in &owned.names {
        let permit = owned.permits.get(name);
        let proof = match permit {
            Some(p) => p.prove().await,
            None => crate::coordination::Permit::prove(&Unfenced).await,
        };
        if let (Err(e), Some(target)) = (proof, loaded.config.targets.get(name)) {
            let f = Failure::denied(target, &e);
            eprintln!("error: {f}");
            planned.refuse(name, f);
        }
    }
    let watcher = tokio::spawn(prompt::stop_on_signal(stop.clone()));
    let bar = prompt::progress(&planned.plan);
    let tick = bar
        .clone()
        .map(|b| Arc::new(move || b.inc(1)) as Arc<dyn Fn() + Send + Sync>);
    let apply_cx = ApplyCx {
        stop: stop.clone(),
        progress: tick,
        parallel,
        permits: owned.permits.clone(),
    };
    let reports = reconcile::apply_with(loaded, &planned, &apply_cx).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    watcher.abort();
    print_reports(cx, &planned, &reports);
    for denied in reports.iter().filter_map(|r| r.denied.as_ref()) {
        eprintln!("error: {denied}; the changes not started are listed above");
    }
    if owned.lost() {
        eprintln!("stopped: this run's etcd lease was lost; changes not started are listed above");
    } else if stop.requested() {
        eprintln!(
            "stopped by a signal: changes not started are listed above; run apply again to finish"
        );
    }
    Ok(code(&planned, &reports))
}

/// Plans the owned targets; guards report (apply decides below whether they refuse).
async fn plan(loaded: &Arc<Loaded>, names: &[String], parallel: usize, stop: &Stop) -> Planned {
    let cx = PlanCx {
        stats: Default::default(),
        stop: stop.clone(),
        guards: Guards::Report,
        now: chrono::Utc::now(),
    };
    reconcile::run::plan_targets(loaded, names, parallel, &cx, "").await
}

/// 1 when any target failed or any change did not end well.
fn code(planned: &Planned, reports: &[Report]) -> u8 {
    if planned.any_failed() || !reports.iter().all(Report::ok) {
        exit::ERROR
    } else {
        exit::OK
    }
}

/// Says why a saved plan was refused; nothing was sent.
fn refuse(path: &Path, refusal: Refusal) -> u8 {
    let (why, lines) = match refusal {
        Refusal::Stale(lines) => ("is stale", lines),
        Refusal::Differs(lines) => ("does not match a fresh plan", lines),
    };
    eprintln!(
        "error: the saved plan {} {why}; nothing was changed:",
        path.display()
    );
    for line in lines {
        eprintln!("  - {line}");
    }
    eprintln!(
        "Make a new plan with `roster plan --out {}`.",
        path.display()
    );
    exit::ERROR
}

fn json(cx: &Ctx, planned: &Planned, reports: &[Report]) -> String {
    let plan = cx.shown(&planned.plan);
    let failed = cx.shown_failures(&planned.failed);
    let o = Outcome {
        plan: &plan,
        failed: &failed,
        skipped: &planned.skipped,
    };
    render::json::apply_outcome(&o, reports)
}

/// Each applied target's report, then each failed target's block.
fn print_reports(cx: &Ctx, planned: &Planned, reports: &[Report]) {
    let reports: Vec<Report> = reports
        .iter()
        .map(|r| cx.shown_report(&planned.plan, r))
        .collect();
    let failed = cx.shown_failures(&planned.failed);
    match cx.output {
        Output::Json => print!("{}", json(cx, planned, &reports)),
        Output::Markdown => print!("{}", render::markdown::reports_with(&reports, &failed)),
        Output::Human => {
            for r in &reports {
                print!("{}", render::report(r, &cx.styles));
            }
            for f in &failed {
                print!("{}", render::failed(f, &cx.styles));
            }
        }
    }
}
