//! How a saved plan differs from a fresh one, in a few readable lines for the person whose
//! `apply FILE` was refused: `target acme: the saved plan deletes bo@example.com; a fresh plan
//! does not`.
//!
//! Pure: two plans in, lines out. The saved plan may be forged, so every name taken from it is
//! shown with control characters escaped and cut to a readable length.

use std::collections::{HashMap, HashSet};

use crate::plan::{Plan, TargetPlan, UserRef};

/// At most this many lines; the rest are counted.
const MAX_LINES: usize = 8;

/// What differs between `saved` and `fresh`; empty exactly when they are equal.
pub fn differences(saved: &Plan, fresh: &Plan) -> Vec<String> {
    let (saved, fresh) = (&without_notices(saved), &without_notices(fresh));
    if saved == fresh {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let fresh_by_name: HashMap<&str, &TargetPlan> = fresh
        .targets
        .iter()
        .map(|t| (t.target.as_str(), t))
        .collect();
    let saved_names: HashSet<&str> = saved.targets.iter().map(|t| t.target.as_str()).collect();
    for s in &saved.targets {
        match fresh_by_name.get(s.target.as_str()) {
            Some(f) => target(s, f, &mut lines),
            None => lines.push(format!(
                "target {}: in the saved plan; not in a fresh plan",
                shown(&s.target)
            )),
        }
    }
    for f in &fresh.targets {
        if !saved_names.contains(f.target.as_str()) {
            lines.push(format!(
                "target {}: in a fresh plan; not in the saved plan",
                shown(&f.target)
            ));
        }
    }
    if lines.is_empty() {
        lines.push("the saved plan differs from a fresh plan (in the order of its parts)".into());
    }
    if lines.len() > MAX_LINES {
        let rest = lines.len() - (MAX_LINES - 1);
        lines.truncate(MAX_LINES - 1);
        lines.push(format!("and {rest} more differences"));
    }
    lines
}

/// `p` without its notices of ends of access coming: they move with the clock and are not
/// changes, so they never make a saved plan stale.
fn without_notices(p: &Plan) -> std::borrow::Cow<'_, Plan> {
    if p.targets.iter().all(|t| t.expiring.is_empty()) {
        return std::borrow::Cow::Borrowed(p);
    }
    let mut p = p.clone();
    p.targets.iter_mut().for_each(|t| t.expiring.clear());
    std::borrow::Cow::Owned(p)
}

/// Escapes control characters and cuts long names: the text may come from a forged file.
pub(crate) fn shown(s: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut out: String = s
        .chars()
        .take(MAX_CHARS)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().count() > MAX_CHARS {
        out.push('…');
    }
    out
}

/// Lines about one target present in both plans.
fn target(s: &TargetPlan, f: &TargetPlan, lines: &mut Vec<String>) {
    let mut d = Lines {
        target: shown(&s.target),
        lines,
    };
    if s.provider != f.provider {
        d.push(format!(
            "the saved plan is for provider {}; a fresh plan for {}",
            shown(&s.provider),
            shown(&f.provider)
        ));
    }
    if s.in_scope != f.in_scope {
        d.push(format!(
            "the saved plan saw {} users in scope; a fresh plan sees {}",
            s.in_scope, f.in_scope
        ));
    }
    if s.desired_count != f.desired_count {
        d.push(format!(
            "the saved plan counts {} declared users; a fresh plan counts {}",
            s.desired_count, f.desired_count
        ));
    }
    let user = |u: &UserRef| shown(&u.key);
    d.list(&s.creates, &f.creates, |c| {
        format!("creates {}", user(&c.user))
    });
    d.list(&s.updates, &f.updates, |u| {
        format!("updates {}", user(&u.user))
    });
    d.list(&joins_and_leaves(s), &joins_and_leaves(f), |m| m.0.clone());
    d.list(&s.deletes, &f.deletes, |u| format!("deletes {}", user(u)));
    d.list(&s.deactivations, &f.deactivations, |u| {
        format!("deactivates {}", user(&u.user))
    });
    d.list(&s.needs_person, &f.needs_person, |n| {
        format!("reports drift of {}'s {}", user(&n.user), shown(&n.field))
    });
    d.list(&s.unmanaged, &f.unmanaged, |u| {
        format!("lists {} as unmanaged", user(u))
    });
    d.list(&s.protected, &f.protected, |u| {
        format!("leaves protected {} alone", user(u))
    });
    d.list(&s.ignored, &f.ignored, |c| {
        format!("ignores {}'s {}", user(&c.user), shown(&c.field))
    });
    d.list(&s.held, &f.held, |u| format!("holds back {}", user(u)));
}

/// Every join and leave as its own item, so that a line can name the user.
fn joins_and_leaves(t: &TargetPlan) -> Vec<(String, &UserRef)> {
    let mut out = Vec::new();
    for m in &t.memberships {
        let (field, collection) = (shown(&m.field), shown(&m.collection));
        for u in &m.join {
            out.push((format!("adds {} to {field} {collection}", shown(&u.key)), u));
        }
        for u in &m.leave {
            let what = format!("removes {} from {field} {collection}", shown(&u.key));
            out.push((what, u));
        }
    }
    out
}

struct Lines<'a> {
    target: String,
    lines: &'a mut Vec<String>,
}

impl Lines<'_> {
    fn push(&mut self, line: String) {
        self.lines.push(format!("target {}: {line}", self.target));
    }

    /// Items matched by what they do (`deletes bo@example.com`): those only one plan has, and
    /// those both have but with other details.
    fn list<T: PartialEq>(&mut self, saved: &[T], fresh: &[T], what: impl Fn(&T) -> String) {
        let fresh_by: HashMap<String, &T> = fresh.iter().map(|f| (what(f), f)).collect();
        let mut seen = HashSet::new();
        for s in saved {
            let w = what(s);
            match fresh_by.get(&w) {
                None => self.push(format!("the saved plan {w}; a fresh plan does not")),
                Some(f) if *f != s => {
                    self.push(format!("the saved plan {w} differently from a fresh plan"))
                }
                Some(_) => {}
            }
            seen.insert(w);
        }
        for f in fresh {
            let w = what(f);
            if !seen.contains(&w) {
                self.push(format!("a fresh plan {w}; the saved plan does not"));
                seen.insert(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use crate::plan::{Create, Membership};
    use crate::secret::SecretRef;

    fn u(key: &str) -> UserRef {
        UserRef {
            key: key.into(),
            id: Some(format!("id-{key}")),
            ..UserRef::default()
        }
    }

    fn create(key: &str, password: Option<SecretRef>) -> Create {
        Create {
            user: UserRef {
                key: key.into(),
                ..UserRef::default()
            },
            fields: [("name".to_string(), Value::text("N"))].into(),
            password,
        }
    }

    fn plan(t: TargetPlan) -> Plan {
        Plan { targets: vec![t] }
    }

    fn base() -> TargetPlan {
        TargetPlan {
            target: "acme".into(),
            provider: "vendor".into(),
            in_scope: 3,
            desired_count: 2,
            creates: vec![create("new@example.com", Some(SecretRef::Env("PW".into())))],
            unmanaged: vec![u("carla@example.com")],
            ..TargetPlan::default()
        }
    }

    #[test]
    fn equal_plans_have_no_differences() {
        assert!(differences(&plan(base()), &plan(base())).is_empty());
    }

    #[test]
    fn a_forged_delete_is_named() {
        let mut forged = base();
        forged.deletes.push(u("bo@example.com"));
        assert_eq!(
            differences(&plan(forged), &plan(base())),
            ["target acme: the saved plan deletes bo@example.com; a fresh plan does not"]
        );
    }

    #[test]
    fn a_forged_password_reference_and_an_extra_create_are_named() {
        let mut forged = base();
        forged.creates[0].password = Some(SecretRef::File("/etc/hostname".into()));
        forged.creates.push(create("evil@example.com", None));
        assert_eq!(
            differences(&plan(forged), &plan(base())),
            [
                "target acme: the saved plan creates new@example.com differently from a fresh plan",
                "target acme: the saved plan creates evil@example.com; a fresh plan does not",
            ]
        );
    }

    #[test]
    fn what_only_the_fresh_plan_has_and_counts_are_named() {
        let mut fresh = base();
        fresh.in_scope = 4;
        fresh.unmanaged.push(u("dan@example.com"));
        fresh.memberships.push(Membership {
            field: "workflows".into(),
            collection: "100".into(),
            join: vec![],
            leave: vec![u("carla@example.com")],
        });
        assert_eq!(
            differences(&plan(base()), &plan(fresh)),
            [
                "target acme: the saved plan saw 3 users in scope; a fresh plan sees 4",
                "target acme: a fresh plan removes carla@example.com from workflows 100; the saved plan does not",
                "target acme: a fresh plan lists dan@example.com as unmanaged; the saved plan does not",
            ]
        );
    }

    #[test]
    fn missing_targets_and_forged_names_are_shown_safely() {
        let mut other = base();
        other.target = "evil\x1b]0;pwned\x07".into();
        let lines = differences(
            &Plan {
                targets: vec![other],
            },
            &plan(base()),
        );
        assert_eq!(
            lines,
            [
                "target evil\\u{1b}]0;pwned\\u{7}: in the saved plan; not in a fresh plan",
                "target acme: in a fresh plan; not in the saved plan",
            ]
        );
        let long = "x".repeat(500);
        let mut forged = base();
        forged.deletes.push(u(&long));
        let line = &differences(&plan(forged), &plan(base()))[0];
        assert!(line.len() < 200 && line.contains('…'), "{line}");
    }

    #[test]
    fn many_differences_are_cut_to_a_few_lines() {
        let mut forged = base();
        forged.deletes = (0..100).map(|i| u(&format!("u{i}@example.com"))).collect();
        let lines = differences(&plan(forged), &plan(base()));
        assert_eq!(lines.len(), MAX_LINES);
        assert_eq!(lines[MAX_LINES - 1], "and 93 more differences");
    }

    #[test]
    fn notices_of_ends_coming_never_make_a_plan_stale() {
        let mut noticed = base();
        noticed.expiring.push(crate::plan::AccessEnd {
            user: u("ana@example.com"),
            field: None,
            member: None,
            expires: "2027-03-31".into(),
            at: "2027-04-01T00:00:00Z".into(),
            action: crate::plan::EndAction::Deactivate,
        });
        assert_eq!(
            differences(&plan(noticed.clone()), &plan(base())),
            Vec::<String>::new()
        );
        let mut changed = noticed;
        changed.deletes.push(u("bo@example.com"));
        assert_eq!(differences(&plan(changed), &plan(base())).len(), 1);
    }

    #[test]
    fn a_difference_in_order_only_still_gives_a_line() {
        let mut a = base();
        a.target = "a".into();
        let b = base();
        let one = Plan {
            targets: vec![a.clone(), b.clone()],
        };
        let two = Plan {
            targets: vec![b, a],
        };
        assert_eq!(differences(&one, &two).len(), 1);
    }
}
