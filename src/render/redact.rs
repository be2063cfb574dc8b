//! `--redact`: masks personal data (e-mails, names) in a plan and in an apply report for public
//! CI logs, keeping enough to tell users apart (a first letter and a short stable tag per
//! value: the same person gets the same mask in the plan and in the report).
//!
//! Must not: change anything but personal text; a redacted plan is shown, never applied.

mod emails;

use std::collections::HashMap;

use crate::apply::{Outcome, Report};
use crate::model::Value;
use crate::plan::{FieldChange, Plan, UserRef};

pub use emails::mask_emails;

/// Fields that hold personal data.
const PERSONAL: [&str; 5] = ["email", "name", "surname", "user_name", "username"];

fn tag(s: &str) -> String {
    // FNV-1a: stable across runs and versions, so the same person gets the same tag.
    let mut h: u32 = 0x811c_9dc5;
    for b in s.to_lowercase().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{:04x}", h & 0xffff)
}

fn first(s: &str) -> String {
    s.chars()
        .next()
        .map(|c| c.to_lowercase().collect())
        .unwrap_or_default()
}

/// `ana@example.com` → `a***@e***.com#1a2b`; other text → `A***#1a2b`.
pub fn mask(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    match s.split_once('@') {
        Some((local, domain)) => {
            let tld = domain.rsplit_once('.').map(|(_, t)| t).unwrap_or("");
            format!("{}***@{}***.{tld}#{}", first(local), first(domain), tag(s))
        }
        None => format!("{}***#{}", s.chars().next().unwrap_or('?'), tag(s)),
    }
}

fn mask_value(field: &str, v: &mut Value) {
    if !PERSONAL.contains(&field) {
        return;
    }
    if let Value::Text(s) = v {
        *s = mask(s);
    }
}

fn user(u: &mut UserRef) {
    u.key = mask(&u.key);
    if let Some(n) = &mut u.name {
        *n = mask(n);
    }
}

fn change(c: &mut FieldChange) {
    user(&mut c.user);
    if let Some(f) = &mut c.from {
        mask_value(&c.field, f);
    }
    mask_value(&c.field, &mut c.to);
}

/// A copy of `plan` with personal data masked.
pub fn plan(p: &Plan) -> Plan {
    let mut p = p.clone();
    for t in &mut p.targets {
        for c in &mut t.creates {
            user(&mut c.user);
            for (f, v) in &mut c.fields {
                mask_value(f, v);
            }
        }
        for u in t.updates.iter_mut().chain(t.deactivations.iter_mut()) {
            user(&mut u.user);
            u.changes.iter_mut().for_each(change);
            for (f, v) in &mut u.actual {
                mask_value(f, v);
            }
        }
        for m in &mut t.memberships {
            m.join.iter_mut().chain(m.leave.iter_mut()).for_each(user);
        }
        for d in &mut t.needs_person {
            user(&mut d.user);
            d.reason = mask_emails(&d.reason);
            if let Some(v) = &mut d.actual {
                mask_value(&d.field, v);
            }
            if let Some(v) = &mut d.desired {
                mask_value(&d.field, v);
            }
        }
        t.ignored.iter_mut().for_each(change);
        for e in t.expired.iter_mut().chain(t.expiring.iter_mut()) {
            user(&mut e.user);
        }
        for u in t
            .deletes
            .iter_mut()
            .chain(t.unmanaged.iter_mut())
            .chain(t.protected.iter_mut())
            .chain(t.held.iter_mut())
        {
            user(u);
        }
    }
    p
}

/// The values of a record's personal fields.
fn personal(fields: &crate::model::Fields) -> Vec<&Value> {
    fields
        .iter()
        .filter(|(f, _)| PERSONAL.contains(f))
        .map(|(_, v)| v)
        .collect()
}

/// Each user's personal text in one target's plan, by the user's key: the key, the name, and
/// every personal field's values.
fn personal_by_key(p: &Plan, target: &str) -> HashMap<String, Vec<String>> {
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    let mut add = |u: &UserRef, values: Vec<&Value>| {
        let entry = by_key.entry(u.key.clone()).or_default();
        entry.push(u.key.clone());
        entry.extend(u.name.clone());
        entry.extend(
            values
                .into_iter()
                .filter_map(Value::as_text)
                .map(str::to_string),
        );
    };
    for t in p.targets.iter().filter(|t| t.target == target) {
        for c in &t.creates {
            add(&c.user, personal(&c.fields));
        }
        for u in t.updates.iter().chain(&t.deactivations) {
            let mut values = personal(&u.actual);
            for c in u
                .changes
                .iter()
                .filter(|c| PERSONAL.contains(&c.field.as_str()))
            {
                values.extend(c.from.as_ref());
                values.push(&c.to);
            }
            add(&u.user, values);
        }
        for u in t.deletes.iter().chain(&t.held) {
            add(u, Vec::new());
        }
    }
    for strings in by_key.values_mut() {
        strings.retain(|s| !s.is_empty());
        // Longest first, so that a name inside an e-mail is not masked on its own first.
        strings.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        strings.dedup();
    }
    by_key
}

fn mask_all(text: &str, strings: &[String]) -> String {
    let mut text = text.to_string();
    for s in strings {
        if text.contains(s.as_str()) {
            text = text.replace(s.as_str(), &mask(s));
        }
    }
    mask_emails(&text)
}

/// Copies of failed targets with every e-mail address in their messages masked (a vendor's
/// message or a manifest problem may quote one).
pub fn failures(failed: &[crate::reconcile::Failure]) -> Vec<crate::reconcile::Failure> {
    failed
        .iter()
        .cloned()
        .map(|mut f| {
            f.error.message = mask_emails(&f.error.message);
            f
        })
        .collect()
}

/// A copy of an apply report with personal data masked: the user each change names (by the
/// unredacted plan's keys), that user's personal text wherever the vendor's answer quotes it,
/// and any other e-mail address.
pub fn report(r: &Report, plan: &Plan) -> Report {
    let by_key = personal_by_key(plan, &r.target);
    let mut r = r.clone();
    for step in &mut r.steps {
        let strings = step
            .change
            .split_once(' ')
            .and_then(|(_, key)| by_key.get(key))
            .map(Vec::as_slice)
            .unwrap_or_default();
        step.change = mask_all(&step.change, strings);
        match &mut step.outcome {
            Outcome::Accepted(text) | Outcome::Failed(text) => *text = mask_all(text, strings),
            Outcome::Done | Outcome::NotStarted => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::Step;

    #[test]
    fn reports_mask_users_and_what_vendors_quote() {
        let mut plan = Plan::default();
        let mut t = crate::plan::TargetPlan {
            target: "acme".into(),
            ..Default::default()
        };
        t.creates.push(crate::plan::Create {
            user: UserRef {
                key: "ana@example.com".into(),
                name: Some("Ana Lima".into()),
                ..UserRef::default()
            },
            fields: [
                ("email".to_string(), Value::text("Ana@Example.com")),
                ("name".to_string(), Value::text("Ana Lima")),
            ]
            .into(),
            password: None,
        });
        t.deletes.push(UserRef {
            key: "restuser.acme".into(),
            ..UserRef::default()
        });
        plan.targets.push(t);
        let report = Report {
            target: "acme".into(),
            steps: vec![
                Step {
                    change: "create ana@example.com".into(),
                    kind: crate::apply::ChangeKind::Create,
                    error: None,
                    outcome: Outcome::Failed(
                        "name 'Ana Lima' (Ana@Example.com) clashes with bo@example.org".into(),
                    ),
                },
                Step {
                    change: "delete restuser.acme".into(),
                    kind: crate::apply::ChangeKind::Delete,
                    error: None,
                    outcome: Outcome::Done,
                },
                Step {
                    change: "workflow 200: +1 -0".into(),
                    kind: crate::apply::ChangeKind::Membership,
                    error: None,
                    outcome: Outcome::Done,
                },
            ],
            denied: None,
        };
        let shown = super::report(&report, &plan);
        let text = format!("{shown:?}");
        for personal in ["ana@", "Ana", "Lima", "example", "restuser", "bo@"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
        assert_eq!(
            shown.steps[0].change,
            format!("create {}", mask("ana@example.com"))
        );
        assert_eq!(
            shown.steps[1].change,
            format!("delete {}", mask("restuser.acme"))
        );
        assert_eq!(shown.steps[2].change, "workflow 200: +1 -0");
    }

    #[test]
    fn masks_keep_users_apart() {
        let a = mask("ana@example.com");
        assert!(a.starts_with("a***@e***.com#"), "{a}");
        assert_ne!(a, mask("alex@example.com"));
        assert_eq!(a, mask("Ana@Example.com"));
        assert!(!a.contains("ana") && !a.contains("example"));
        assert!(mask("Ana Lima").starts_with("A***#"));
    }
}
