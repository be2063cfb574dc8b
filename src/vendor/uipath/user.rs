//! A manifest user of a UiPath target: identity by e-mail (optionally bound to the user's
//! GUID), name, optional user name and surname, `active` (default true), and the group set
//! when given (a group may end: `{name: Auditors, expires: 2027-02-01T18:00:00Z}`).

use std::collections::BTreeMap;

use crate::model::{Value, normalise_key};
use crate::vendor::{UserFields, read};
use crate::yaml::{Keys, Located};

use super::names;

pub(super) fn read(keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields> {
    let id = match id {
        Some(l) if super::is_uuid(&l.value) => Some(l.value.trim().to_lowercase()),
        Some(l) => {
            let p = read::problem(
                &l.origin,
                format!("uipath user ids are GUIDs, not {:?}", l.value),
            );
            keys.push(p);
            None
        }
        None => None,
    };
    let email = read::email(keys);
    let name = keys.required_name(names::NAME);
    let (mut fields, mut expiring) = (crate::model::Fields::new(), BTreeMap::new());
    for n in [names::USER_NAME, names::SURNAME] {
        if let Some(v) = keys.name(n) {
            fields.insert(n, Value::text(v.value));
        }
    }
    let active = keys.bool(names::ACTIVE).is_none_or(|a| a.value);
    fields.insert(names::ACTIVE, Value::Bool(active));
    // Groups change through the user's update, not collection by collection; an ended
    // group is still a leave (the update drops it).
    if let Some(m) = read::members(keys, names::GROUPS, "group", read::Member::Name) {
        m.store(names::GROUPS, &mut fields, &mut expiring);
    }
    let (email, name) = (email?, name?);
    fields.insert(names::EMAIL, Value::text(email.value.clone()));
    fields.insert(names::NAME, Value::text(name.value));
    Some(UserFields {
        key: normalise_key(&email.value),
        id,
        fields,
        expiring,
    })
}
