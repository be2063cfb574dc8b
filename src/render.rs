//! Renders plans and apply reports for people: a unified diff per user (the `similar` crate)
//! and a summary line. Colour comes from a [`Styles`] value chosen by the caller; nothing here
//! tests for a terminal. Secrets show as `(sensitive)`.
//!
//! Complexity: O(k + u) in the changes and unmanaged users shown; each update's diff covers
//! only its few changed fields.

pub mod json;
pub mod markdown;
pub mod redact;

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use crate::apply::{Outcome, Report};
use crate::model::Value;
use crate::plan::{FieldChange, Plan, TargetPlan, UserRef};

/// ANSI styles, or none.
#[derive(Clone, Copy, Debug)]
pub struct Styles {
    on: bool,
}

impl Styles {
    pub fn colored(on: bool) -> Self {
        Styles { on }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn add(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn del(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn chg(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

fn who(u: &UserRef) -> String {
    let mut s = u.key.clone();
    let mut extra = Vec::new();
    if let Some(id) = &u.id {
        extra.push(format!("id {id}"));
    }
    if let Some(o) = &u.origin {
        extra.push(o.to_string());
    }
    if !extra.is_empty() {
        let _ = write!(s, "  ({})", extra.join(", "));
    }
    s
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(unset)".to_string(), Value::to_string)
}

fn diff_lines(out: &mut String, st: &Styles, changes: &[FieldChange]) {
    let old: String = changes
        .iter()
        .map(|c| format!("{}: {}\n", c.field, show(c.from.as_ref())))
        .collect();
    let new: String = changes
        .iter()
        .map(|c| format!("{}: {}\n", c.field, show(Some(&c.to))))
        .collect();
    let diff = TextDiff::from_lines(&old, &new);
    for change in diff.iter_all_changes() {
        let line = change.value().trim_end_matches('\n');
        let _ = match change.tag() {
            ChangeTag::Delete => writeln!(out, "      {}", st.del(&format!("-{line}"))),
            ChangeTag::Insert => writeln!(out, "      {}", st.add(&format!("+{line}"))),
            ChangeTag::Equal => writeln!(out, "       {line}"),
        };
    }
}

/// The summary line for a set of target plans.
pub fn summary(targets: &[TargetPlan]) -> String {
    let sum = |f: fn(&TargetPlan) -> usize| targets.iter().map(f).sum::<usize>();
    let mut parts = vec![
        format!("{} to create", sum(|t| t.creates.len())),
        format!("{} to update", sum(|t| t.updates.len())),
        format!(
            "{} workflow memberships to change",
            sum(TargetPlan::membership_changes)
        ),
    ];
    let deletes = sum(|t| t.deletes.len());
    if deletes > 0 {
        parts.push(format!("{deletes} to delete"));
    }
    let deact = sum(|t| t.deactivations.len());
    if deact > 0 {
        parts.push(format!("{deact} to deactivate"));
    }
    parts.push(format!("{} unmanaged", sum(|t| t.unmanaged.len())));
    let np = sum(|t| t.needs_person.len());
    parts.push(format!(
        "{np} {} a person",
        if np == 1 {
            "drift needs"
        } else {
            "drifts need"
        }
    ));
    let held = sum(|t| t.held.len());
    if held > 0 {
        parts.push(format!("{held} removals held by a guard"));
    }
    format!("Plan: {}.", parts.join(", "))
}

/// The whole plan as text.
pub fn plan(p: &Plan, st: &Styles, show_ignored: bool) -> String {
    let mut out = String::new();
    for t in &p.targets {
        target(&mut out, t, st, show_ignored);
    }
    out.push_str(&st.bold(&summary(&p.targets)));
    out.push('\n');
    out
}

pub(crate) fn target(out: &mut String, t: &TargetPlan, st: &Styles, show_ignored: bool) {
    let _ = writeln!(
        out,
        "{} {}: {} users in scope, {} declared",
        st.bold(&format!("Target {}", t.target)),
        st.dim(&format!("({})", t.provider)),
        t.in_scope,
        t.desired_count
    );
    if !t.has_changes() && t.needs_person.is_empty() {
        let _ = writeln!(out, "  no changes");
    }
    for c in &t.creates {
        let _ = writeln!(out, "  {} {}", st.add("+ create"), who(&c.user));
        for (field, value) in &c.fields {
            let _ = writeln!(out, "      {}", st.add(&format!("+{field}: {value}")));
        }
        if c.password.is_some() {
            let _ = writeln!(out, "      {}", st.add("+password: (sensitive)"));
        }
    }
    for u in &t.updates {
        let _ = writeln!(out, "  {} {}", st.chg("~ update"), who(&u.user));
        diff_lines(out, st, &u.changes);
    }
    for m in &t.memberships {
        let field = m.field.trim_end_matches('s');
        let _ = writeln!(out, "  {} {field} {}", st.chg("~"), m.collection);
        for u in &m.join {
            let _ = writeln!(out, "      {}", st.add(&format!("+member {}", u.key)));
        }
        for u in &m.leave {
            let _ = writeln!(out, "      {}", st.del(&format!("-member {}", u.key)));
        }
    }
    for u in &t.deletes {
        let _ = writeln!(out, "  {} {}", st.del("- delete"), who(u));
    }
    for u in &t.deactivations {
        let _ = writeln!(out, "  {} {}", st.del("- deactivate"), who(&u.user));
    }
    for u in &t.held {
        let _ = writeln!(
            out,
            "  {} {} (held back by a mass-change guard)",
            st.chg("= hold"),
            who(u)
        );
    }
    for d in &t.needs_person {
        let _ = writeln!(
            out,
            "  {} {}: {} is {}, manifest says {}: {}",
            st.chg("! needs a person:"),
            who(&d.user),
            d.field,
            show(d.actual.as_ref()),
            show(d.desired.as_ref()),
            d.reason
        );
    }
    for u in &t.protected {
        let _ = writeln!(
            out,
            "  {} {} (protected; differs from its manifest, left alone)",
            st.dim("= protected"),
            who(u)
        );
    }
    if show_ignored {
        for c in &t.ignored {
            let _ = writeln!(
                out,
                "  {} {}: {} is {}, manifest says {}",
                st.dim("= ignored"),
                who(&c.user),
                c.field,
                show(c.from.as_ref()),
                c.to
            );
        }
    }
    if !t.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "  {} {} users no manifest declares (left alone):",
            st.dim("?"),
            t.unmanaged.len()
        );
        for u in &t.unmanaged {
            let name = u
                .name
                .as_deref()
                .map(|n| format!(" {n:?}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "      {}",
                st.dim(&format!("{}{name} (id {})", u.key, u.vendor_id()))
            );
        }
    }
    out.push('\n');
}

/// An apply report as text: failures with their reasons, then a count.
pub fn report(r: &Report, st: &Styles) -> String {
    let mut out = String::new();
    for s in &r.steps {
        let _ = match &s.outcome {
            Outcome::Done => writeln!(out, "  {} {}", st.add("done"), s.change),
            Outcome::Accepted(note) => writeln!(
                out,
                "  {} {}: {note}",
                st.chg("accepted, not yet confirmed"),
                s.change
            ),
            Outcome::Failed(why) => writeln!(out, "  {} {}: {why}", st.del("FAILED"), s.change),
            Outcome::NotStarted => writeln!(out, "  {} {}", st.chg("not started"), s.change),
        };
    }
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!(
            "Apply {}: {} done, {}{} failed, {} not started.",
            r.target,
            r.done(),
            match r.accepted() {
                0 => String::new(),
                n => format!("{n} accepted but not yet confirmed, "),
            },
            r.failed(),
            r.not_started()
        ))
    );
    out
}
