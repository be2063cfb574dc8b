//! When a worker may plan only the users an edit touched: a file change's reconcile, on the
//! same target settings as the last good reconcile (it applied everything, nothing failed,
//! nothing was held back, no guard tripped), focuses on the users added, removed or changed
//! between that reconcile's users and the current ones. Everything else plans in full.
//!
//! The vendor matched the last good users when that reconcile ended, except for drift since,
//! which the next full reconcile (schedule, SIGHUP, retry) finds; so planning the touched
//! users alone loses nothing the full plan would do for them.
//!
//! Pure; O(n) in users. Must not: read files, or decide anything about the vendor.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::Target;
use crate::model::DesiredUser;
use crate::model::expiry::{Expiries, Expiry};
use crate::plan::Focus;

/// The last good reconcile: the users it ran on, and its target's settings.
#[derive(Debug)]
pub(crate) struct LastGood {
    pub(crate) users: Arc<Vec<DesiredUser>>,
    pub(crate) settings: String,
}

/// The users an edit touched: their keys and ids, and how many users that is.
#[derive(Debug, PartialEq)]
pub(crate) struct Touched {
    pub(crate) focus: Focus,
    pub(crate) users: usize,
}

/// The target's settings as a reconcile reads them, without where the config says them (a
/// line inserted above moves that, and changes nothing). `Target` holds the vendor's settings
/// as a trait object without `PartialEq`; their `Debug` is derived, holds no secret (the config
/// only names where secrets are), and two different settings never print alike. Settings
/// that print differently but mean the same (none today) would only cost a full plan.
pub(crate) fn settings(t: &Target) -> String {
    format!(
        "{}|{}|{:?}|{:?}|{:?}",
        t.provider(),
        t.url,
        t.policy,
        t.limits,
        t.settings
    )
}

/// The focus of a file change's reconcile against `last`, or `None` to plan in full.
pub(crate) fn of(
    last: Option<&LastGood>,
    target: &Target,
    users: &[DesiredUser],
) -> Option<Touched> {
    let last = last?;
    if last.settings != settings(target) {
        return None;
    }
    touched(&last.users, users)
}

/// The users added, removed or changed (ignoring where the manifests declare them) between
/// `before` and `after`; `None` when a key is declared twice in either (plan in full).
pub(crate) fn touched(before: &[DesiredUser], after: &[DesiredUser]) -> Option<Touched> {
    if std::ptr::eq(before, after) {
        return Some(Touched {
            focus: Focus::default(),
            users: 0,
        });
    }
    let mut t = Touched {
        focus: Focus::default(),
        users: 0,
    };
    let mut add = |u: &DesiredUser| {
        t.focus.keys.insert(u.key.clone());
        t.focus.ids.extend(u.id.clone());
    };
    let mut users = 0;
    if sorted(before) && sorted(after) {
        // As loads hand them over: one walk along both, no map.
        let (mut i, mut j) = (0, 0);
        while i < before.len() || j < after.len() {
            match (before.get(i), after.get(j)) {
                (Some(o), Some(u)) if o.key == u.key => {
                    if !same(o, u) {
                        add(o);
                        add(u);
                        users += 1;
                    }
                    i += 1;
                    j += 1;
                }
                (Some(o), Some(u)) if o.key < u.key => {
                    add(o);
                    users += 1;
                    i += 1;
                }
                (Some(o), None) => {
                    add(o);
                    users += 1;
                    i += 1;
                }
                (_, Some(u)) => {
                    add(u);
                    users += 1;
                    j += 1;
                }
                (None, None) => break,
            }
        }
    } else {
        let old = by_key(before)?;
        let new = by_key(after)?;
        for u in after {
            match old.get(u.key.as_str()) {
                Some(o) if same(o, u) => {}
                Some(o) => {
                    add(o);
                    add(u);
                    users += 1;
                }
                None => {
                    add(u);
                    users += 1;
                }
            }
        }
        for o in before.iter().filter(|o| !new.contains_key(o.key.as_str())) {
            add(o);
            users += 1;
        }
    }
    t.users = users;
    Some(t)
}

/// Whether the keys rise strictly (sorted, each once), as a load's users do.
fn sorted(users: &[DesiredUser]) -> bool {
    users.windows(2).all(|w| w[0].key < w[1].key)
}

/// The users by key; `None` when a key is declared twice.
fn by_key(users: &[DesiredUser]) -> Option<HashMap<&str, &DesiredUser>> {
    let mut map = HashMap::with_capacity(users.len());
    for u in users {
        if map.insert(u.key.as_str(), u).is_some() {
            return None;
        }
    }
    Some(map)
}

/// Whether two declarations of a user mean the same, wherever they are written.
fn same(a: &DesiredUser, b: &DesiredUser) -> bool {
    a.key == b.key
        && a.id == b.id
        && a.fields == b.fields
        && a.password == b.password
        && a.ignore == b.ignore
        && same_expiries(&a.expiry, &b.expiry)
}

fn same_expiries(a: &Expiries, b: &Expiries) -> bool {
    let same_end = |x: &Expiry, y: &Expiry| x.at == y.at && x.written == y.written;
    a.on_expiry == b.on_expiry
        && match (&a.user, &b.user) {
            (Some(x), Some(y)) => same_end(x, y),
            (None, None) => true,
            _ => false,
        }
        && a.members.len() == b.members.len()
        && a.members
            .iter()
            .zip(&b.members)
            .all(|((fa, ma), (fb, mb))| {
                fa == fb
                    && ma.len() == mb.len()
                    && ma
                        .iter()
                        .zip(mb)
                        .all(|((ka, ea), (kb, eb))| ka == kb && same_end(ea, eb))
            })
}

#[cfg(test)]
mod tests;
