//! The terminal side of `roster apply`: the confirmation question, the progress bar, and the
//! stop on SIGINT/SIGTERM. Decides nothing about what is applied.

use std::io::IsTerminal;

use crate::apply::Stop;
use crate::plan::Plan;

/// A progress bar on stderr for long applies, only when stderr is a terminal.
pub(super) fn progress(plan: &Plan) -> Option<indicatif::ProgressBar> {
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
pub(super) fn confirm(some_failed: bool) -> anyhow::Result<bool> {
    let question = if some_failed {
        "Apply these changes (the targets that failed are left alone)?"
    } else {
        "Apply these changes?"
    };
    crate::commands::ask_yes(
        "to apply",
        question,
        "Apply cancelled; nothing was changed.",
    )
}

/// On SIGINT or SIGTERM, lets in-flight requests finish and starts nothing new.
pub(super) async fn stop_on_signal(stop: Stop) {
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
