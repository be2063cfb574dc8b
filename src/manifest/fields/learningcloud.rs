//! A manifest entry for a learningCloud target: identity by username (optionally bound to the
//! vendor's 32-hex id, so the username can change), the core fields the vendor requires on
//! every update, the enabled switch, roles checked against the documented sections, the
//! external id and extended fields.
//!
//! Roles become a set of `section:role` strings; extended fields a map of only the keys the
//! manifest sets. Empty values are refused: roster sets values, it does not clear them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_saphyr::Spanned;

use crate::diag::Problem;
use crate::model::{DesiredUser, Origin, Value, normalise_key};

use super::super::raw::{RawRoles, RawUser};
use super::{Ctx, email, ignore_list, names, password, reject_foreign, required_text};

/// The documented role sections and their roles (newest version of the vendor's "Update
/// user" page). Management needs at least one role.
pub(crate) const ROLE_SECTIONS: [(&str, &[&str]); 6] = [
    ("management", &["user", "groupadmin", "admin"]),
    ("training", &["user", "trainer", "groupadmin", "admin"]),
    ("social", &["user", "admin"]),
    (
        "play",
        &["user", "author", "validator", "admin", "groupadmin"],
    ),
    ("talent", &["admin", "employee"]),
    (
        "content",
        &["author", "manager", "reviewer", "projectowner"],
    ),
];

const MANAGEMENT_NEEDS: &str = "roles.management needs at least one of: user, groupadmin, admin";

pub(super) fn convert(
    cx: &mut Ctx<'_>,
    raw: &RawUser,
    origin: Origin,
    base: &Path,
) -> Option<DesiredUser> {
    reject_foreign(
        cx,
        "learningcloud",
        raw,
        &[
            "username",
            "surname",
            "language",
            "timezone",
            "enabled",
            "roles",
            "external_id",
            "extended_fields",
        ],
    );
    let id = id(cx, raw);
    let username = username(cx, raw, &origin);
    let email = email(cx, raw, &origin);
    let name = required_text(cx, "name", raw.name.as_ref(), &origin);
    let surname = required_text(cx, "surname", raw.surname.as_ref(), &origin);
    let language = required_text(cx, "language", raw.language.as_ref(), &origin);
    let timezone = required_text(cx, "timezone", raw.timezone.as_ref(), &origin);
    let roles = raw.roles.as_ref().map(|r| roles(cx, r));
    let external_id = raw
        .external_id
        .as_ref()
        .map(|e| not_empty(cx, e, "external_id"));
    let extended = raw.extended_fields.as_ref().map(|e| extended_fields(cx, e));
    let password = password(cx, raw, base);

    let mut fields = BTreeMap::new();
    let username = username?;
    fields.insert(names::USERNAME.to_string(), Value::text(username.clone()));
    fields.insert(names::EMAIL.to_string(), Value::text(email?));
    fields.insert(names::NAME.to_string(), Value::text(name?));
    fields.insert(names::SURNAME.to_string(), Value::text(surname?));
    fields.insert(names::LANGUAGE.to_string(), Value::text(language?));
    fields.insert(names::TIMEZONE.to_string(), Value::text(timezone?));
    let enabled = raw.enabled.as_ref().is_none_or(|e| e.value);
    fields.insert(names::ENABLED.to_string(), Value::Bool(enabled));
    if let Some(roles) = roles {
        fields.insert(names::ROLES.to_string(), roles?);
    }
    if let Some(external_id) = external_id {
        fields.insert(names::EXTERNAL_ID.to_string(), Value::text(external_id?));
    }
    if let Some(extended) = extended {
        fields.insert(names::EXTENDED_FIELDS.to_string(), extended?);
    }
    Some(DesiredUser {
        key: normalise_key(&username),
        id: id?,
        fields,
        password,
        ignore: ignore_list(raw),
        origin,
    })
}

/// `None` when absent, `Some(None)` when invalid.
fn id(cx: &mut Ctx<'_>, raw: &RawUser) -> Option<Option<String>> {
    let Some(s) = &raw.id else {
        return Some(None);
    };
    let text = s.value.0.trim();
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(Some(text.to_ascii_lowercase()));
    }
    cx.err(
        s,
        format!(
            "learningcloud user ids are 32 hexadecimal digits (e.g. ff8081814fb1ee7f014fb20105ba0004), not {:?}",
            s.value.0
        ),
    );
    None
}

fn username(cx: &mut Ctx<'_>, raw: &RawUser, anchor: &Origin) -> Option<String> {
    let username = required_text(cx, "username", raw.username.as_ref(), anchor)?;
    if username.contains(char::is_whitespace) || username.contains('/') {
        let s = raw.username.as_ref()?;
        cx.err(
            s,
            format!("username {username:?} must not contain spaces or '/'"),
        );
        return None;
    }
    Some(username)
}

fn not_empty(cx: &mut Ctx<'_>, s: &Spanned<String>, field: &str) -> Option<String> {
    let v = s.value.trim();
    if v.is_empty() {
        cx.err(
            s,
            format!("`{field}` is empty (roster sets values but does not clear them; leave the key out to leave the vendor's value alone)"),
        );
        return None;
    }
    super::clean(cx, field, s, super::text::MAX_TEXT)
}

/// Section → roles into a set of `section:role`, every wrong section or role reported where
/// it is written.
fn roles(cx: &mut Ctx<'_>, raw: &Spanned<RawRoles>) -> Option<Value> {
    let mut set = BTreeSet::new();
    let mut ok = true;
    for (section, list) in &raw.value {
        let Some((_, allowed)) = ROLE_SECTIONS.iter().find(|(s, _)| s == section) else {
            let known: Vec<&str> = ROLE_SECTIONS.iter().map(|(s, _)| *s).collect();
            cx.err(
                list,
                format!(
                    "unknown roles section {section:?} (learningcloud has: {})",
                    known.join(", ")
                ),
            );
            ok = false;
            continue;
        };
        for role in &list.value {
            let name = role.value.trim();
            if !allowed.contains(&name) {
                cx.err(
                    role,
                    format!(
                        "invalid role {name:?} in roles.{section} (allowed: {})",
                        allowed.join(", ")
                    ),
                );
                ok = false;
            } else if !set.insert(format!("{section}:{name}")) {
                cx.err(role, format!("role {name} listed twice in roles.{section}"));
                ok = false;
            }
        }
    }
    match raw.value.get("management") {
        None => {
            cx.problems.push(Problem::at(
                crate::diag::origin_of(cx.file, &raw.referenced),
                format!("{MANAGEMENT_NEEDS} (add e.g. `management: [user]`)"),
            ));
            ok = false;
        }
        Some(list) if list.value.is_empty() => {
            cx.err(list, MANAGEMENT_NEEDS);
            ok = false;
        }
        Some(_) => {}
    }
    ok.then_some(Value::Set(set))
}

fn extended_fields(cx: &mut Ctx<'_>, raw: &Spanned<BTreeMap<String, String>>) -> Option<Value> {
    let mut ok = true;
    for (key, value) in &raw.value {
        if key.trim().is_empty() {
            cx.err(raw, "an extended field has an empty name");
            ok = false;
        } else if let Some(why) =
            super::text::problem("extended_fields", key, super::text::MAX_NAME).or_else(|| {
                // The name is clean by now, so it may be quoted.
                super::text::problem(
                    &format!("extended_fields.{key}"),
                    value,
                    super::text::MAX_TEXT,
                )
            })
        {
            cx.err(raw, why);
            ok = false;
        } else if value.trim().is_empty() {
            cx.err(
                raw,
                format!("extended field {key} is empty (roster sets values but does not clear them; leave the key out to leave the vendor's value alone)"),
            );
            ok = false;
        }
    }
    ok.then(|| {
        Value::Map(
            raw.value
                .iter()
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests;
