//! Helpers vendors share to read their keys: secret references (checked for presence, never
//! read), e-mail addresses, and sets of items that must not repeat.
//!
//! Each reads through [`Keys`], reporting located problems into it. No vendor knowledge here.

use std::collections::BTreeSet;

use crate::diag::Problem;
use crate::model::Origin;
use crate::secret::SecretRef;
use crate::yaml::{Keys, Located, Val, text};

use super::TargetCx;

/// `{ env: NAME }` or `{ file: PATH }` as written under `key`, parsed and checked for presence
/// (the value is not kept). A missing key is reported at `anchor` when `required`.
pub fn secret(keys: &mut Keys<'_>, key: &str, cx: &TargetCx<'_>) -> Option<SecretRef> {
    let Some(v) = keys.get(key) else {
        let p = Problem::at(
            cx.anchor.clone(),
            format!("missing `{key}` (e.g. `{key}: {{ env: NAME }}`)"),
        );
        keys.push(p);
        return None;
    };
    let (r, problems) = secret_value(&v, key, cx.base_dir);
    keys.absorb(problems);
    r
}

/// A secret reference written at `v` (e.g. a user's `password`), checked for presence.
pub fn secret_value(
    v: &Val<'_>,
    key: &str,
    base_dir: &std::path::Path,
) -> (Option<SecretRef>, Vec<Problem>) {
    let mut inner = match v.keys(key) {
        Ok(k) => k,
        Err(_) => {
            let p = v.problem(format!("{key}: a secret needs `env: NAME` or `file: PATH`"));
            return (None, vec![p]);
        }
    };
    let mut problems = Vec::new();
    let mut part = |name: &str| -> Option<String> {
        let val = inner.get(name)?;
        match val.text(name) {
            // The name is shown in messages, so a control character is refused, not quoted.
            Ok(t) if t.contains(char::is_control) => {
                problems.push(v.problem(format!(
                    "{key}: a secret's `{name}` contains a control character or line break"
                )));
                None
            }
            Ok(t) => Some(t.trim().to_string()),
            Err(p) => {
                problems.push(p);
                None
            }
        }
    };
    let (env, file) = (part("env"), part("file"));
    let refused = !problems.is_empty();
    problems.extend(inner.finish(&["env", "file"], &|_| None));
    let r = match (env, file) {
        (Some(e), None) if !e.is_empty() => Some(SecretRef::Env(e)),
        (None, Some(f)) if !f.is_empty() => Some(SecretRef::File(f.into())),
        (Some(_), Some(_)) => {
            problems.push(v.problem(format!(
                "{key}: a secret takes either `env` or `file`, not both"
            )));
            None
        }
        _ if refused => None,
        _ => {
            problems.push(v.problem(format!("{key}: a secret needs `env: NAME` or `file: PATH`")));
            None
        }
    };
    if let Some(r) = &r
        && let Err(e) = r.resolve(base_dir)
    {
        problems.push(v.problem(format!("{key}: {e}")));
    }
    (r, problems)
}

/// The required `email` key, trimmed and checked.
pub fn email(keys: &mut Keys<'_>) -> Option<Located<String>> {
    let e = keys.required_text("email")?;
    match text::email_problem(&e.value) {
        None => Some(e),
        Some(why) => {
            keys.push(Problem::at(e.origin, why));
            None
        }
    }
}

/// A list of texts as a set; an empty item or one listed twice is a problem (`what` names an
/// item in messages: "group").
pub fn text_set(keys: &mut Keys<'_>, key: &str, what: &str) -> Option<BTreeSet<String>> {
    let list = keys.text_list(key)?;
    let mut set = BTreeSet::new();
    for item in list.value {
        if item.value.is_empty() {
            keys.push(Problem::at(item.origin, format!("empty {what} name")));
        } else if set.contains(&item.value) {
            let p = Problem::at(item.origin, format!("{what} {:?} listed twice", item.value));
            keys.push(p);
        } else {
            set.insert(item.value);
        }
    }
    Some(set)
}

/// A list of whole numbers as a set of their digits; one listed twice is a problem.
pub fn number_set(keys: &mut Keys<'_>, key: &str, what: &str) -> Option<BTreeSet<String>> {
    let list = keys.list(key)?;
    let mut set = BTreeSet::new();
    for item in list.value {
        match item.u64(key) {
            Ok(n) if !set.insert(n.to_string()) => {
                keys.push(item.problem(format!("{what} {n} listed twice")));
            }
            Ok(_) => {}
            Err(p) => keys.push(p),
        }
    }
    Some(set)
}

/// A problem at `origin`.
pub fn problem(origin: &Origin, message: impl Into<String>) -> Problem {
    Problem::at(origin.clone(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_email(s: &str) -> bool {
        text::email_problem(s).is_none()
    }

    #[test]
    fn emails() {
        assert!(valid_email("ana@example.com"));
        assert!(valid_email(" Ana@Example.com "));
        assert!(!valid_email("ana"));
        assert!(!valid_email("ana@localhost"));
        assert!(!valid_email("a b@example.com"));
        assert!(!valid_email("@example.com"));
        assert!(!valid_email("a@b@example.com"));
    }
}
