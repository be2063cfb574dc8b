//! The bodies roster sends: a new user, PATCH operations for exactly the changed attributes,
//! a resource read whole with only the managed attributes changed (for PUT), and group
//! member changes (PATCH `add`/`remove` in chunks, or a whole member list for PUT).
//!
//! Pure JSON building. A resource read for PUT keeps the server's spelling of attribute
//! names: a managed attribute is changed where it is, whatever its case, and everything roster
//! does not manage is sent back as it came (only `meta`, which is read-only, is left out).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use crate::model::{Fields, Value};
use crate::plan::FieldChange;
use crate::vendor::scim::{ENTERPRISE_KEYS, ENTERPRISE_URN, names};

pub(crate) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The most members one membership PATCH adds or removes.
pub(crate) const MEMBER_CHUNK: usize = 100;

fn text<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_text)
}

/// The extension attribute a key of the `enterprise` map stands for, and its value.
fn enterprise_value(key: &str, value: &str) -> Option<(&'static str, Json)> {
    let (_, attr) = ENTERPRISE_KEYS.iter().find(|(k, _)| *k == key)?;
    let v = if *attr == "manager" {
        json!({ "value": value })
    } else {
        json!(value)
    };
    Some((attr, v))
}

/// `POST /Users`: every field the create sets (groups are joined afterwards).
pub(crate) fn new_user(fields: &Fields, password: Option<&str>) -> Json {
    let mut user = Map::new();
    let mut schemas = vec![json!(USER_URN)];
    user.insert("userName".into(), json!(text(fields, names::USER_NAME)));
    let mut name = Map::new();
    if let Some(g) = text(fields, names::GIVEN_NAME) {
        name.insert("givenName".into(), json!(g));
    }
    if let Some(f) = text(fields, names::FAMILY_NAME) {
        name.insert("familyName".into(), json!(f));
    }
    if !name.is_empty() {
        user.insert("name".into(), Json::Object(name));
    }
    if let Some(d) = text(fields, names::DISPLAY_NAME) {
        user.insert("displayName".into(), json!(d));
    }
    if let Some(e) = text(fields, names::EMAIL) {
        user.insert("emails".into(), json!([new_email(e)]));
    }
    let active = fields.get(names::ACTIVE) != Some(&Value::Bool(false));
    user.insert("active".into(), json!(active));
    if let Some(x) = text(fields, names::EXTERNAL_ID) {
        user.insert("externalId".into(), json!(x));
    }
    if let Some(Value::Map(m)) = fields.get(names::ENTERPRISE)
        && !m.is_empty()
    {
        let ext: Map<String, Json> = m
            .iter()
            .filter_map(|(k, v)| enterprise_value(k, v))
            .map(|(a, v)| (a.to_string(), v))
            .collect();
        schemas.push(json!(ENTERPRISE_URN));
        user.insert(ENTERPRISE_URN.into(), Json::Object(ext));
    }
    if let Some(p) = password {
        user.insert("password".into(), json!(p));
    }
    user.insert("schemas".into(), Json::Array(schemas));
    Json::Object(user)
}

fn new_email(address: &str) -> Json {
    json!({ "value": address, "type": "work", "primary": true })
}

/// A PatchOp body.
pub(crate) fn patch_op(operations: Vec<Json>) -> Json {
    json!({ "schemas": [PATCH_URN], "Operations": operations })
}

fn replace(path: &str, value: Json) -> Json {
    json!({ "op": "replace", "path": path, "value": value })
}

/// The enterprise keys whose value changes.
fn changed_keys(c: &FieldChange) -> Vec<(&str, &str)> {
    let Value::Map(to) = &c.to else {
        return Vec::new();
    };
    let from = match &c.from {
        Some(Value::Map(m)) => m.clone(),
        _ => BTreeMap::new(),
    };
    to.iter()
        .filter(|(k, v)| from.get(*k) != Some(*v))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// PATCH `replace` operations for exactly the changed attributes. The e-mail replaces the
/// whole `emails` list as [`emails`] merges it into `current`, the resource read just before.
pub(crate) fn user_operations(changes: &[FieldChange], current: Option<&Json>) -> Vec<Json> {
    let mut ops = Vec::new();
    for c in changes {
        let t = c.to.as_text().unwrap_or_default();
        match (c.field.as_str(), &c.to) {
            (names::USER_NAME, _) => ops.push(replace("userName", json!(t))),
            (names::GIVEN_NAME, _) => ops.push(replace("name.givenName", json!(t))),
            (names::FAMILY_NAME, _) => ops.push(replace("name.familyName", json!(t))),
            (names::DISPLAY_NAME, _) => ops.push(replace("displayName", json!(t))),
            (names::EXTERNAL_ID, _) => ops.push(replace("externalId", json!(t))),
            (names::ACTIVE, Value::Bool(b)) => ops.push(replace("active", json!(b))),
            (names::EMAIL, _) => ops.push(replace("emails", emails(current, t))),
            (names::ENTERPRISE, _) => {
                for (k, v) in changed_keys(c) {
                    if let Some((attr, value)) = enterprise_value(k, v) {
                        ops.push(replace(&format!("{ENTERPRISE_URN}:{attr}"), value));
                    }
                }
            }
            _ => {}
        }
    }
    ops
}

/// The key of `map` that is `name` in any case, if any.
fn key_of(map: &Map<String, Json>, name: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Sets `name` (in whatever case `map` spells it) to `value`.
fn set(map: &mut Map<String, Json>, name: &str, value: Json) {
    let k = key_of(map, name).unwrap_or_else(|| name.to_string());
    map.insert(k, value);
}

/// The object under `name`, made one if it is missing or not an object.
fn object<'a>(map: &'a mut Map<String, Json>, name: &str) -> &'a mut Map<String, Json> {
    let k = key_of(map, name).unwrap_or_else(|| name.to_string());
    let slot = map.entry(k).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Json::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

fn flag(v: Option<&Json>) -> bool {
    match v {
        Some(Json::Bool(b)) => *b,
        Some(Json::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// `current`'s e-mails with the one roster manages (primary, else the first work, else the
/// first) changed to `address`, or a new primary work e-mail when there is none.
pub(crate) fn emails(current: Option<&Json>, address: &str) -> Json {
    let list = current
        .and_then(Json::as_object)
        .and_then(|m| key_of(m, "emails").and_then(|k| m.get(&k)))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let get = |e: &Json, name: &str| {
        e.as_object()
            .and_then(|m| key_of(m, name).and_then(|k| m.get(&k).cloned()))
    };
    let has_value = |e: &Json| {
        get(e, "value")
            .and_then(|v| v.as_str().map(str::to_string))
            .is_some_and(|v| !v.trim().is_empty())
    };
    let work = |e: &Json| {
        get(e, "type")
            .and_then(|t| t.as_str().map(|t| t.trim().eq_ignore_ascii_case("work")))
            .unwrap_or(false)
    };
    let at = list
        .iter()
        .position(|e| has_value(e) && flag(get(e, "primary").as_ref()))
        .or_else(|| list.iter().position(|e| has_value(e) && work(e)))
        .or_else(|| list.iter().position(has_value));
    let mut list = list;
    match at.and_then(|i| list[i].as_object_mut()) {
        Some(e) => set(e, "value", json!(address)),
        None => list.push(new_email(address)),
    }
    Json::Array(list)
}

/// `current` (a user read whole) with the managed attributes of `changes` changed, for PUT.
pub(crate) fn merged_user(mut current: Map<String, Json>, changes: &[FieldChange]) -> Json {
    let snapshot = Json::Object(current.clone());
    with_schema(&mut current, USER_URN);
    for c in changes {
        let t = c.to.as_text().unwrap_or_default();
        match (c.field.as_str(), &c.to) {
            (names::USER_NAME, _) => set(&mut current, "userName", json!(t)),
            (names::GIVEN_NAME, _) => set(object(&mut current, "name"), "givenName", json!(t)),
            (names::FAMILY_NAME, _) => set(object(&mut current, "name"), "familyName", json!(t)),
            (names::DISPLAY_NAME, _) => set(&mut current, "displayName", json!(t)),
            (names::EXTERNAL_ID, _) => set(&mut current, "externalId", json!(t)),
            (names::ACTIVE, Value::Bool(b)) => set(&mut current, "active", json!(b)),
            (names::EMAIL, _) => set(&mut current, "emails", emails(Some(&snapshot), t)),
            (names::ENTERPRISE, _) => {
                let keys = changed_keys(c);
                if !keys.is_empty() {
                    with_schema(&mut current, ENTERPRISE_URN);
                }
                let ext = object(&mut current, ENTERPRISE_URN);
                for (k, v) in keys {
                    if let Some((attr, value)) = enterprise_value(k, v) {
                        set(ext, attr, value);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(k) = key_of(&current, "meta") {
        current.remove(&k);
    }
    Json::Object(current)
}

/// Adds `urn` to the resource's `schemas` when it is not there.
fn with_schema(resource: &mut Map<String, Json>, urn: &str) {
    let k = key_of(resource, "schemas").unwrap_or_else(|| "schemas".into());
    let slot = resource.entry(k).or_insert_with(|| json!([]));
    if let Json::Array(list) = slot
        && !list
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    {
        list.push(json!(urn));
    }
}

/// `join` and `leave` cut into chunks of at most [`MEMBER_CHUNK`] members, one PATCH each.
pub(crate) fn member_chunks(join: &[String], leave: &[String]) -> Vec<(Vec<String>, Vec<String>)> {
    let changes: Vec<(bool, &String)> = join
        .iter()
        .map(|id| (true, id))
        .chain(leave.iter().map(|id| (false, id)))
        .collect();
    changes
        .chunks(MEMBER_CHUNK)
        .map(|chunk| {
            let pick = |add: bool| -> Vec<String> {
                chunk
                    .iter()
                    .filter(|(a, _)| *a == add)
                    .map(|(_, id)| (*id).clone())
                    .collect()
            };
            (pick(true), pick(false))
        })
        .collect()
}

/// PATCH operations adding `join` and removing `leave`: one `add` with a value list, one
/// filtered `remove` per member leaving.
pub(crate) fn member_operations(join: &[String], leave: &[String]) -> Vec<Json> {
    let mut ops = Vec::new();
    if !join.is_empty() {
        let adds: Vec<Json> = join.iter().map(|id| json!({ "value": id })).collect();
        ops.push(json!({ "op": "add", "path": "members", "value": adds }));
    }
    for id in leave {
        let path = format!("members[value eq {}]", super::list::literal(id));
        ops.push(json!({ "op": "remove", "path": path }));
    }
    ops
}

/// The member values of a group read whole.
pub(crate) fn member_values(group: &Map<String, Json>) -> BTreeSet<String> {
    let Some(Json::Array(members)) = key_of(group, "members").and_then(|k| group.get(&k)) else {
        return BTreeSet::new();
    };
    members
        .iter()
        .filter_map(|m| {
            let m = m.as_object()?;
            match m.get(&key_of(m, "value")?)? {
                Json::String(s) => Some(s.trim().to_string()),
                Json::Number(n) => Some(n.to_string()),
                _ => None,
            }
        })
        .collect()
}

/// `group` (read whole) with `leave` removed from its members and `join` added, every other
/// member kept as it came, for PUT.
pub(crate) fn merged_group(
    mut group: Map<String, Json>,
    join: &[String],
    leave: &[String],
) -> Json {
    let present = member_values(&group);
    let k = key_of(&group, "members").unwrap_or_else(|| "members".into());
    let mut members = match group.remove(&k) {
        Some(Json::Array(list)) => list,
        _ => Vec::new(),
    };
    members.retain(|m| {
        let value = m.as_object().and_then(|o| {
            let v = o.get(&key_of(o, "value")?)?;
            Some(match v {
                Json::String(s) => s.trim().to_string(),
                other => other.to_string(),
            })
        });
        !value.is_some_and(|v| leave.contains(&v))
    });
    for id in join.iter().filter(|id| !present.contains(*id)) {
        members.push(json!({ "value": id }));
    }
    group.insert(k, Json::Array(members));
    with_schema(&mut group, GROUP_URN);
    if let Some(k) = key_of(&group, "meta") {
        group.remove(&k);
    }
    Json::Object(group)
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
