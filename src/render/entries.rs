//! The lines of one plan entry (a create, an update, a deletion, …), full or compact. Every
//! piece of outside text goes through [`super::escape`].
//!
//! Must not: decide which entries are shown (see `fold` and `human`).

use std::fmt::Write;

use crate::plan::{Create, Drift, FieldChange, Update, UserRef};

use super::Styles;
use super::escape::{quoted, text};
use super::value::{pair, show};

/// A user with its id and the manifest line that declares it.
pub(crate) fn who(u: &UserRef) -> String {
    let mut s = text(&u.key).into_owned();
    let mut extra = Vec::new();
    if let Some(id) = &u.id {
        extra.push(format!("id {}", text(id)));
    }
    if let Some(o) = &u.origin {
        extra.push(format!("{}:{}:{}", text(&o.file), o.line, o.column));
    }
    if !extra.is_empty() {
        let _ = write!(s, "  ({})", extra.join(", "));
    }
    s
}

pub(crate) fn create(out: &mut String, c: &Create, st: &Styles) {
    let _ = writeln!(out, "  {} {}", st.add("+ create"), who(&c.user));
    for (field, value) in &c.fields {
        let line = format!("+{}: {}", text(field), show(Some(value)));
        let _ = writeln!(out, "      {}", st.add(&line));
    }
    if c.password.is_some() {
        let _ = writeln!(out, "      {}", st.add("+password: (sensitive)"));
    }
}

/// An update: a header, then one line per changed field; compact, one line naming the fields.
pub(crate) fn update(out: &mut String, u: &Update, st: &Styles, compact: bool) {
    if compact {
        let fields: Vec<String> = u
            .changes
            .iter()
            .map(|c| text(&c.field).into_owned())
            .collect();
        let _ = writeln!(
            out,
            "  {} {}: {}",
            st.chg("~ update"),
            text(&u.user.key),
            fields.join(", ")
        );
        return;
    }
    let _ = writeln!(out, "  {} {}", st.chg("~ update"), who(&u.user));
    for c in &u.changes {
        let _ = writeln!(out, "      {}", pair(c, st));
    }
}

/// A removal of a whole user (`- delete`, `- deactivate`, `= hold`), with why when an expiry
/// caused it (`expired 2027-03-31`).
pub(crate) fn removal(
    out: &mut String,
    label: &str,
    u: &UserRef,
    st: &Styles,
    compact: bool,
    why: Option<String>,
) {
    let label = if label.starts_with('=') {
        st.chg(label)
    } else {
        st.del(label)
    };
    let why = why.map(|w| format!("  {w}")).unwrap_or_default();
    if compact {
        let _ = writeln!(out, "  {label} {}{why}", text(&u.key));
    } else {
        let _ = writeln!(out, "  {label} {}{why}", who(u));
    }
}

/// A join (`+`) or leave (`-`), with why when an expiry caused it.
pub(crate) fn member(out: &mut String, sign: char, u: &UserRef, st: &Styles, why: Option<String>) {
    let why = why.map(|w| format!("  ({w})")).unwrap_or_default();
    let line = format!("{sign}member {}{why}", text(&u.key));
    let painted = if sign == '+' {
        st.add(&line)
    } else {
        st.del(&line)
    };
    let _ = writeln!(out, "      {painted}");
}

pub(crate) fn needs_person(out: &mut String, d: &Drift, st: &Styles) {
    let _ = writeln!(
        out,
        "  {} {}: {} is {}, manifest says {}: {}",
        st.chg("! needs a person:"),
        who(&d.user),
        text(&d.field),
        show(d.actual.as_ref()),
        show(d.desired.as_ref()),
        text(&d.reason)
    );
}

pub(crate) fn protected(out: &mut String, u: &UserRef, st: &Styles) {
    let _ = writeln!(
        out,
        "  {} {} (protected; differs from its manifest, left alone)",
        st.dim("= protected"),
        who(u)
    );
}

pub(crate) fn ignored(out: &mut String, c: &FieldChange, st: &Styles) {
    let _ = writeln!(
        out,
        "  {} {}: {} is {}, manifest says {}",
        st.dim("= ignored"),
        who(&c.user),
        text(&c.field),
        show(c.from.as_ref()),
        show(Some(&c.to))
    );
}

pub(crate) fn unmanaged(out: &mut String, u: &UserRef, st: &Styles) {
    let name = u
        .name
        .as_deref()
        .map(|n| format!(" {}", quoted(n)))
        .unwrap_or_default();
    let line = format!("{}{name} (id {})", text(&u.key), text(u.vendor_id()));
    let _ = writeln!(out, "      {}", st.dim(&line));
}
