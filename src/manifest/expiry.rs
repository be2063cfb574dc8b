//! A manifest user's `expires` and `on_expiry`, and the ends of memberships its vendor read,
//! placed in the config's time zone; and the warnings `validate` gives about ends already
//! past (what the next apply will do about them).
//!
//! Pure: reads located values and the given "now"; never reads a clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::{Config, Target};
use crate::diag::Problem;
use crate::model::expiry::{Deadline, Expiries, OnExpiry};
use crate::model::{DesiredUser, Schema};
use crate::vendor::read;
use crate::yaml::Keys;

/// What the user keys say before the vendor's members are known.
pub(super) struct Written {
    user: Option<Deadline>,
    on_expiry: OnExpiry,
}

/// Reads `expires` and `on_expiry` of one user.
pub(super) fn read(keys: &mut Keys<'_>, target: &Target) -> Written {
    let user = keys.get("expires").and_then(|v| match read::expires(&v) {
        Ok(d) => Some(d),
        Err(p) => {
            keys.push(p);
            None
        }
    });
    let can_deactivate = target.schema().deactivate.is_some();
    let on_expiry = match keys.text("on_expiry") {
        None => OnExpiry::Deactivate,
        Some(s) => {
            let value = match s.value.as_str() {
                "delete" => Ok(OnExpiry::Delete),
                "report" => Ok(OnExpiry::Report),
                "deactivate" if can_deactivate => Ok(OnExpiry::Deactivate),
                "deactivate" => Err(format!(
                    "{} users cannot be deactivated: `on_expiry` may be report or delete",
                    target.provider()
                )),
                other => Err(format!(
                    "unknown `on_expiry` value {:?} (expected deactivate, delete or report)",
                    other.chars().take(40).collect::<String>()
                )),
            };
            let value = match value {
                Ok(v) if keys.has("expires") => Ok(v),
                Ok(_) => Err("`on_expiry` without `expires`: it says what happens when the user's `expires` passes".to_string()),
                e => e,
            };
            value.unwrap_or_else(|why| {
                keys.push(Problem::at(s.origin, why));
                OnExpiry::Deactivate
            })
        }
    };
    Written { user, on_expiry }
}

/// The user's expiries: `written` and the vendor's `members`, dates read in `tz`.
pub(super) fn resolve(
    written: Written,
    members: BTreeMap<String, BTreeMap<String, Deadline>>,
    tz: Tz,
) -> Expiries {
    Expiries {
        user: written.user.map(|d| Box::new(d.resolve(tz))),
        on_expiry: written.on_expiry,
        members: members
            .into_iter()
            .map(|(field, m)| {
                let m = m.into_iter().map(|(k, d)| (k, d.resolve(tz))).collect();
                (field, m)
            })
            .collect(),
    }
}

/// One warning per `expires` already past at `now`, at the value, saying what the next apply
/// does about it: a date typed a year early must not remove people without a word.
pub fn past(
    config: &Config,
    desired: &BTreeMap<String, std::sync::Arc<Vec<DesiredUser>>>,
    now: DateTime<Utc>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, users) in desired {
        let Some(target) = config.targets.get(name) else {
            continue;
        };
        let schema = target.schema();
        for u in users.iter() {
            if let Some(e) = u.expiry.user.as_ref().filter(|e| e.passed(now)) {
                let what = user_outcome(u, target, schema);
                out.push(Problem::at(
                    e.origin.clone(),
                    format!("{} expired {}, which has passed: {what}", u.key, e.written),
                ));
                continue;
            }
            for (field, members) in &u.expiry.members {
                let noun = schema
                    .spec(field)
                    .and_then(|f| f.noun)
                    .unwrap_or("membership");
                for (member, e) in members.iter().filter(|(_, e)| e.passed(now)) {
                    out.push(Problem::at(
                        e.origin.clone(),
                        format!(
                            "{}'s {noun} {member} expired {}, which has passed: the next apply takes it away (if the date is a typo, fix it first)",
                            u.key, e.written
                        ),
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

/// What the next apply does to a user whose `expires` has passed.
fn user_outcome(u: &DesiredUser, target: &Target, schema: &Schema) -> String {
    let typo = "(if the date is a typo, fix it first)";
    if target.policy.protect.contains(&u.key) {
        return "the user is protected, so roster leaves it alone and reports it".into();
    }
    match (u.expiry.on_expiry, &schema.deactivate) {
        (OnExpiry::Delete, _) => format!("the next apply deletes this user {typo}"),
        (OnExpiry::Deactivate, Some(_)) => format!("the next apply deactivates this user {typo}"),
        (OnExpiry::Report, _) => {
            "roster reports it as drift that needs a person (on_expiry: report)".into()
        }
        (OnExpiry::Deactivate, None) => format!(
            "{} cannot deactivate users, so roster reports it as drift that needs a person (on_expiry: delete would delete it)",
            target.provider()
        ),
    }
}
