//! `roster doctor [--target NAME]… [--write-probe [--yes]]`: checks each target for a first
//! real run or a support ticket (config and manifests, secrets, DNS, TCP, TLS, clock,
//! authentication and rights, the collections manifests name, paging, rate limits, latency,
//! and how long a full apply would take), prints a table of `ok` / `warn` / `fail` with what to
//! do, and saves what it found beside the lock files for the clients to read.
//!
//! Read-only unless `--write-probe`, which creates one canary user per target, changes it and
//! always removes it; without a terminal it is refused unless `--yes`. Exit 0 when nothing
//! failed, 1 otherwise.

mod estimate;
mod net;
mod observe;
mod report;
mod target;
mod tls;

use crate::exit;
use crate::reconcile;
use crate::vendor::doctor::{Check, FORMAT_VERSION, Finding, Findings};

use super::{Ctx, Output};
use report::Report;

pub async fn run(cx: &Ctx, only: &[String], write_probe: bool, yes: bool) -> anyhow::Result<u8> {
    let mut report = Report::default();
    let loaded = match reconcile::load(&cx.config) {
        Ok(l) => l,
        Err(problems) => {
            let n = problems.0.len();
            let detail = format!(
                "{n} problem{} in the config or manifests (listed above); nothing was sent",
                super::plural(n)
            );
            eprintln!(
                "{}",
                crate::render::error_text(&problems.to_string(), cx.redact)
            );
            let fix = "fix them (`roster validate` lists them with file:line:col)";
            report
                .checks
                .push((None, Check::fail("config", detail, fix)));
            print(cx, &report);
            return Ok(exit::ERROR);
        }
    };
    let config = &loaded.config;
    for name in only {
        if !config.targets.contains_key(name) {
            let known: Vec<&str> = config.targets.keys().map(String::as_str).collect();
            anyhow::bail!(
                "unknown target {name:?} (the config has: {})",
                known.join(", ")
            );
        }
    }
    let chosen: Vec<_> = config
        .targets
        .values()
        .filter(|t| only.is_empty() || only.contains(&t.name))
        .collect();
    if write_probe && !yes && !confirm(&chosen.iter().map(|t| t.name.as_str()).collect::<Vec<_>>())?
    {
        return Ok(exit::ERROR);
    }
    let users: usize = loaded.desired.by_target.values().map(|u| u.len()).sum();
    report.checks.push((
        None,
        Check::ok(
            "config",
            format!(
                "{} and its manifests are valid: {} target{}, {users} user{} declared",
                config.file,
                config.targets.len(),
                super::plural(config.targets.len()),
                super::plural(users)
            ),
        ),
    ));
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = write_probe.then(|| tokio::spawn(hold_signals(interrupted.clone())));
    for t in chosen {
        if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let header = format!(
            "{}, {}",
            t.provider(),
            crate::render::host_label(&t.url).unwrap_or_default()
        );
        report.headers.insert(t.name.clone(), header);
        let done = target::run(&loaded, t, write_probe).await;
        save(config, t, &done);
        let found: std::collections::BTreeMap<String, String> = done.findings.clone();
        if !found.is_empty() {
            report.findings.insert(t.name.clone(), found);
        }
        report
            .checks
            .extend(done.checks.into_iter().map(|c| (Some(t.name.clone()), c)));
    }
    if let Some(w) = watcher {
        w.abort();
    }
    print(cx, &report);
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!("stopped by a signal: the targets not listed above were not checked");
        return Ok(exit::ERROR);
    }
    Ok(if report.failed() {
        exit::ERROR
    } else {
        exit::OK
    })
}

/// While a write probe runs, a first SIGINT or SIGTERM lets it finish (its canary must be
/// removed; every request is bounded by `timeout`) and checks no further target; a second
/// one ends the process at once, saying that a canary may be left.
async fn hold_signals(interrupted: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    for n in 0.. {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        if n == 0 {
            interrupted.store(true, std::sync::atomic::Ordering::SeqCst);
            eprintln!(
                "stopping: finishing this target's probe so that its canary is removed (again to quit at once)"
            );
        } else {
            eprintln!(
                "error: stopped at once: a canary user (roster-canary-…) may be left; remove it by hand"
            );
            std::process::exit(i32::from(exit::ERROR));
        }
    }
}

fn print(cx: &Ctx, report: &Report) {
    let text = match cx.output {
        Output::Human => report::human(report, cx.redact),
        Output::Markdown => report::markdown(report, cx.redact),
        Output::Json => report::json(report, cx.redact),
    };
    print!("{text}");
}

/// Keeps this run's findings with the earlier ones (a read-only run does not forget what a
/// write probe found), beside the lock files. A failure to save is reported, not fatal.
fn save(config: &crate::config::Config, t: &crate::config::Target, done: &target::Done) {
    let mut findings = Findings::load(&config.state_dir, &t.name);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    findings.format_version = FORMAT_VERSION;
    findings.target = t.name.clone();
    findings.provider = t.provider().to_string();
    findings.checked_at = now.clone();
    for (key, value) in &done.findings {
        let finding = Finding {
            value: value.clone(),
            at: now.clone(),
        };
        findings.findings.insert(key.clone(), finding);
    }
    findings.checks = done.checks.clone();
    match findings.save(&config.state_dir) {
        Ok(path) => tracing::info!(file = %path.display(), "doctor's findings saved"),
        Err(e) => eprintln!(
            "warning: target {}: doctor's findings not saved in {}: {} (set `state_dir:` to a writable folder)",
            t.name,
            config.state_dir.display(),
            e.kind()
        ),
    }
}

/// Asks on the terminal before any write; refuses when there is none.
fn confirm(targets: &[&str]) -> anyhow::Result<bool> {
    let question = format!(
        "--write-probe creates, changes and removes one canary user (roster-canary-…) on {}.",
        targets.join(", ")
    );
    super::ask_yes(
        "--write-probe",
        &question,
        "Doctor cancelled; nothing was sent.",
    )
}
