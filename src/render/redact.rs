//! `--redact`: masks personal data (e-mails, names) in a plan for public CI logs, keeping
//! enough to tell users apart (a first letter and a short stable tag per value).

use crate::model::Value;
use crate::plan::{FieldChange, Plan, UserRef};

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
            if let Some(v) = &mut d.actual {
                mask_value(&d.field, v);
            }
            if let Some(v) = &mut d.desired {
                mask_value(&d.field, v);
            }
        }
        t.ignored.iter_mut().for_each(change);
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

#[cfg(test)]
mod tests {
    use super::*;

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
