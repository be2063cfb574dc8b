//! A manifest user of an Xtracta target: identity by e-mail (optionally bound to the numeric
//! `user_id`), a name, the workflow set when given (a workflow may end: `{id: 498082, expires:
//! 2027-01-15}`), and the group (the target's by default).

use std::collections::BTreeMap;

use crate::model::{Value, normalise_key};
use crate::vendor::{UserFields, read};
use crate::yaml::{Keys, Located};

use super::names;

pub(super) fn read(
    keys: &mut Keys<'_>,
    id: Option<Located<String>>,
    default_group: u64,
) -> Option<UserFields> {
    let id = match id {
        Some(l) if l.value.trim().parse::<u64>().is_ok() => Some(l.value.trim().to_string()),
        Some(l) => {
            let p = read::problem(
                &l.origin,
                format!("xtracta user ids are whole numbers, not {:?}", l.value),
            );
            keys.push(p);
            None
        }
        None => None,
    };
    let email = read::email(keys);
    let name = keys.required_name(names::NAME);
    let (mut fields, mut expiring) = (crate::model::Fields::new(), BTreeMap::new());
    if let Some(m) = read::members(keys, names::WORKFLOWS, "workflow", read::Member::Number) {
        m.store(names::WORKFLOWS, &mut fields, &mut expiring);
    }
    let group = keys.u64(names::GROUP_ID).map_or(default_group, |g| g.value);
    fields.insert(names::GROUP_ID, Value::text(group.to_string()));
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
