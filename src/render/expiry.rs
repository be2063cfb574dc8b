//! Ends of access in plan text: the reason beside each change an expiry causes
//! (`- deactivate ana@example.com  (…)  expired 2027-03-31`, `-member bo@example.com  (expired
//! 2027-01-15)`), the drift an ended user that roster leaves alone needs, and the notices of
//! ends coming within `expiry_warning`, which are not changes.
//!
//! Must not: decide what is shown or folded beyond its own notice section, or test for a
//! terminal. Every piece of outside text goes through [`super::escape`].

use std::collections::HashMap;
use std::fmt::Write;

use crate::plan::{AccessEnd, Drift, EndAction, TargetPlan, Update};

use super::Styles;
use super::entries::who;
use super::escape::text;
use super::fold::Section;
use super::human::Layout;

/// The reasons of one target's changes, by user key and (for a membership) field and member.
pub(crate) struct Reasons<'a>(HashMap<(&'a str, Option<&'a str>, Option<&'a str>), &'a AccessEnd>);

impl<'a> Reasons<'a> {
    pub(crate) fn of(t: &'a TargetPlan) -> Self {
        Reasons(
            t.expired
                .iter()
                .map(|e| {
                    let k = (e.user.key.as_str(), e.field.as_deref(), e.member.as_deref());
                    (k, e)
                })
                .collect(),
        )
    }

    /// `expired 2027-03-31`, when the user's own end caused its change.
    pub(crate) fn user(&self, key: &str) -> Option<String> {
        self.0
            .get(&(key, None, None))
            .map(|e| format!("expired {}", text(&e.expires)))
    }

    /// `expired 2027-01-15`, when the end of a membership caused its leave.
    pub(crate) fn member(&self, key: &str, field: &str, member: &str) -> Option<String> {
        self.0
            .get(&(key, Some(field), Some(member)))
            .map(|e| format!("expired {}", text(&e.expires)))
    }

    /// One line per set member an update drops because its end passed.
    pub(crate) fn update(&self, out: &mut String, u: &Update, st: &Styles) {
        if self.0.is_empty() {
            return;
        }
        for c in &u.changes {
            let (Some(crate::model::Value::Set(from)), crate::model::Value::Set(to)) =
                (&c.from, &c.to)
            else {
                continue;
            };
            for m in from.difference(to) {
                if let Some(why) = self.member(&u.user.key, &c.field, m) {
                    let line = format!("({} {}: {why})", noun(&c.field), text(m));
                    let _ = writeln!(out, "      {}", st.dim(&line));
                }
            }
        }
    }
}

/// `workflows` → `workflow`, as the membership sections name a field.
fn noun(field: &str) -> String {
    text(field.trim_end_matches('s')).into_owned()
}

/// The drift of an ended user roster leaves alone; `false` for any other drift.
pub(crate) fn needs_person(out: &mut String, d: &Drift, st: &Styles) -> bool {
    if d.field != "expires" || d.actual.is_some() {
        return false;
    }
    let _ = writeln!(
        out,
        "  {} {}: {}",
        st.chg("! needs a person:"),
        who(&d.user),
        text(&d.reason)
    );
    true
}

fn outcome(e: &AccessEnd) -> String {
    let member = || {
        format!(
            "{} {}",
            noun(e.field.as_deref().unwrap_or_default()),
            text(e.member.as_deref().unwrap_or_default())
        )
    };
    match e.action {
        EndAction::Deactivate => "the user will be deactivated".into(),
        EndAction::Delete => "the user will be deleted".into(),
        EndAction::Report => "roster will report it to a person".into(),
        EndAction::Leave => format!("the user will leave {}", member()),
    }
}

/// The notices of ends coming within `expiry_warning`; returns how many it folded.
pub(crate) fn notices(out: &mut String, t: &TargetPlan, st: &Styles, lay: &Layout) -> usize {
    if t.expiring.is_empty() {
        return 0;
    }
    let n = t.expiring.len();
    let _ = writeln!(
        out,
        "  {} {n} end{} of access within expiry_warning (notices, not changes):",
        st.dim("*"),
        if n == 1 { "" } else { "s" }
    );
    let mut s = Section::new(lay.fold, n);
    for e in t.expiring.iter().filter(|_| s.show(false)) {
        let what = match (&e.field, &e.member) {
            (Some(f), Some(m)) => format!("{} {} expires", noun(f), text(m)),
            _ => "expires".into(),
        };
        let instant = if e.at == e.expires {
            String::new()
        } else {
            format!(" ({})", text(&e.at))
        };
        let line = format!(
            "{}: {what} {}{instant}: {}",
            who(&e.user),
            text(&e.expires),
            outcome(e)
        );
        let _ = writeln!(out, "      {}", st.dim(&line));
    }
    if s.hidden > 0 {
        let line = format!("… {} more notices: {}", s.hidden, lay.hint);
        let _ = writeln!(out, "      {}", st.dim(&line));
    }
    s.hidden
}

#[cfg(test)]
mod tests {
    use crate::model::Value;
    use crate::plan::{AccessEnd, Drift, EndAction, Membership, Plan, TargetPlan, Update, UserRef};
    use crate::render::{Styles, plan, redact};

    fn user(key: &str, id: &str) -> UserRef {
        UserRef {
            key: key.into(),
            id: Some(id.into()),
            name: None,
            origin: None,
        }
    }

    fn end(
        u: &UserRef,
        member: Option<(&str, &str)>,
        written: &str,
        action: EndAction,
    ) -> AccessEnd {
        AccessEnd {
            user: u.clone(),
            field: member.map(|m| m.0.to_string()),
            member: member.map(|m| m.1.to_string()),
            expires: written.into(),
            at: "2027-04-01T00:00:00Z".into(),
            action,
        }
    }

    fn sample() -> Plan {
        let (ana, bo, cy, dan) = (
            user("ana@x.io", "1"),
            user("bo@x.io", "2"),
            user("cy@x.io", "3"),
            user("dan@x.io", "4"),
        );
        let drop = crate::plan::FieldChange {
            user: cy.clone(),
            field: "groups".into(),
            from: Some(Value::set(["Auditors", "Finance"])),
            to: Value::set(["Finance"]),
        };
        let off = crate::plan::FieldChange {
            user: ana.clone(),
            field: "active".into(),
            from: Some(Value::Bool(true)),
            to: Value::Bool(false),
        };
        Plan {
            targets: vec![TargetPlan {
                target: "t".into(),
                provider: "vendor".into(),
                deactivations: vec![Update {
                    user: ana.clone(),
                    changes: vec![off],
                    actual: Default::default(),
                }],
                updates: vec![Update {
                    user: cy.clone(),
                    changes: vec![drop],
                    actual: Default::default(),
                }],
                memberships: vec![Membership {
                    field: "workflows".into(),
                    collection: "498082".into(),
                    join: vec![],
                    leave: vec![bo.clone()],
                }],
                needs_person: vec![Drift {
                    user: dan.clone(),
                    field: "expires".into(),
                    actual: None,
                    desired: Some(Value::text("2027-03-31")),
                    reason: "expired 2027-03-31; vendor cannot deactivate users".into(),
                }],
                expired: vec![
                    end(&ana, None, "2027-03-31", EndAction::Deactivate),
                    end(
                        &bo,
                        Some(("workflows", "498082")),
                        "2027-01-15",
                        EndAction::Leave,
                    ),
                    end(
                        &cy,
                        Some(("groups", "Auditors")),
                        "2027-02-01T18:00:00Z",
                        EndAction::Leave,
                    ),
                    end(&dan, None, "2027-03-31", EndAction::Report),
                ],
                expiring: vec![end(
                    &bo,
                    Some(("workflows", "496553")),
                    "2027-03-31",
                    EndAction::Leave,
                )],
                ..TargetPlan::default()
            }],
        }
    }

    #[test]
    fn changes_carry_their_reason_and_notices_are_listed_apart() {
        let text = plan(&sample(), &Styles::colored(false), false);
        for line in [
            "  - deactivate ana@x.io  (id 1)  expired 2027-03-31\n",
            "      -member bo@x.io  (expired 2027-01-15)\n",
            "      ~ groups: − Auditors\n      (group Auditors: expired 2027-02-01T18:00:00Z)\n",
            "  ! needs a person: dan@x.io  (id 4): expired 2027-03-31; vendor cannot deactivate users\n",
            "  * 1 end of access within expiry_warning (notices, not changes):\n      bo@x.io  (id 2): workflow 496553 expires 2027-03-31 (2027-04-01T00:00:00Z): the user will leave workflow 496553\n",
        ] {
            assert!(text.contains(line), "{line:?} not in:\n{text}");
        }
        assert!(text.contains("1 end of access coming (notices)"), "{text}");
    }

    #[test]
    fn redaction_masks_the_ends_and_keeps_the_reasons() {
        let masked = redact::plan(&sample());
        let text = plan(&masked, &Styles::colored(false), false);
        assert!(
            !text.contains("ana@x.io") && !text.contains("bo@x.io"),
            "{text}"
        );
        assert!(text.contains("expired 2027-03-31\n"), "{text}");
        assert!(text.contains("(expired 2027-01-15)"), "{text}");
    }
}
