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
        user: written.user.map(|d| d.resolve(tz)),
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
    desired: &BTreeMap<String, Vec<DesiredUser>>,
    now: DateTime<Utc>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, users) in desired {
        let Some(target) = config.targets.get(name) else {
            continue;
        };
        let schema = target.schema();
        for u in users {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::manifest::user::testing;
    use crate::model::expiry::OnExpiry;
    use crate::secret::SecretRef;
    use crate::vendor::{uipath, xtracta};

    fn xtracta_read(text: &str) -> (Vec<crate::model::DesiredUser>, Vec<String>) {
        let settings = Arc::new(xtracta::Settings::new(SecretRef::Env("K".into()), 1));
        testing::read(&testing::target(&xtracta::XTRACTA, settings), text)
    }

    #[test]
    fn a_user_and_its_workflows_may_end() {
        let (users, problems) = xtracta_read(
            "users:\n  - email: ana@example.com\n    name: Ana\n    expires: 2027-03-31\n    on_expiry: delete\n    workflows: [496553, {id: 498082, expires: '2027-01-15T09:00:00+01:00'}]\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let e = &users[0].expiry;
        let user = e.user.as_ref().unwrap();
        assert_eq!(user.at.to_rfc3339(), "2027-04-01T00:00:00+00:00");
        assert_eq!(user.written, "2027-03-31");
        assert_eq!(user.origin.to_string(), "users/x.yaml:4:14");
        assert_eq!(e.on_expiry, OnExpiry::Delete);
        let wf = &e.members["workflows"]["498082"];
        assert_eq!(wf.at.to_rfc3339(), "2027-01-15T08:00:00+00:00");
        assert_eq!(
            users[0].fields["workflows"],
            crate::model::Value::set(["496553", "498082"])
        );
    }

    #[test]
    fn wrong_ends_are_located() {
        let (_, problems) = xtracta_read(
            "users:\n  - email: a@example.com\n    name: A\n    expires: 31/03/2027\n    on_expiry: deactivate\n  - email: b@example.com\n    name: B\n    on_expiry: delete\n  - email: c@example.com\n    name: C\n    expires: 2027-01-01\n    on_expiry: never\n",
        );
        assert_eq!(
            problems,
            [
                "users/x.yaml:12:16: unknown `on_expiry` value \"never\" (expected deactivate, delete or report)",
                "users/x.yaml:4:14: `expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not \"31/03/2027\"",
                "users/x.yaml:5:16: xtracta users cannot be deactivated: `on_expiry` may be report or delete",
                "users/x.yaml:8:16: `on_expiry` without `expires`: it says what happens when the user's `expires` passes",
            ]
        );
    }

    #[test]
    fn uipath_groups_may_end() {
        let url: reqwest::Url = "https://cloud.uipath.com/acme/identity_".parse().unwrap();
        let env = || SecretRef::Env("X".into());
        let settings = Arc::new(uipath::Settings::new(
            url,
            env(),
            env(),
            "s".into(),
            "p".into(),
            true,
        ));
        let target = testing::target(&uipath::UIPATH, settings);
        let (users, problems) = testing::read(
            &target,
            "users:\n  - email: h@example.com\n    name: H\n    on_expiry: deactivate\n    expires: 2027-06-30T12:00:00Z\n    groups: [Finance, {name: Auditors, expires: 2027-02-01T18:00:00Z}]\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let e = &users[0].expiry;
        assert_eq!(e.on_expiry, OnExpiry::Deactivate);
        assert!(e.members["groups"].contains_key("Auditors"));
        assert!(!e.members["groups"].contains_key("Finance"));
    }
}
