//! `roster apply [FILE]`: plan and apply after confirmation, or apply exactly a saved plan
//! (the file is the approval) after checking that nothing it depended on has changed.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use crate::apply::{Report, Stop};
use crate::coordination::local::{LocalLocks, LocalOwnership};
use crate::coordination::{Coordinator, Ownership};
use crate::exit;
use crate::plan::Plan;
use crate::reconcile::{self, Loaded, Planned};
use crate::render;
use crate::saved;

use super::{Ctx, Output};

pub async fn run(
    cx: &Ctx,
    yes: bool,
    allow_mass_delete: bool,
    file: Option<&Path>,
) -> anyhow::Result<u8> {
    let loaded = match cx.load() {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let owned = own_all(&loaded).await?;
    // Made before planning: the providers built then obey it while applying.
    let stop = Stop::default();
    let planned = match file {
        None => reconcile::plan_until(&loaded, Default::default(), &stop).await?,
        Some(path) => match saved_plan(cx, &loaded, path, &stop).await? {
            Ok(p) => p,
            Err(refusal) => {
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
                return Ok(exit::ERROR);
            }
        },
    };
    if cx.output != Output::Json {
        print!("{}", cx.render_plan(&planned.plan, false, file));
    }
    if !planned.plan.has_changes() {
        if cx.output == Output::Json {
            print!("{}", render::json::apply(&cx.shown(&planned.plan), &[]));
        } else {
            println!("Nothing to apply.");
        }
        return Ok(exit::OK);
    }
    let trips = reconcile::guards(&planned);
    if !trips.is_empty() && !allow_mass_delete {
        for trip in &trips {
            eprintln!("error: {trip}");
        }
        return Ok(exit::ERROR);
    }
    // A saved plan was approved when it was reviewed; a fresh one is approved here.
    if file.is_none() && !yes && !confirm()? {
        return Ok(exit::ERROR);
    }
    let watcher = tokio::spawn(stop_on_signal(stop.clone()));
    let bar = progress(&planned.plan);
    let tick = bar
        .clone()
        .map(|b| Arc::new(move || b.inc(1)) as Arc<dyn Fn() + Send + Sync>);
    for o in &owned {
        o.fence().await?;
    }
    let reports = reconcile::apply_with(&loaded, &planned, &stop, tick).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    watcher.abort();
    print_reports(cx, &planned.plan, &reports);
    if stop.requested() {
        eprintln!(
            "stopped by a signal: changes not started are listed above; run apply again to finish"
        );
    }
    Ok(if reports.iter().all(Report::ok) {
        exit::OK
    } else {
        exit::ERROR
    })
}

/// Takes every target before planning, so that nobody else applies them meanwhile.
async fn own_all(loaded: &Loaded) -> anyhow::Result<Vec<LocalOwnership>> {
    let locks = LocalLocks::new(&loaded.config.state_dir);
    let mut owned = Vec::new();
    for name in loaded.config.targets.keys() {
        owned.push(locks.acquire(name).await?);
    }
    Ok(owned)
}

/// Why a saved plan was not applied.
enum Refusal {
    /// Something it was made from changed since.
    Stale(Vec<String>),
    /// Its changes are not what a fresh plan makes of the same inputs: edited, or forged.
    Differs(Vec<String>),
}

/// Reads a saved plan, checks it against the config, the manifests and the vendor, and
/// returns a fresh plan when it equals the saved one. The file is never applied itself: what
/// runs (passwords, `protect`, guards included) comes from the current config and manifests.
async fn saved_plan(
    cx: &Ctx,
    loaded: &Loaded,
    path: &Path,
    stop: &Stop,
) -> anyhow::Result<Result<Planned, Refusal>> {
    let saved = saved::read(path)?;
    let mut reasons = Vec::new();
    if saved::file_digest(&cx.config)? != saved.config_digest {
        reasons.push(format!(
            "the config {} changed since the plan was made",
            loaded.config.file
        ));
    }
    if saved::manifests_digest(&loaded.config.manifests).map_err(anyhow::Error::msg)?
        != saved.manifests_digest
    {
        reasons.push(format!(
            "the manifests under {} changed since the plan was made",
            crate::diag::display_path(&loaded.config.manifests)
        ));
    }
    if !reasons.is_empty() {
        return Ok(Err(Refusal::Stale(reasons)));
    }
    let fresh = reconcile::plan_until(loaded, Default::default(), stop).await?;
    for (t, actual) in fresh.plan.targets.iter().zip(&fresh.actual) {
        match saved.assumptions.get(&t.target) {
            Some(a) => reasons.extend(saved::vendor_changes(&t.target, a, actual)),
            None => reasons.push(format!("target {} is not in the saved plan", t.target)),
        }
    }
    if saved
        .plan
        .targets
        .iter()
        .map(|t| &t.target)
        .ne(fresh.plan.targets.iter().map(|t| &t.target))
    {
        reasons.push("the config's targets differ from the saved plan's".into());
    }
    if !reasons.is_empty() {
        return Ok(Err(Refusal::Stale(reasons)));
    }
    if saved.plan != fresh.plan {
        // Shown as this run shows plans: redacted when asked.
        let mut lines = saved::differences(&cx.shown(&saved.plan), &cx.shown(&fresh.plan));
        if lines.is_empty() {
            lines.push("it differs from a fresh plan in what --redact masks".into());
        }
        return Ok(Err(Refusal::Differs(lines)));
    }
    Ok(Ok(fresh))
}

fn print_reports(cx: &Ctx, plan: &Plan, reports: &[Report]) {
    let reports: Vec<Report> = reports.iter().map(|r| cx.shown_report(plan, r)).collect();
    match cx.output {
        Output::Json => print!("{}", render::json::apply(&cx.shown(plan), &reports)),
        Output::Markdown => print!("{}", render::markdown::reports(&reports)),
        Output::Human => {
            for r in &reports {
                print!("{}", render::report(r, &cx.styles));
            }
        }
    }
}

/// A progress bar on stderr for long applies, only when stderr is a terminal.
fn progress(plan: &Plan) -> Option<indicatif::ProgressBar> {
    let total: usize = plan
        .targets
        .iter()
        .map(|t| {
            t.creates.len()
                + t.updates.len()
                + t.memberships.len()
                + t.deletes.len()
                + t.deactivations.len()
        })
        .sum();
    if total < 10 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} changes, {eta} left")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Asks on the terminal; refuses when there is none.
fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "error: refusing to apply without confirmation: stdin is not a terminal (pass --yes)"
        );
        return Ok(false);
    }
    eprint!("Apply these changes? Only 'yes' is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        eprintln!("Apply cancelled; nothing was changed.");
        Ok(false)
    }
}

/// On SIGINT or SIGTERM, lets in-flight requests finish and starts nothing new.
pub async fn stop_on_signal(stop: Stop) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
    eprintln!("stopping: letting in-flight requests finish, starting nothing new");
    stop.request();
}
