//! A manifest user of a learningCloud target: identity by username (optionally bound to the
//! vendor's 32-hex id, so the username can change), the core fields the vendor requires on
//! every update, the enabled switch, roles, the external id and extended fields.
//!
//! Extended fields become a map of only the keys the manifest sets. Empty values are refused:
//! roster sets values, it does not clear them.

use std::collections::BTreeMap;

use crate::model::{Value, normalise_key};
use crate::vendor::{UserFields, read};
use crate::yaml::{Keys, Located, text};

use super::names;

const NOT_CLEARED: &str = "(roster sets values but does not clear them; leave the key out to leave the vendor's value alone)";

pub(super) fn read(keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields> {
    let id = match id {
        None => Some(None),
        Some(l) => {
            let text = l.value.trim();
            if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                Some(Some(text.to_ascii_lowercase()))
            } else {
                let message = format!(
                    "learningcloud user ids are 32 hexadecimal digits (e.g. ff8081814fb1ee7f014fb20105ba0004), not {:?}",
                    l.value
                );
                keys.push(read::problem(&l.origin, message));
                None
            }
        }
    };
    let username = username(keys);
    let email = read::email(keys);
    let core: Vec<_> = [
        names::NAME,
        names::SURNAME,
        names::LANGUAGE,
        names::TIMEZONE,
    ]
    .into_iter()
    .map(|n| (n, keys.required_text(n)))
    .collect();
    let enabled = keys.bool(names::ENABLED).is_none_or(|e| e.value);
    let roles = super::roles::read(keys, names::ROLES);
    let external_id = match keys.raw_text(names::EXTERNAL_ID) {
        None => Some(None),
        Some(e) if e.value.trim().is_empty() => {
            let message = format!("`{}` is empty {NOT_CLEARED}", names::EXTERNAL_ID);
            keys.push(read::problem(&e.origin, message));
            None
        }
        Some(e) => Some(Some(e.value.trim().to_string())),
    };
    let extended = extended_fields(keys);

    let mut fields = crate::model::Fields::new();
    let username = username?;
    fields.insert(names::USERNAME, Value::text(username.clone()));
    fields.insert(names::EMAIL, Value::text(email?.value));
    for (n, v) in core {
        fields.insert(n, Value::text(v?.value));
    }
    fields.insert(names::ENABLED, Value::Bool(enabled));
    if let Some(roles) = roles? {
        fields.insert(names::ROLES, roles);
    }
    if let Some(e) = external_id? {
        fields.insert(names::EXTERNAL_ID, Value::text(e));
    }
    if let Some(e) = extended? {
        fields.insert(names::EXTENDED_FIELDS, e);
    }
    Some(UserFields {
        key: normalise_key(&username),
        id: id?,
        fields,
        // Roles are one map sent whole, not memberships: they do not end one by one.
        expiring: BTreeMap::new(),
    })
}

fn username(keys: &mut Keys<'_>) -> Option<String> {
    let u = keys.required_name(names::USERNAME)?;
    if u.value.contains(char::is_whitespace) || u.value.contains('/') {
        let message = format!("username {:?} must not contain spaces or '/'", u.value);
        keys.push(read::problem(&u.origin, message));
        return None;
    }
    Some(u.value)
}

/// `None` when invalid, `Some(None)` when absent.
fn extended_fields(keys: &mut Keys<'_>) -> Option<Option<Value>> {
    let Some(mut map) = keys.keys(names::EXTENDED_FIELDS) else {
        return Some(None).filter(|_| !keys.has(names::EXTENDED_FIELDS));
    };
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (key, value) in map.entries() {
        let raw = match value.text(key.value) {
            Ok(t) => t,
            Err(p) => {
                map.push(p);
                ok = false;
                continue;
            }
        };
        let refused = text::problem(names::EXTENDED_FIELDS, key.value, text::MAX_NAME)
            .map(|why| (key.origin.clone(), why))
            .or_else(|| {
                // The name is clean by now, so it may be quoted.
                let field = format!("{}.{}", names::EXTENDED_FIELDS, key.value);
                text::problem(&field, raw, text::MAX_TEXT).map(|why| (value.origin(), why))
            });
        let text = raw.trim();
        if let Some((at, why)) = refused {
            map.push(read::problem(&at, why));
            ok = false;
            continue;
        }
        if key.value.trim().is_empty() {
            map.push(read::problem(
                &key.origin,
                "an extended field has an empty name",
            ));
            ok = false;
        } else if text.is_empty() {
            let message = format!("extended field {} is empty {NOT_CLEARED}", key.value);
            map.push(value.problem(message));
            ok = false;
        } else {
            out.insert(key.value.trim().to_string(), text.to_string());
        }
    }
    keys.absorb(map.finish(&[], &|_| None));
    ok.then_some(Some(Value::Map(out)))
}
