//! `roster import`: writes a target's live users as a manifest, ready to commit, such that
//! `plan` right after shows no change. One file per target, users sorted, each with its `id`.
//!
//! Passwords are never readable and never written. Values are written as JSON-style quoted
//! YAML scalars, so no name or e-mail can change the document's structure.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::config::{ProviderConfig, Target};
use crate::model::{ActualUser, Value, names};

/// A YAML scalar that reads back as exactly `s`, whatever it holds.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A YAML key: bare when it is a plain identifier, quoted otherwise.
pub fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A flow list of numbers (written bare) or texts (quoted), sorted as people sort them.
pub fn numbers_or_strings(items: &BTreeSet<String>, numeric: bool) -> String {
    let sorted = crate::model::sorted_for_display(items);
    let parts: Vec<String> = sorted
        .iter()
        .map(|s| if numeric { s.to_string() } else { quoted(s) })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn roles(set: &BTreeSet<String>) -> String {
    let mut by_section: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in set {
        if let Some((section, role)) = r.split_once(':') {
            by_section.entry(section).or_default().push(role);
        }
    }
    let parts: Vec<String> = by_section
        .iter()
        .map(|(s, rs)| {
            format!(
                "{}: [{}]",
                key(s),
                rs.iter().map(|r| key(r)).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// The manifest keys of one user, in reading order, with defaults left out.
fn user_lines(target: &Target, u: &ActualUser) -> Vec<(String, String)> {
    let f = &u.fields;
    let text = |n: &str| f.get(n).and_then(Value::as_text).map(str::to_string);
    let mut out: Vec<(String, String)> = Vec::new();
    let id = match target.provider {
        ProviderConfig::Xtracta { .. } if u.id.parse::<u64>().is_ok() => u.id.clone(),
        _ => quoted(&u.id),
    };
    out.push(("id".into(), id));
    let push_text = |out: &mut Vec<(String, String)>, n: &str| {
        if let Some(v) = text(n).filter(|v| !v.is_empty()) {
            out.push((n.to_string(), quoted(&v)));
        }
    };
    match &target.provider {
        ProviderConfig::Xtracta { group_id, .. } => {
            push_text(&mut out, names::EMAIL);
            push_text(&mut out, names::NAME);
            if let Some(Value::Set(w)) = f.get(names::WORKFLOWS) {
                out.push((names::WORKFLOWS.into(), numbers_or_strings(w, true)));
            }
            if let Some(g) = text(names::GROUP_ID).filter(|g| *g != group_id.to_string()) {
                out.push((names::GROUP_ID.into(), g));
            }
        }
        ProviderConfig::Uipath { .. } => {
            push_text(&mut out, names::EMAIL);
            if text(names::USER_NAME) != text(names::EMAIL) {
                push_text(&mut out, names::USER_NAME);
            }
            push_text(&mut out, names::NAME);
            push_text(&mut out, names::SURNAME);
            if f.get(names::ACTIVE) == Some(&Value::Bool(false)) {
                out.push((names::ACTIVE.into(), "false".into()));
            }
            if let Some(Value::Set(g)) = f.get(names::GROUPS) {
                out.push((names::GROUPS.into(), numbers_or_strings(g, false)));
            }
        }
        ProviderConfig::LearningCloud { .. } => {
            for n in [
                names::USERNAME,
                names::EMAIL,
                names::NAME,
                names::SURNAME,
                names::LANGUAGE,
                names::TIMEZONE,
            ] {
                push_text(&mut out, n);
            }
            if f.get(names::ENABLED) == Some(&Value::Bool(false)) {
                out.push((names::ENABLED.into(), "false".into()));
            }
            if let Some(Value::Set(r)) = f.get(names::ROLES) {
                out.push((names::ROLES.into(), roles(r)));
            }
            push_text(&mut out, names::EXTERNAL_ID);
            if let Some(Value::Map(m)) = f.get(names::EXTENDED_FIELDS)
                && !m.is_empty()
            {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), quoted(v)))
                    .collect();
                out.push((
                    names::EXTENDED_FIELDS.into(),
                    format!("{{ {} }}", parts.join(", ")),
                ));
            }
        }
    }
    out
}

/// The manifest text for `users` of `target`.
pub fn manifest(target: &Target, users: &[ActualUser], schema_ref: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(s) = schema_ref {
        let _ = writeln!(out, "# yaml-language-server: $schema={s}");
    }
    let _ = writeln!(
        out,
        "# Imported by `roster import` from target {} ({} users). Passwords are not readable and are not here.",
        target.name,
        users.len()
    );
    let _ = writeln!(out, "target: {}", key(&target.name));
    if users.is_empty() {
        out.push_str("users: []\n");
        return out;
    }
    out.push_str("users:\n");
    let mut sorted: Vec<&ActualUser> = users.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    for u in sorted {
        for (i, (k, v)) in user_lines(target, u).into_iter().enumerate() {
            let lead = if i == 0 { "  - " } else { "    " };
            let _ = writeln!(out, "{lead}{k}: {v}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_structure() {
        assert_eq!(quoted("O'Brien: \"x\" # y"), r#""O'Brien: \"x\" # y""#);
        assert_eq!(key("costCenter"), "costCenter");
        assert_eq!(key("a b"), "\"a b\"");
        let set: BTreeSet<String> = ["management:user", "training:trainer", "training:admin"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            roles(&set),
            "{ management: [user], training: [admin, trainer] }"
        );
    }
}
