//! A manifest user of a SCIM target: identity by user name (optionally bound to the SCIM id,
//! so the user name can change), the optional e-mail, names, display name and external id,
//! `active` (default true), the group set when given, and the enterprise extension's keys.
//!
//! The enterprise map holds only the keys the manifest sets; empty values are refused: roster
//! sets values, it does not clear them.

use std::collections::BTreeMap;

use crate::model::{Value, normalise_key};
use crate::vendor::{UserFields, read};
use crate::yaml::{Keys, Located, text};

use super::{ENTERPRISE_KEYS, names};

pub(super) fn read(keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields> {
    let id = match id {
        None => Some(None),
        Some(l) => match text::problem("id", &l.value, text::MAX_TEXT) {
            None if !l.value.trim().is_empty() => Some(Some(l.value.trim().to_string())),
            None => {
                keys.push(read::problem(&l.origin, "`id` is empty"));
                None
            }
            Some(why) => {
                keys.push(read::problem(&l.origin, why));
                None
            }
        },
    };
    let user_name = keys.required_name(names::USER_NAME);
    let email = match keys.text(names::EMAIL) {
        None => Some(None),
        Some(e) => match text::email_problem(&e.value) {
            None => Some(Some(e.value)),
            Some(why) => {
                keys.push(read::problem(&e.origin, why));
                None
            }
        },
    };
    let (mut fields, mut expiring) = (crate::model::Fields::new(), BTreeMap::new());
    for n in [names::GIVEN_NAME, names::FAMILY_NAME, names::DISPLAY_NAME] {
        if let Some(v) = keys.name(n) {
            fields.insert(n, Value::text(v.value));
        }
    }
    if let Some(v) = keys.text(names::EXTERNAL_ID) {
        fields.insert(names::EXTERNAL_ID, Value::text(v.value));
    }
    let active = keys.bool(names::ACTIVE).is_none_or(|a| a.value);
    fields.insert(names::ACTIVE, Value::Bool(active));
    // Each group may end on its own date: an ended group is a leave, as any membership.
    if let Some(m) = read::members(keys, names::GROUPS, "group", read::Member::Name) {
        m.store(names::GROUPS, &mut fields, &mut expiring);
    }
    let enterprise = enterprise(keys);

    let user_name = user_name?;
    fields.insert(names::USER_NAME, Value::text(user_name.value.clone()));
    if let Some(e) = email? {
        fields.insert(names::EMAIL, Value::text(e));
    }
    if let Some(e) = enterprise? {
        fields.insert(names::ENTERPRISE, Value::Map(e));
    }
    Some(UserFields {
        key: normalise_key(&user_name.value),
        id: id?,
        fields,
        expiring,
    })
}

/// `enterprise:`: `None` when invalid, `Some(None)` when absent.
fn enterprise(keys: &mut Keys<'_>) -> Option<Option<BTreeMap<String, String>>> {
    let Some(mut map) = keys.keys(names::ENTERPRISE) else {
        return Some(None).filter(|_| keys.get(names::ENTERPRISE).is_none());
    };
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (k, _) in ENTERPRISE_KEYS {
        match map.text(k) {
            Some(v) => drop(out.insert(k.to_string(), v.value)),
            None => ok &= map.get(k).is_none(),
        }
    }
    let known: Vec<&str> = ENTERPRISE_KEYS.iter().map(|(k, _)| *k).collect();
    let problems = map.finish(&known, &|_| None);
    ok &= problems.is_empty();
    keys.absorb(problems);
    ok.then_some(Some(out))
}
