//! PATCH (RFC 7644 §3.5.2): reads a `PatchOp` body (operation names in any case, as some
//! clients send `"Replace"`) and applies `add`, `replace` and `remove` to a resource's
//! attributes. Paths: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, the same behind
//! the enterprise extension's URN, and the URN alone; no path: a value of attributes.
//!
//! A filter matching nothing refuses a `replace` (`noTarget`), as the RFC says; for a
//! `remove` it is nothing to do, so a repeated removal of a member succeeds. Pure.

use serde_json::{Map, Value as Json};

use super::error::Refusal;
use super::filter::{self, Filter};
use super::request::{self, attributes, is_enterprise};
use super::schema::{self, Attr, ENTERPRISE_URN, GROUP_URN, Mutability, USER_URN};
use super::world::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Remove,
    Replace,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operation {
    pub(crate) op: Op,
    pub(crate) path: Option<String>,
    pub(crate) value: Option<Json>,
}

fn get_ci<'a>(m: &'a Map<String, Json>, name: &str) -> Option<&'a Json> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The operations of a `PatchOp` body.
pub(crate) fn operations(body: &Json) -> Result<Vec<Operation>, Refusal> {
    let syntax = |d: &str| Refusal::bad("invalidSyntax", d.to_string());
    let body = body
        .as_object()
        .ok_or_else(|| syntax("the body is not a JSON object"))?;
    let ops = get_ci(body, "Operations")
        .and_then(Json::as_array)
        .ok_or_else(|| syntax("a PatchOp needs Operations"))?;
    ops.iter()
        .map(|o| {
            let o = o
                .as_object()
                .ok_or_else(|| syntax("an operation is not an object"))?;
            let op = match get_ci(o, "op")
                .and_then(Json::as_str)
                .map(str::to_lowercase)
            {
                Some(op) if op == "add" => Op::Add,
                Some(op) if op == "remove" => Op::Remove,
                Some(op) if op == "replace" => Op::Replace,
                _ => return Err(syntax("op must be add, remove or replace")),
            };
            let path = get_ci(o, "path").and_then(Json::as_str).map(str::to_string);
            let value = get_ci(o, "value").cloned().filter(|v| !v.is_null());
            Ok(Operation { op, path, value })
        })
        .collect()
}

/// Where a path points.
struct Target {
    /// Inside the enterprise extension.
    extension: bool,
    /// `None`: the extension itself.
    attr: Option<&'static Attr>,
    filter: Option<Filter>,
    sub: Option<&'static Attr>,
}

fn invalid_path(detail: String) -> Refusal {
    Refusal::bad("invalidPath", detail)
}

fn target(kind: Kind, path: &str) -> Result<Target, Refusal> {
    let mut p = path.trim();
    let mut extension = false;
    let strip = |p: &str, urn: &str| {
        (p.len() >= urn.len()
            && p.is_char_boundary(urn.len())
            && p[..urn.len()].eq_ignore_ascii_case(urn))
        .then(|| p[urn.len()..].to_string())
    };
    let rest;
    if kind == Kind::User
        && let Some(r) = strip(p, ENTERPRISE_URN)
    {
        if r.is_empty() {
            return Ok(Target {
                extension: true,
                attr: None,
                filter: None,
                sub: None,
            });
        }
        rest = r
            .strip_prefix(':')
            .map(str::to_string)
            .ok_or_else(|| invalid_path(format!("cannot read path {path:?}")))?;
        extension = true;
        p = &rest;
    } else if let Some(r) =
        strip(p, &format!("{USER_URN}:")).or_else(|| strip(p, &format!("{GROUP_URN}:")))
    {
        rest = r;
        p = &rest;
    }
    let split = p.find(['[', '.']).unwrap_or(p.len());
    let (name, mut tail) = p.split_at(split);
    let attrs = if extension {
        schema::ENTERPRISE
    } else {
        attributes(kind)
    };
    let attr = if !extension && name.eq_ignore_ascii_case("externalId") {
        &schema::EXTERNAL_ID
    } else {
        schema::find(attrs, name).ok_or_else(|| invalid_path(format!("no attribute {name:?}")))?
    };
    let mut filter = None;
    if let Some(inner) = tail.strip_prefix('[') {
        let close = inner
            .rfind(']')
            .ok_or_else(|| invalid_path(format!("cannot read path {path:?}")))?;
        if !attr.multi {
            return Err(invalid_path(format!("{} is not multi-valued", attr.name)));
        }
        filter = Some(filter::parse(&inner[..close])?);
        tail = &inner[close + 1..];
    }
    let sub = match tail.strip_prefix('.') {
        Some(s) => Some(
            schema::find(attr.sub, s)
                .ok_or_else(|| invalid_path(format!("no attribute {}.{s}", attr.name)))?,
        ),
        None if tail.is_empty() => None,
        None => return Err(invalid_path(format!("cannot read path {path:?}"))),
    };
    if attr.mutability == Mutability::ReadOnly
        || sub.is_some_and(|s| s.mutability == Mutability::ReadOnly)
    {
        return Err(Refusal::bad("mutability", format!("{path} is read-only")));
    }
    Ok(Target {
        extension,
        attr: Some(attr),
        filter,
        sub,
    })
}

fn needs_value(v: Option<&Json>) -> Result<&Json, Refusal> {
    v.ok_or_else(|| Refusal::bad("invalidValue", "the operation needs a value"))
}

/// Applies `ops` in order to `attrs`, a resource of `kind` in the world's form.
pub(crate) fn apply(
    kind: Kind,
    attrs: &mut Map<String, Json>,
    ops: &[Operation],
) -> Result<(), Refusal> {
    for o in ops {
        match &o.path {
            None if o.op == Op::Remove => {
                return Err(Refusal::bad("noTarget", "remove needs a path"));
            }
            None => {
                // A value of attributes, each as if named by its own path.
                let value = needs_value(o.value.as_ref())?;
                let Json::Object(m) = value else {
                    return Err(Refusal::bad(
                        "invalidValue",
                        "without a path the value must be an object",
                    ));
                };
                for (k, v) in m {
                    if v.is_null() || !known(kind, k) {
                        continue;
                    }
                    let sub = Operation {
                        op: o.op,
                        path: Some(k.clone()),
                        value: Some(v.clone()),
                    };
                    apply(kind, attrs, std::slice::from_ref(&sub))?;
                }
            }
            Some(path) => {
                let t = target(kind, path)?;
                let container = if t.extension {
                    let slot = attrs
                        .entry(ENTERPRISE_URN.to_string())
                        .or_insert_with(|| Json::Object(Map::new()));
                    if !slot.is_object() {
                        *slot = Json::Object(Map::new());
                    }
                    match slot {
                        Json::Object(m) => m,
                        _ => unreachable!("made an object above"),
                    }
                } else {
                    &mut *attrs
                };
                change(container, &t, o)?;
                if t.extension
                    && attrs
                        .get(ENTERPRISE_URN)
                        .and_then(Json::as_object)
                        .is_some_and(Map::is_empty)
                {
                    attrs.remove(ENTERPRISE_URN);
                }
            }
        }
    }
    request::required(kind, attrs)
}

fn change(container: &mut Map<String, Json>, t: &Target, o: &Operation) -> Result<(), Refusal> {
    let Some(attr) = t.attr else {
        return whole_extension(container, o);
    };
    let key = attr.name.to_string();
    match (&t.filter, t.sub, o.op) {
        (None, None, Op::Remove) => {
            container.remove(&key);
        }
        (None, None, op) => {
            let v = request::value(attr, needs_value(o.value.as_ref())?)?;
            let merged = match (container.get(&key), v, op) {
                (Some(Json::Array(old)), Json::Array(new), Op::Add) => {
                    let mut all = old.clone();
                    all.extend(new.into_iter().filter(|n| !old.contains(n)));
                    Json::Array(all)
                }
                (Some(Json::Object(old)), Json::Object(new), _) => {
                    let mut m = old.clone();
                    m.extend(new);
                    Json::Object(m)
                }
                (_, v, _) => v,
            };
            container.insert(key, merged);
        }
        (None, Some(sub), op) => {
            let slot = container.entry(key.clone()).or_insert_with(|| {
                if attr.multi {
                    Json::Array(Vec::new())
                } else {
                    Json::Object(Map::new())
                }
            });
            let items: Vec<&mut Map<String, Json>> = match slot {
                Json::Array(items) => items.iter_mut().filter_map(Json::as_object_mut).collect(),
                Json::Object(m) => vec![m],
                _ => Vec::new(),
            };
            let value = match op {
                Op::Remove => None,
                _ => Some(request::value(sub, needs_value(o.value.as_ref())?)?),
            };
            for item in items {
                match &value {
                    None => drop(item.remove(sub.name)),
                    Some(v) => drop(item.insert(sub.name.to_string(), v.clone())),
                }
            }
            if container
                .get(&key)
                .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
            {
                container.remove(&key);
            }
        }
        (Some(f), sub, op) => {
            let case_exact =
                |name: &str| schema::find(attr.sub, name).is_some_and(|a| a.case_exact);
            let items = match container.get_mut(&key) {
                Some(Json::Array(items)) => items,
                _ if op == Op::Remove => return Ok(()),
                _ => {
                    return Err(Refusal::bad(
                        "noTarget",
                        format!("no value of {} matches", attr.name),
                    ));
                }
            };
            let hit = |i: &Json| {
                i.as_object()
                    .is_some_and(|m| filter::matches_item(f, m, case_exact))
            };
            if !items.iter().any(hit) {
                return match op {
                    Op::Remove => Ok(()),
                    _ => Err(Refusal::bad(
                        "noTarget",
                        format!("no value of {} matches", attr.name),
                    )),
                };
            }
            match (sub, op) {
                (None, Op::Remove) => items.retain(|i| !hit(i)),
                (None, Op::Add) => return Err(invalid_path("add takes no filter".into())),
                (None, Op::Replace) => {
                    let v = request::value(attr, needs_value(o.value.as_ref())?)?;
                    let replacement = match v {
                        Json::Array(mut list) if list.len() == 1 => list.remove(0),
                        other => other,
                    };
                    for i in items.iter_mut().filter(|i| hit(i)) {
                        *i = replacement.clone();
                    }
                }
                (Some(sub), op) => {
                    let v = match op {
                        Op::Remove => None,
                        _ => Some(request::value(sub, needs_value(o.value.as_ref())?)?),
                    };
                    for i in items.iter_mut().filter(|i| hit(i)) {
                        if let Some(m) = i.as_object_mut() {
                            match &v {
                                None => drop(m.remove(sub.name)),
                                Some(v) => drop(m.insert(sub.name.to_string(), v.clone())),
                            }
                        }
                    }
                }
            }
            if items.is_empty() {
                container.remove(&key);
            }
        }
    }
    Ok(())
}

/// `add`/`replace` at the extension's URN merge an object of its attributes; `remove` drops it.
fn whole_extension(container: &mut Map<String, Json>, o: &Operation) -> Result<(), Refusal> {
    if o.op == Op::Remove {
        container.clear();
        return Ok(());
    }
    let Json::Object(m) = needs_value(o.value.as_ref())? else {
        return Err(Refusal::bad(
            "invalidValue",
            format!("{ENTERPRISE_URN} takes an object"),
        ));
    };
    container.extend(request::complex(schema::ENTERPRISE, m)?);
    Ok(())
}

/// Whether `key` names an attribute of `kind` a client may write (for values without a path).
fn known(kind: Kind, key: &str) -> bool {
    (kind == Kind::User && is_enterprise(key))
        || key.eq_ignore_ascii_case("externalId")
        || schema::find(attributes(kind), key).is_some_and(|a| a.mutability != Mutability::ReadOnly)
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
