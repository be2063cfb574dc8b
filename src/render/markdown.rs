//! Markdown for a merge-request comment: a summary table, then a collapsible diff per target,
//! within a byte budget (GitHub refuses comments over 65,536 characters).
//!
//! The whole plan when it fits; otherwise long sections fold first: every section keeps the
//! same number of entries, the largest number that fits, so short sections stay whole. Removals
//! of access are never folded; when they alone exceed the budget they are listed one short line
//! each, and the comment says the budget was exceeded and why. A folded comment says so and
//! points at the saved plan.
//!
//! Must not: fold JSON (the machine contract stays complete), or test for a terminal.

use std::fmt::Write;

use crate::apply::Report;
use crate::plan::Plan;

use super::escape::{cell_code, code_span, fence_for, html, text};
use super::human::{self, Layout};
use super::{Fold, Options, Outcome, Styles};
use crate::plan::Summary;

/// The default budget: just under GitHub's 65,536-character comment limit.
pub const MAX_BYTES: usize = 65_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    Whole,
    Folded,
    Over,
}

/// `roster plan --output markdown`: at most `max_bytes` bytes unless the removals of access
/// alone need more.
pub fn plan(p: &Plan, opts: &Options, max_bytes: usize) -> String {
    plan_outcome(&Outcome::planned(p), opts, max_bytes)
}

/// As [`plan`], with the run's failed targets (a list under the table) and skipped ones.
pub fn plan_outcome(o: &Outcome, opts: &Options, max_bytes: usize) -> String {
    let whole = render(o, opts, Fold::FULL, false, Fit::Whole, max_bytes);
    if whole.len() <= max_bytes {
        return whole;
    }
    let longest = o
        .plan
        .targets
        .iter()
        .flat_map(|t| {
            [
                t.creates.len(),
                t.updates.len(),
                t.membership_changes(),
                t.needs_person.len(),
                t.protected.len(),
                t.ignored.len(),
                t.unmanaged.len(),
            ]
        })
        .max()
        .unwrap_or(0);
    for compact in [false, true] {
        let at = |c: usize| {
            let fold = Fold {
                threshold: c,
                head: c,
            };
            render(o, opts, fold, compact, Fit::Folded, max_bytes)
        };
        // The largest number of entries per section that fits: at most ~log2(longest) renders.
        if at(0).len() > max_bytes {
            continue;
        }
        let (mut lo, mut hi) = (0, longest);
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            if at(mid).len() <= max_bytes {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return at(lo);
    }
    let fold = Fold {
        threshold: 0,
        head: 0,
    };
    render(o, opts, fold, true, Fit::Over, max_bytes)
}

fn render(o: &Outcome, opts: &Options, fold: Fold, compact: bool, fit: Fit, max: usize) -> String {
    let p = o.plan;
    let hint = match &opts.saved {
        Some(file) => format!("see the saved plan {}", text(file)),
        None => "run roster plan --full, or save the plan with --out FILE".to_string(),
    };
    let layout = Layout {
        fold,
        compact,
        show_ignored: opts.show_ignored,
        hint: &hint,
    };
    let plain = Styles::colored(false);
    let mut folded = 0;
    let bodies: Vec<String> = p
        .targets
        .iter()
        .map(|t| {
            let mut body = String::new();
            folded += human::target(&mut body, t, &plain, &layout);
            diff_markers(&body)
        })
        .collect();

    let mut out = String::from("### roster plan\n\n");
    out.push_str("| target | create | update | memberships | delete | deactivate | unmanaged | needs a person |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for t in &p.targets {
        let s = Summary::of(std::slice::from_ref(t));
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
            cell_code(&t.target),
            text(&t.provider).replace('|', "\\|"),
            s.create,
            s.update,
            s.membership_changes,
            s.delete,
            s.deactivate,
            s.unmanaged,
            s.needs_person
        );
    }
    let _ = writeln!(out, "\n**{}**\n", super::summary(&p.targets));
    failures(&mut out, o);
    note(&mut out, opts, fit, folded, max);
    for (t, body) in p.targets.iter().zip(&bodies) {
        let s = Summary::of(std::slice::from_ref(t));
        let changes = s.create + s.update + s.membership_changes + s.delete + s.deactivate;
        let fence = fence_for(body);
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code>: {changes} change{}</summary>\n\n{fence}diff\n{body}{fence}\n\n</details>\n",
            html(&t.target),
            if changes == 1 { "" } else { "s" },
        );
    }
    out
}

/// The failed targets, one list item each with its host, port and error, and the skipped ones.
fn failures(out: &mut String, o: &Outcome) {
    if let Some(line) = super::failed_line(o) {
        let _ = writeln!(out, "**{}**\n", html(&line));
        for f in o.failed {
            let _ = writeln!(
                out,
                "- {} ({}, {}): {}",
                code_span(&f.target),
                html(&f.provider),
                code_span(&f.host_port()),
                code_span(&f.what())
            );
        }
        out.push('\n');
    }
    for line in super::skipped_lines(o).lines() {
        let _ = writeln!(out, "{}\n", html(line));
    }
}

/// `roster apply --output markdown`: the reports in one code block.
pub fn reports(reports: &[Report]) -> String {
    reports_with(reports, &[])
}

/// As [`reports`], followed by the block of each target that failed.
pub fn reports_with(reports: &[Report], failed: &[crate::reconcile::Failure]) -> String {
    let plain = Styles::colored(false);
    let body: String = reports
        .iter()
        .map(|r| super::report(r, &plain))
        .chain(failed.iter().map(|f| super::failed(f, &plain)))
        .collect();
    let fence = fence_for(&body);
    format!("### roster apply\n\n{fence}\n{body}{fence}\n")
}

/// Says that the comment was folded (or is over its budget), and where the whole plan is.
fn note(out: &mut String, opts: &Options, fit: Fit, folded: usize, max: usize) {
    let whole = match &opts.saved {
        Some(file) => format!("every change is in the saved plan {}", code_span(file)),
        None => "see every change with `roster plan --full`, or save the plan with `roster plan --out FILE`".to_string(),
    };
    match fit {
        Fit::Whole => {}
        Fit::Folded => {
            let _ = writeln!(
                out,
                "> **Folded to fit {max} bytes:** {folded} entries are counted instead of listed (the `… more` lines); every removal of access is listed in full; {whole}.\n"
            );
        }
        Fit::Over => {
            let _ = writeln!(
                out,
                "> **Over the {max}-byte budget:** removals of access are never folded, so every one is listed, one short line each, and {folded} other entries are counted instead of listed; {whole}.\n"
            );
        }
    }
}

/// Prefixes lines so that GitHub and GitLab colour them in a `diff` block.
fn diff_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.lines() {
        let marker = match line.trim_start().chars().next() {
            Some('+') => '+',
            Some('-' | '−') => '-',
            Some('!' | '~') => '!',
            _ => ' ',
        };
        let _ = writeln!(out, "{marker}{line}");
    }
    out
}
