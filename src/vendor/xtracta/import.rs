//! What `roster import` writes for a live Xtracta user: e-mail, name, workflows, and the group
//! only when it is not the target's.

use crate::import::{numbers_or_strings, quoted};
use crate::model::{ActualUser, Value};

use super::names;

pub(super) fn lines(u: &ActualUser, target_group: u64) -> Vec<(String, String)> {
    let f = &u.fields;
    let text = |n: &str| f.get(n).and_then(Value::as_text).map(str::to_string);
    let mut out = Vec::new();
    for n in [names::EMAIL, names::NAME] {
        if let Some(v) = text(n).filter(|v| !v.is_empty()) {
            out.push((n.to_string(), quoted(&v)));
        }
    }
    if let Some(Value::Set(w)) = f.get(names::WORKFLOWS) {
        out.push((names::WORKFLOWS.into(), numbers_or_strings(w, true)));
    }
    if let Some(g) = text(names::GROUP_ID).filter(|g| *g != target_group.to_string()) {
        out.push((names::GROUP_ID.into(), g));
    }
    out
}
