//! Planner steps for access that ends (`expires`), at the plan's `now`:
//!
//! - before matching, users whose end has passed are set apart ([`split`]), and the members
//!   whose end has passed are taken out of the other users' sets ([`trimmed`]), so that no
//!   create or diff grants them and one the vendor still has becomes a leave;
//! - [`users`]: an ended user is matched like any other, then planned as if no manifest
//!   declared it, under `unmanaged` taken one step safer and made to act: deactivated where the
//!   vendor can, never deleted unless its manifest says `on_expiry: delete`, and otherwise (a
//!   vendor without deactivation, `on_expiry: report`, a protected user) drift that needs a
//!   person. One that no longer exists, or is already off, needs nothing;
//! - [`notes`]: every end the plan acts on is named with its reason (`expired`), and the ends
//!   within the target's `expiry_warning` become notices that are not changes (`expiring`).
//!
//! Pure: `now` is an input. O(n + m), plus O(e) for e ends.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::config::Policy;
use crate::model::expiry::OnExpiry;
use crate::model::{ActualUser, DesiredUser, Expiry, Schema, Value};

use super::{AccessEnd, Drift, EndAction, TargetPlan, UserRef};

/// The desired users as the planner sees them at `now`.
pub(super) struct Split<'a> {
    /// Users whose access goes on (ended members taken out of their sets).
    pub live: Vec<&'a DesiredUser>,
    /// Users whose `expires` has passed.
    pub ended: Vec<&'a DesiredUser>,
}

/// Copies of the live users that have ended members, without those members, in order.
pub(super) fn trimmed(desired: &[DesiredUser], now: DateTime<Utc>) -> Vec<DesiredUser> {
    desired
        .iter()
        .filter(|d| !user_ended(d, now) && d.expiry.any_member_passed(now))
        .map(|d| {
            let mut d = d.clone();
            for (field, members) in &d.expiry.members {
                if let Some(Value::Set(set)) = d.fields.get_mut(field) {
                    set.retain(|m| members.get(m).is_none_or(|e| !e.passed(now)));
                }
            }
            d
        })
        .collect()
}

/// Splits `desired` into live and ended users; `trimmed` is [`trimmed`] of the same users.
pub(super) fn split<'a>(
    desired: &'a [DesiredUser],
    trimmed: &'a [DesiredUser],
    now: DateTime<Utc>,
) -> Split<'a> {
    let mut copies = trimmed.iter();
    let mut out = Split {
        live: Vec::with_capacity(desired.len()),
        ended: Vec::new(),
    };
    for d in desired {
        if user_ended(d, now) {
            out.ended.push(d);
        } else if d.expiry.any_member_passed(now) {
            out.live.extend(copies.next());
        } else {
            out.live.push(d);
        }
    }
    out
}

fn user_ended(d: &DesiredUser, now: DateTime<Utc>) -> bool {
    d.expiry.user.as_ref().is_some_and(|e| e.passed(now))
}

/// Plans the ended users: each claims its vendor user (by `id`, else by key) among those
/// nobody claimed, and loses its access.
pub(super) fn users(
    ended: &[&DesiredUser],
    actual: &[ActualUser],
    claimed: &mut [bool],
    schema: &Schema,
    policy: &Policy,
    out: &mut TargetPlan,
) {
    if ended.is_empty() {
        return;
    }
    let by_id: HashMap<&str, usize> = (0..actual.len())
        .map(|i| (actual[i].id.as_str(), i))
        .collect();
    let by_key: HashMap<&str, usize> = (0..actual.len())
        .map(|i| (actual[i].key.as_str(), i))
        .collect();
    for &d in ended {
        let found = match &d.id {
            Some(id) => by_id.get(id.as_str()),
            None => by_key.get(d.key.as_str()),
        };
        let Some(&i) = found.filter(|&&i| !claimed[i]) else {
            continue;
        };
        claimed[i] = true;
        let Some(e) = &d.expiry.user else { continue };
        let a = &actual[i];
        let user = UserRef::matched(d, a);
        let protected = policy.protect.contains(&d.key) || policy.protect.contains(&a.key);
        let action = match (d.expiry.on_expiry, &schema.deactivate) {
            _ if protected => report(
                out,
                &user,
                e,
                "the user is protected: roster leaves it alone",
            ),
            (OnExpiry::Delete, _) => {
                out.deletes.push(user.clone());
                EndAction::Delete
            }
            (OnExpiry::Deactivate, Some((field, off))) => {
                if a.fields.get(field) == Some(off) {
                    continue;
                }
                out.deactivations
                    .push(super::unclaimed::deactivation(user.clone(), a, field, off));
                EndAction::Deactivate
            }
            (OnExpiry::Report, _) => report(out, &user, e, "on_expiry: report"),
            (OnExpiry::Deactivate, None) => {
                let why = format!(
                    "{} cannot deactivate users: take its access away at the vendor, or say on_expiry: delete",
                    schema.provider
                );
                report(out, &user, e, &why)
            }
        };
        out.expired.push(end(user, None, e, action));
    }
}

/// Drift that needs a person, for an ended user roster does not change.
fn report(out: &mut TargetPlan, user: &UserRef, e: &Expiry, why: &str) -> EndAction {
    out.needs_person.push(Drift {
        user: user.clone(),
        field: "expires".into(),
        actual: None,
        desired: Some(Value::text(e.written.clone())),
        reason: format!("expired {}; {why}", e.written),
    });
    EndAction::Report
}

fn end(user: UserRef, member: Option<(&str, &str)>, e: &Expiry, action: EndAction) -> AccessEnd {
    AccessEnd {
        user,
        field: member.map(|(f, _)| f.to_string()),
        member: member.map(|(_, m)| m.to_string()),
        expires: e.written.clone(),
        at: e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        action,
    }
}

/// What [`notes`] reads.
pub(super) struct Context<'a> {
    pub desired: &'a [DesiredUser],
    pub pairs: &'a [(&'a DesiredUser, usize)],
    pub actual: &'a [ActualUser],
    pub schema: &'a Schema,
    pub policy: &'a Policy,
    pub now: DateTime<Utc>,
}

/// Names the ended members the plan takes away (a leave, or an update dropping them from a
/// set), and lists the ends within `policy.expiry_warning` of `now` as notices.
pub(super) fn notes(cx: &Context<'_>, out: &mut TargetPlan) {
    let Context {
        desired,
        pairs,
        actual,
        schema,
        policy,
        now,
    } = *cx;
    let trimmed: HashMap<&str, &DesiredUser> = pairs
        .iter()
        .filter(|(d, _)| d.expiry.any_member_passed(now))
        .map(|&(d, i)| (actual[i].id.as_str(), d))
        .collect();
    if !trimmed.is_empty() {
        let mut ends = Vec::new();
        for m in &out.memberships {
            for u in &m.leave {
                if let Some(e) = trimmed
                    .get(u.vendor_id())
                    .and_then(|d| d.expiry.member_ended(&m.field, &m.collection, now))
                {
                    let member = Some((m.field.as_str(), m.collection.as_str()));
                    ends.push(end(u.clone(), member, e, EndAction::Leave));
                }
            }
        }
        for up in &out.updates {
            let Some(d) = trimmed.get(up.user.vendor_id()) else {
                continue;
            };
            for c in &up.changes {
                let (Some(Value::Set(from)), Value::Set(to)) = (&c.from, &c.to) else {
                    continue;
                };
                for m in from.difference(to) {
                    if let Some(e) = d.expiry.member_ended(&c.field, m, now) {
                        let member = Some((c.field.as_str(), m.as_str()));
                        ends.push(end(up.user.clone(), member, e, EndAction::Leave));
                    }
                }
            }
        }
        out.expired.extend(ends);
    }
    let Ok(window) = chrono::Duration::from_std(policy.expiry_warning) else {
        return;
    };
    for d in desired.iter().filter(|d| !d.expiry.is_empty()) {
        if let Some(e) = d.expiry.user.as_ref() {
            if e.passed(now) {
                continue;
            }
            if e.within(now, window) {
                let action = match (d.expiry.on_expiry, &schema.deactivate) {
                    _ if policy.protect.contains(&d.key) => EndAction::Report,
                    (OnExpiry::Delete, _) => EndAction::Delete,
                    (OnExpiry::Deactivate, Some(_)) => EndAction::Deactivate,
                    _ => EndAction::Report,
                };
                out.expiring.push(end(UserRef::desired(d), None, e, action));
            }
        }
        for (field, members) in &d.expiry.members {
            for (m, e) in members.iter().filter(|(_, e)| e.within(now, window)) {
                let member = Some((field.as_str(), m.as_str()));
                out.expiring
                    .push(end(UserRef::desired(d), member, e, EndAction::Leave));
            }
        }
    }
}

#[cfg(test)]
mod tests;
