//! One target's plan as text, section by section, folding long sections as a [`Layout`] says.
//! Shared by the human output and the markdown output (which wraps it in a `diff` block).
//!
//! Must not: test for a terminal, or decide the fold settings (the callers do).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::plan::TargetPlan;
use crate::reconcile::Failure;

use super::Styles;
use super::entries;
use super::escape::text;
use super::expiry::{self, Reasons};
use super::fold::{Fold, Section, removes_access};

/// How a target is laid out.
#[derive(Clone, Debug)]
pub(crate) struct Layout<'a> {
    pub(crate) fold: Fold,
    /// Removals of access in one short line each (markdown over its budget).
    pub(crate) compact: bool,
    pub(crate) show_ignored: bool,
    /// What a fold line says after `… 480 more updates: `.
    pub(crate) hint: &'a str,
}

/// `Target acme (vendor, api.vendor.example)`.
pub(crate) fn title(t: &TargetPlan) -> String {
    match &t.host {
        Some(h) => format!(
            "Target {} ({}, {})",
            text(&t.target),
            text(&t.provider),
            text(h)
        ),
        None => format!("Target {} ({})", text(&t.target), text(&t.provider)),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Entries each section would fold: (creates, updates, joins, needs a person, protected,
/// ignored, unmanaged).
fn hidden_counts(t: &TargetPlan, lay: &Layout) -> [usize; 7] {
    let f = lay.fold;
    let pinned_updates = t.updates.iter().filter(|u| removes_access(u)).count();
    let joins: usize = t.memberships.iter().map(|m| m.join.len()).sum();
    let leaves: usize = t.memberships.iter().map(|m| m.leave.len()).sum();
    [
        Section::hidden_of(f, t.creates.len(), 0),
        Section::hidden_of(f, t.updates.len(), pinned_updates),
        Section::hidden_of(f, joins + leaves, leaves),
        Section::hidden_of(f, t.needs_person.len(), 0),
        Section::hidden_of(f, t.protected.len(), 0),
        if lay.show_ignored {
            Section::hidden_of(f, t.ignored.len(), 0)
        } else {
            0
        },
        Section::hidden_of(f, t.unmanaged.len(), 0),
    ]
}

/// Which fields a target's updates change, the most common first: `name 480, email 20`.
fn fields_changed(t: &TargetPlan) -> String {
    let mut fields: BTreeMap<&str, usize> = BTreeMap::new();
    for c in t.updates.iter().flat_map(|u| &u.changes) {
        *fields.entry(c.field.as_str()).or_default() += 1;
    }
    let mut fields: Vec<(&str, usize)> = fields.into_iter().collect();
    fields.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let fields: Vec<String> = fields
        .iter()
        .map(|(f, n)| format!("{} {n}", text(f)))
        .collect();
    fields.join(", ")
}

/// A folded target's counts per kind, and which fields its updates change.
fn summary(t: &TargetPlan) -> String {
    let updates = format!("to update ({})", fields_changed(t));
    let parts: Vec<String> = [
        (t.creates.len(), "to create"),
        (t.updates.len(), updates.as_str()),
        (t.membership_changes(), "membership changes"),
        (t.deletes.len(), "to delete"),
        (t.deactivations.len(), "to deactivate"),
        (t.held.len(), "held by a guard"),
        (t.needs_person.len(), "need a person"),
        (t.unmanaged.len(), "unmanaged"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!("  summary: {}", parts.join(", "))
}

fn fold_line(out: &mut String, st: &Styles, indent: &str, hidden: usize, what: &str, lay: &Layout) {
    if hidden > 0 {
        let line = format!("… {hidden} more {what}: {}", lay.hint);
        let _ = writeln!(out, "{indent}{}", st.dim(&line));
    }
}

/// Writes one target's section of a plan; returns how many entries it folded.
pub(crate) fn target(out: &mut String, t: &TargetPlan, st: &Styles, lay: &Layout) -> usize {
    let _ = writeln!(
        out,
        "{}: {} users in scope, {} declared",
        st.bold(&title(t)),
        t.in_scope,
        t.desired_count
    );
    if !t.has_changes() && t.needs_person.is_empty() {
        let _ = writeln!(out, "  no changes");
    }
    let folded: usize = hidden_counts(t, lay).iter().sum();
    if folded > 0 {
        let _ = writeln!(out, "{}", summary(t));
    }
    let f = lay.fold;
    let reasons = Reasons::of(t);

    let mut s = Section::new(f, t.creates.len());
    for c in t.creates.iter().filter(|_| s.show(false)) {
        entries::create(out, c, st);
    }
    let n = s.hidden;
    fold_line(
        out,
        st,
        "  ",
        n,
        if n == 1 { "create" } else { "creates" },
        lay,
    );

    let mut s = Section::new(f, t.updates.len());
    for u in t.updates.iter().filter(|u| s.show(removes_access(u))) {
        let compact = lay.compact && removes_access(u);
        entries::update(out, u, st, compact);
        if !compact {
            reasons.update(out, u, st);
        }
    }
    let n = s.hidden;
    fold_line(
        out,
        st,
        "  ",
        n,
        if n == 1 { "update" } else { "updates" },
        lay,
    );

    let mut s = Section::new(f, t.membership_changes());
    for m in &t.memberships {
        let joins: Vec<_> = m.join.iter().filter(|_| s.show(false)).collect();
        if joins.is_empty() && m.leave.is_empty() {
            continue;
        }
        let field = text(m.field.trim_end_matches('s')).into_owned();
        let _ = writeln!(out, "  {} {field} {}", st.chg("~"), text(&m.collection));
        for u in joins {
            entries::member(out, '+', u, st, None);
        }
        for u in &m.leave {
            let why = reasons.member(&u.key, &m.field, &m.collection);
            entries::member(out, '-', u, st, why);
        }
    }
    let n = s.hidden;
    let what = if n == 1 {
        "membership join"
    } else {
        "membership joins"
    };
    fold_line(out, st, "  ", n, what, lay);

    for u in &t.deletes {
        entries::removal(out, "- delete", u, st, lay.compact, reasons.user(&u.key));
    }
    for u in &t.deactivations {
        let why = reasons.user(&u.user.key);
        entries::removal(out, "- deactivate", &u.user, st, lay.compact, why);
    }
    for u in &t.held {
        let why = reasons.user(&u.key);
        if lay.compact {
            entries::removal(out, "= hold", u, st, true, why);
        } else {
            let why = why.map(|w| format!(", {w}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {} (held back by a mass-change guard{why})",
                st.chg("= hold"),
                entries::who(u)
            );
        }
    }

    let mut s = Section::new(f, t.needs_person.len());
    for d in t.needs_person.iter().filter(|_| s.show(false)) {
        if !expiry::needs_person(out, d, st) {
            entries::needs_person(out, d, st);
        }
    }
    let n = s.hidden;
    let what = if n == 1 {
        "drift that needs a person"
    } else {
        "drifts that need a person"
    };
    fold_line(out, st, "  ", n, what, lay);

    let mut s = Section::new(f, t.protected.len());
    for u in t.protected.iter().filter(|_| s.show(false)) {
        entries::protected(out, u, st);
    }
    let n = s.hidden;
    let what = if n == 1 {
        "protected user"
    } else {
        "protected users"
    };
    fold_line(out, st, "  ", n, what, lay);

    if lay.show_ignored {
        let mut s = Section::new(f, t.ignored.len());
        for c in t.ignored.iter().filter(|_| s.show(false)) {
            entries::ignored(out, c, st);
        }
        let n = s.hidden;
        let what = if n == 1 {
            "ignored difference"
        } else {
            "ignored differences"
        };
        fold_line(out, st, "  ", n, what, lay);
    }

    if !t.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "  {} {} no manifest declares (left alone):",
            st.dim("?"),
            plural(t.unmanaged.len(), "user", "users")
        );
        let mut s = Section::new(f, t.unmanaged.len());
        for u in t.unmanaged.iter().filter(|_| s.show(false)) {
            entries::unmanaged(out, u, st);
        }
        let n = s.hidden;
        let what = if n == 1 {
            "unmanaged user"
        } else {
            "unmanaged users"
        };
        fold_line(out, st, "      ", n, what, lay);
    }
    let notices = expiry::notices(out, t, st, lay);
    out.push('\n');
    folded + notices
}

/// A target that could not be planned (or was refused): its name, provider, host and port,
/// and the error, the vendor's own message included.
pub(crate) fn failed_target(f: &Failure, st: &Styles) -> String {
    format!(
        "{} {}\n  {} {}\n\n",
        st.bold(&format!(
            "Target {} ({}, {}):",
            text(&f.target),
            text(&f.provider),
            text(&f.host_port())
        )),
        st.del("failed"),
        st.del("! error:"),
        text(&f.what())
    )
}

/// `host[:port]` of a target's URL, the port only when the URL names one; for plan headers.
pub fn host_label(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_name_the_port_only_when_asked() {
        let url: url::Url = "https://api.vendor.example/v1".parse().unwrap();
        assert_eq!(host_label(&url).as_deref(), Some("api.vendor.example"));
        let url: url::Url = "http://127.0.0.1:8080/v1".parse().unwrap();
        assert_eq!(host_label(&url).as_deref(), Some("127.0.0.1:8080"));
    }

    #[test]
    fn a_failed_target_names_its_host_and_port_and_escapes_the_error() {
        let f = Failure {
            target: "dead".into(),
            provider: "vendor".into(),
            host: Some("127.0.0.1:9".into()),
            error: crate::reconcile::TargetError {
                kind: crate::reconcile::ErrorKind::Unreachable,
                stage: crate::reconcile::Stage::Fetch,
                endpoint: Some("/v1/user".into()),
                host: Some("127.0.0.1".into()),
                port: Some(9),
                status: None,
                message: "connection failed \u{1b}[2J".into(),
            },
        };
        let text = failed_target(&f, &Styles::colored(false));
        assert_eq!(
            text,
            "Target dead (vendor, 127.0.0.1:9): failed\n  ! error: fetch users: /v1/user: connection failed \\e[2J\n\n"
        );
    }
}
