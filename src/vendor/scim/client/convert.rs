//! A SCIM user as roster's fields: user name, the e-mail roster manages (primary, else the
//! first work e-mail, else the first), names, display name, active (true when the server
//! leaves it out), external id, the enterprise keys present, and the groups it is in. Empty
//! texts read as absent. Pure.

use std::collections::BTreeMap;

use super::list::Memberships;
use super::wire::WireUser;
use crate::model::{ActualUser, Set, Value, normalise_key};
use crate::vendor::scim::names;

fn text(s: Option<&str>) -> Option<Value> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(Value::text)
}

pub(super) fn to_actual(u: WireUser, memberships: &Memberships) -> ActualUser {
    let mut fields = crate::model::Fields::new();
    let mut put = |name: &str, v: Option<Value>| {
        if let Some(v) = v {
            fields.insert(name, v);
        }
    };
    put(names::USER_NAME, text(u.user_name.as_deref()));
    put(names::EMAIL, text(u.email()));
    let name = u.name.as_ref();
    put(
        names::GIVEN_NAME,
        text(name.and_then(|n| n.given_name.as_deref())),
    );
    put(
        names::FAMILY_NAME,
        text(name.and_then(|n| n.family_name.as_deref())),
    );
    put(names::DISPLAY_NAME, text(u.display_name.as_deref()));
    put(names::ACTIVE, Some(Value::Bool(u.active.unwrap_or(true))));
    put(names::EXTERNAL_ID, text(u.external_id.as_deref()));
    if let Some(e) = &u.enterprise {
        let manager = e.manager_id();
        let map: BTreeMap<String, String> = [
            ("employee_number", e.employee_number.as_deref()),
            ("department", e.department.as_deref()),
            ("cost_center", e.cost_center.as_deref()),
            ("manager", manager.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            let v = v?.trim();
            (!v.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect();
        if !map.is_empty() {
            put(names::ENTERPRISE, Some(Value::Map(map)));
        }
    }
    let groups: Set = memberships
        .get(&u.id)
        .map(|g| g.iter().cloned().collect())
        .unwrap_or_default();
    put(names::GROUPS, Some(Value::Set(groups)));
    let key = match u.user_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => normalise_key(n),
        _ => u.id.clone(),
    };
    ActualUser {
        id: u.id,
        key,
        fields,
    }
}
