//! `roster import`: writes a target's live users as a manifest (the vendor says what each user
//! becomes), ready to commit, such that
//! `plan` right after shows no change. One file per target, users sorted, each with its `id`.
//!
//! Passwords are never readable and never written. Values are written as JSON-style quoted
//! YAML scalars, so no name or e-mail can change the document's structure.

use std::fmt::Write;

use crate::config::Target;
use crate::model::{ActualUser, Set};

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
pub fn numbers_or_strings(items: &Set, numeric: bool) -> String {
    let sorted = crate::model::sorted_for_display(items);
    let parts: Vec<String> = sorted
        .iter()
        .map(|s| if numeric { s.to_string() } else { quoted(s) })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The manifest keys of one user, in reading order: its id, then what its vendor writes.
fn user_lines(target: &Target, u: &ActualUser) -> Vec<(String, String)> {
    let mut out = vec![("id".to_string(), target.settings.import_id(&u.id))];
    out.extend(target.settings.import(u));
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
    }
}
