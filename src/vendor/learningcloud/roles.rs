//! learningCloud roles: the documented sections and their roles, and the reading of a
//! manifest's `roles:` mapping into a set of `section:role`, every wrong section or role
//! reported where it is written.

use std::collections::BTreeSet;

use crate::model::Value;
use crate::vendor::read;
use crate::yaml::Keys;

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

/// `roles:` of a user; `None` when absent or invalid (the problems are in `keys`).
pub(super) fn read(keys: &mut Keys<'_>, key: &str) -> Option<Option<Value>> {
    let Some(mut map) = keys.keys(key) else {
        return Some(None).filter(|_| !keys.has(key));
    };
    let mut set = BTreeSet::new();
    let mut ok = true;
    let mut management = None;
    for (section, list) in map.entries() {
        let items = match list.list(key) {
            Ok(items) => items,
            Err(p) => {
                map.push(p);
                ok = false;
                continue;
            }
        };
        if section.value == "management" {
            management = Some((items.len(), list.origin()));
        }
        let Some((_, allowed)) = ROLE_SECTIONS.iter().find(|(s, _)| *s == section.value) else {
            let known: Vec<&str> = ROLE_SECTIONS.iter().map(|(s, _)| *s).collect();
            let message = format!(
                "unknown roles section {:?} (learningcloud has: {})",
                section.value,
                known.join(", ")
            );
            map.push(list.problem(message));
            ok = false;
            continue;
        };
        for role in items {
            let name = match role.text(key) {
                Ok(n) => n.trim(),
                Err(p) => {
                    map.push(p);
                    ok = false;
                    continue;
                }
            };
            if !allowed.contains(&name) {
                let message = format!(
                    "invalid role {name:?} in roles.{} (allowed: {})",
                    section.value,
                    allowed.join(", ")
                );
                map.push(role.problem(message));
                ok = false;
            } else if !set.insert(format!("{}:{name}", section.value)) {
                let message = format!("role {name} listed twice in roles.{}", section.value);
                map.push(role.problem(message));
                ok = false;
            }
        }
    }
    match management {
        None => {
            let message = format!("{MANAGEMENT_NEEDS} (add e.g. `management: [user]`)");
            map.push(read::problem(map.origin(), message));
            ok = false;
        }
        Some((0, origin)) => {
            map.push(read::problem(&origin, MANAGEMENT_NEEDS));
            ok = false;
        }
        Some(_) => {}
    }
    keys.absorb(map.finish(&[], &|_| None));
    ok.then_some(Some(Value::Set(set.into())))
}
