//! Markdown for a merge-request comment: a summary table, then a collapsible diff per target.

use std::fmt::Write;

use crate::plan::Plan;

use super::{Styles, json::Summary};

/// `roster plan --output markdown`.
pub fn plan(p: &Plan, show_ignored: bool) -> String {
    let mut out = String::from("### roster plan\n\n");
    out.push_str("| target | create | update | memberships | delete | deactivate | unmanaged | needs a person |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for t in &p.targets {
        let s = Summary::of(std::slice::from_ref(t));
        let _ = writeln!(
            out,
            "| `{}` ({}) | {} | {} | {} | {} | {} | {} | {} |",
            t.target,
            t.provider,
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
    let plain = Styles::colored(false);
    for t in &p.targets {
        let s = Summary::of(std::slice::from_ref(t));
        let changes = s.create + s.update + s.membership_changes + s.delete + s.deactivate;
        let mut body = String::new();
        super::target(&mut body, t, &plain, show_ignored);
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code>: {changes} change{}</summary>\n\n```diff\n{}```\n\n</details>\n",
            t.target,
            if changes == 1 { "" } else { "s" },
            diff_markers(&body)
        );
    }
    out
}

/// Prefixes lines so that GitHub and GitLab colour them in a `diff` block.
fn diff_markers(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        let marker = if t.starts_with("+ ") || t.starts_with('+') {
            '+'
        } else if t.starts_with("- ") || t.starts_with('-') {
            '-'
        } else if t.starts_with('!') || t.starts_with('~') {
            '!'
        } else {
            ' '
        };
        let _ = writeln!(out, "{marker}{line}");
    }
    out
}
