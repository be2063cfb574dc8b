//! Turns one raw manifest entry into a [`DesiredUser`] for its target's provider: which keys a
//! provider takes, which are required, and how each becomes a vendor-neutral [`Value`].
//!
//! Pure apart from checking that referenced secrets are present.

use std::collections::BTreeSet;
use std::path::Path;

use serde_saphyr::Spanned;

use crate::config::{ProviderConfig, Target};
use crate::diag::{self, Problem};
use crate::model::{DesiredUser, Origin, Value, normalise_key};

use super::raw::RawUser;

mod learningcloud;
pub(crate) mod text;

pub use crate::model::names;

struct Ctx<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    fn err<T>(&mut self, s: &Spanned<T>, msg: impl Into<String>) {
        self.problems
            .push(Problem::at(diag::origin_of(self.file, &s.referenced), msg));
    }
}

/// Converts `raw`, returning the user (when it is usable) and every problem found.
pub(crate) fn convert(
    target: &Target,
    raw: &RawUser,
    file: &str,
    origin: Origin,
    base: &Path,
) -> (Option<DesiredUser>, Vec<Problem>) {
    let mut cx = Ctx {
        file,
        problems: Vec::new(),
    };
    check_ignore(&mut cx, target, raw);
    let user = match &target.provider {
        ProviderConfig::Uipath { .. } => uipath(&mut cx, raw, origin, base),
        ProviderConfig::Xtracta { group_id, .. } => {
            xtracta(&mut cx, target, *group_id, raw, origin, base)
        }
        ProviderConfig::LearningCloud { .. } => learningcloud::convert(&mut cx, raw, origin, base),
    };
    (user, cx.problems)
}

/// Keys that belong to other providers: each is an error, so that nothing is silently ignored.
fn reject_foreign(cx: &mut Ctx<'_>, provider: &str, raw: &RawUser, allowed: &[&str]) {
    let present: [(&str, Option<&serde_saphyr::Location>); 11] = [
        ("workflows", raw.workflows.as_ref().map(|s| &s.referenced)),
        ("group_id", raw.group_id.as_ref().map(|s| &s.referenced)),
        ("user_name", raw.user_name.as_ref().map(|s| &s.referenced)),
        ("surname", raw.surname.as_ref().map(|s| &s.referenced)),
        ("active", raw.active.as_ref().map(|s| &s.referenced)),
        ("groups", raw.groups.as_ref().map(|s| &s.referenced)),
        ("username", raw.username.as_ref().map(|s| &s.referenced)),
        ("language", raw.language.as_ref().map(|s| &s.referenced)),
        ("timezone", raw.timezone.as_ref().map(|s| &s.referenced)),
        ("enabled", raw.enabled.as_ref().map(|s| &s.referenced)),
        ("roles", raw.roles.as_ref().map(|s| &s.referenced)),
    ];
    let more: [(&str, Option<&serde_saphyr::Location>); 2] = [
        (
            "external_id",
            raw.external_id.as_ref().map(|s| &s.referenced),
        ),
        (
            "extended_fields",
            raw.extended_fields.as_ref().map(|s| &s.referenced),
        ),
    ];
    for (key, loc) in present.into_iter().chain(more) {
        if let Some(loc) = loc
            && !allowed.contains(&key)
        {
            cx.problems.push(Problem::at(
                diag::origin_of(cx.file, loc),
                format!("`{key}` is not a field of {provider} users"),
            ));
        }
    }
}

fn email(cx: &mut Ctx<'_>, raw: &RawUser, anchor: &Origin) -> Option<String> {
    match &raw.email {
        Some(e) => match text::email_problem(&e.value) {
            None => Some(e.value.trim().to_string()),
            Some(why) => {
                cx.err(e, why);
                None
            }
        },
        None => {
            cx.problems
                .push(Problem::at(anchor.clone(), "missing field `email`"));
            None
        }
    }
}

/// The value, unless it holds a control character or is over `max` characters (then a
/// located problem).
fn clean(cx: &mut Ctx<'_>, field: &str, s: &Spanned<String>, max: usize) -> Option<String> {
    match text::problem(field, &s.value, max) {
        None => Some(s.value.trim().to_string()),
        Some(why) => {
            cx.err(s, why);
            None
        }
    }
}

fn required_text(
    cx: &mut Ctx<'_>,
    field: &str,
    v: Option<&Spanned<String>>,
    anchor: &Origin,
) -> Option<String> {
    match v {
        Some(s) if !s.value.trim().is_empty() => clean(cx, field, s, max_len(field)),
        Some(s) => {
            cx.err(s, format!("`{field}` is empty"));
            None
        }
        None => {
            cx.problems.push(Problem::at(
                anchor.clone(),
                format!("missing field `{field}`"),
            ));
            None
        }
    }
}

fn password(cx: &mut Ctx<'_>, raw: &RawUser, base: &Path) -> Option<crate::secret::SecretRef> {
    let p = raw.password.as_ref()?;
    match crate::config::parse_secret(&p.value) {
        Ok(r) => {
            if let Err(e) = r.resolve(base) {
                cx.err(p, format!("password: {e}"));
            }
            Some(r)
        }
        Err(e) => {
            cx.err(p, format!("password: {e}"));
            None
        }
    }
}

/// The fields each provider manages, as `ignore:` may name them.
pub fn provider_fields(provider: &ProviderConfig) -> &'static [&'static str] {
    super::provider_fields_by_name(provider.kind())
}

fn ignore_list(raw: &RawUser) -> BTreeSet<String> {
    raw.ignore
        .iter()
        .flatten()
        .map(|s| s.value.trim().to_string())
        .collect()
}

/// Every `ignore:` entry must name a field the provider manages.
fn check_ignore(cx: &mut Ctx<'_>, target: &Target, raw: &RawUser) {
    let known = provider_fields(&target.provider);
    for s in raw.ignore.iter().flatten() {
        if !known.contains(&s.value.trim()) {
            cx.err(
                s,
                format!(
                    "unknown field {:?} in `ignore` (fields: {})",
                    s.value,
                    known.join(", ")
                ),
            );
        }
    }
}

fn xtracta(
    cx: &mut Ctx<'_>,
    target: &Target,
    default_group: u64,
    raw: &RawUser,
    origin: Origin,
    base: &Path,
) -> Option<DesiredUser> {
    reject_foreign(cx, "xtracta", raw, &["workflows", "group_id"]);
    let id = match &raw.id {
        Some(s) if s.value.0.parse::<u64>().is_ok() => Some(s.value.0.clone()),
        Some(s) => {
            cx.err(
                s,
                format!("xtracta user ids are whole numbers, not {:?}", s.value.0),
            );
            None
        }
        None => None,
    };
    let email = email(cx, raw, &origin);
    let name = required_text(cx, "name", raw.name.as_ref(), &origin);
    let password = password(cx, raw, base);
    let mut fields = std::collections::BTreeMap::new();
    if let Some(w) = &raw.workflows {
        let mut set = BTreeSet::new();
        for item in &w.value {
            if !set.insert(item.value.to_string()) {
                cx.err(item, format!("workflow {} listed twice", item.value));
            }
        }
        fields.insert(names::WORKFLOWS.to_string(), Value::Set(set));
    }
    let group = raw.group_id.as_ref().map_or(default_group, |g| g.value);
    fields.insert(names::GROUP_ID.to_string(), Value::text(group.to_string()));
    let (email, name) = (email?, name?);
    let _ = target;
    fields.insert(names::EMAIL.to_string(), Value::text(email.clone()));
    fields.insert(names::NAME.to_string(), Value::text(name));
    Some(DesiredUser {
        key: normalise_key(&email),
        id,
        fields,
        password,
        ignore: ignore_list(raw),
        origin,
    })
}

fn optional_text(cx: &mut Ctx<'_>, field: &str, v: Option<&Spanned<String>>) -> Option<String> {
    let s = v?;
    if s.value.trim().is_empty() {
        cx.err(s, format!("`{field}` is empty"));
        return None;
    }
    clean(cx, field, s, max_len(field))
}

/// The length limit of a text field: names are shorter than other values.
fn max_len(field: &str) -> usize {
    match field {
        names::NAME | names::SURNAME | names::USER_NAME | names::USERNAME => text::MAX_NAME,
        _ => text::MAX_TEXT,
    }
}

fn uipath(cx: &mut Ctx<'_>, raw: &RawUser, origin: Origin, base: &Path) -> Option<DesiredUser> {
    reject_foreign(
        cx,
        "uipath",
        raw,
        &["user_name", "surname", "active", "groups"],
    );
    let id = match &raw.id {
        Some(s) if crate::config::is_uuid(&s.value.0) => Some(s.value.0.trim().to_lowercase()),
        Some(s) => {
            cx.err(s, format!("uipath user ids are GUIDs, not {:?}", s.value.0));
            None
        }
        None => None,
    };
    let email = email(cx, raw, &origin);
    let name = required_text(cx, "name", raw.name.as_ref(), &origin);
    let password = password(cx, raw, base);
    let mut fields = std::collections::BTreeMap::new();
    if let Some(u) = optional_text(cx, "user_name", raw.user_name.as_ref()) {
        fields.insert(names::USER_NAME.to_string(), Value::text(u));
    }
    if let Some(s) = optional_text(cx, "surname", raw.surname.as_ref()) {
        fields.insert(names::SURNAME.to_string(), Value::text(s));
    }
    let active = raw.active.as_ref().is_none_or(|a| a.value);
    fields.insert(names::ACTIVE.to_string(), Value::Bool(active));
    if let Some(g) = &raw.groups {
        let mut set = BTreeSet::new();
        for item in &g.value {
            let n = item.value.trim();
            if n.is_empty() {
                cx.err(item, "empty group name");
            } else if clean(cx, "groups", item, text::MAX_NAME).is_some()
                && !set.insert(n.to_string())
            {
                cx.err(item, format!("group {n:?} listed twice"));
            }
        }
        fields.insert(names::GROUPS.to_string(), Value::Set(set));
    }
    let (email, name) = (email?, name?);
    fields.insert(names::EMAIL.to_string(), Value::text(email.clone()));
    fields.insert(names::NAME.to_string(), Value::text(name));
    Some(DesiredUser {
        key: normalise_key(&email),
        id,
        fields,
        password,
        ignore: ignore_list(raw),
        origin,
    })
}
