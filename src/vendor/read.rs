//! Helpers vendors share to read their keys: secret references (checked for presence, never
//! read), e-mail addresses, sets of items that must not repeat, `expires` values, and lists of
//! members that may end (`[496553, {id: 498082, expires: 2027-01-15}]`).
//!
//! Each reads through [`Keys`], reporting located problems into it. No vendor knowledge here.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Problem;
use crate::model::expiry::{self, Deadline};
use crate::model::{Fields, Origin, Value};
use crate::secret::SecretRef;
use crate::yaml::{Keys, Located, Node, Val, text};

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

/// An `expires` value written at `v`: a date or an RFC 3339 instant, as text.
pub fn expires(v: &Val<'_>) -> Result<Deadline, Problem> {
    let Node::Str(written) = v.node() else {
        return Err(v.problem(format!(
            "`expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not {}",
            v.node().kind()
        )));
    };
    let when = expiry::parse(written).map_err(|e| v.problem(e))?;
    Ok(Deadline {
        when,
        written: written.trim().to_string(),
        origin: v.origin(),
    })
}

/// How the members of a [`members`] list are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// Whole numbers (ids); the long form is `{id: 498082, expires: …}`.
    Number,
    /// Names; the long form is `{name: Auditors, expires: …}`.
    Name,
}

impl Member {
    /// The key of the long form that holds the member.
    pub fn key(self) -> &'static str {
        match self {
            Member::Number => "id",
            Member::Name => "name",
        }
    }
}

/// The members of a set field, and when the access of those that end ends.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Members {
    pub set: BTreeSet<String>,
    /// Member → its `expires`, as written (the core places dates in the config's time zone).
    pub expires: BTreeMap<String, Deadline>,
}

impl Members {
    /// Puts the set into `fields` and the ends into `expiring`, both under `field`.
    pub fn store(
        self,
        field: &str,
        fields: &mut Fields,
        expiring: &mut BTreeMap<String, BTreeMap<String, Deadline>>,
    ) {
        fields.insert(field, Value::Set(self.set.into()));
        if !self.expires.is_empty() {
            expiring.insert(field.to_string(), self.expires);
        }
    }
}

/// A list of members under `key`, each written bare (`498082`, `Finance`) or with an end
/// (`{id: 498082, expires: 2027-01-15}`, `{name: Auditors, expires: 2027-02-01T18:00:00Z}`).
/// `what` names a member in messages ("workflow"); one listed twice, or an empty name, is a
/// problem. Every vendor whose memberships may end reads them through this.
pub fn members(keys: &mut Keys<'_>, key: &str, what: &str, member: Member) -> Option<Members> {
    let list = keys.list(key)?;
    let mut out = Members::default();
    for item in list.value {
        let (value, ends) = match item.node() {
            Node::Map(_) => {
                let Ok(mut long) = item.keys(key) else {
                    continue;
                };
                let value = long.get(member.key());
                if value.is_none() {
                    long.missing(member.key());
                }
                let ends = long.get("expires").map(|v| expires(&v));
                let value = value.map(|v| one_member(&v, key, what, member));
                keys.absorb(long.finish(&[member.key(), "expires"], &|_| None));
                match (value, ends) {
                    (Some(v), Some(Err(p))) => {
                        keys.push(p);
                        (v, None)
                    }
                    (Some(v), Some(Ok(d))) => (v, Some(d)),
                    (Some(v), None) => (v, None),
                    (None, Some(Err(p))) => {
                        keys.push(p);
                        continue;
                    }
                    (None, _) => continue,
                }
            }
            _ => (one_member(&item, key, what, member), None),
        };
        match value {
            Ok(v) if out.set.contains(&v) => {
                let shown = match member {
                    Member::Number => v,
                    Member::Name => format!("{v:?}"),
                };
                keys.push(item.problem(format!("{what} {shown} listed twice")));
            }
            Ok(v) => {
                if let Some(d) = ends {
                    out.expires.insert(v.clone(), d);
                }
                out.set.insert(v);
            }
            Err(p) => keys.push(p),
        }
    }
    Some(out)
}

/// One member as written at `v`: a whole number's digits, or a trimmed name.
fn one_member(v: &Val<'_>, key: &str, what: &str, member: Member) -> Result<String, Problem> {
    match member {
        Member::Number => v.u64(key).map(|n| n.to_string()),
        Member::Name => {
            let s = v.text(key)?;
            if let Some(why) = text::problem(key, s, text::MAX_NAME) {
                return Err(v.problem(why));
            }
            match s.trim() {
                "" => Err(v.problem(format!("empty {what} name"))),
                t => Ok(t.to_string()),
            }
        }
    }
}

/// A problem at `origin`.
pub fn problem(origin: &Origin, message: impl Into<String>) -> Problem {
    Problem::at(origin.clone(), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expiry::When;

    fn read_members(text: &str, member: Member) -> (Option<Members>, Vec<String>) {
        let node: serde_saphyr::Spanned<Node> = serde_saphyr::from_str(text).unwrap();
        let file = "u.yaml".into();
        let mut keys = Keys::new(&file, &node).unwrap();
        let m = members(&mut keys, "items", "item", member);
        let problems = keys.finish(&["items"], &|_| None);
        (m, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn members_may_end() {
        let (m, problems) = read_members(
            "items: [496553, {id: 498082, expires: 2027-01-15}, { id: 7 }]\n",
            Member::Number,
        );
        assert_eq!(problems, Vec::<String>::new());
        let m = m.unwrap();
        assert_eq!(
            m.set,
            BTreeSet::from(["496553".into(), "498082".into(), "7".into()])
        );
        let end = &m.expires["498082"];
        assert_eq!(end.written, "2027-01-15");
        assert_eq!(
            end.when,
            When::Date(chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap())
        );
        assert_eq!(end.origin.to_string(), "u.yaml:1:39");
        let (m, problems) = read_members(
            "items: [Finance, {name: ' Auditors ', expires: '2027-02-01T18:00:00Z'}]\n",
            Member::Name,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(m.unwrap().expires.contains_key("Auditors"));
    }

    #[test]
    fn members_written_wrong_are_located() {
        let (_, problems) = read_members(
            "items:\n  - {id: 5, expires: soon}\n  - {expires: 2027-01-01}\n  - {id: 6, until: 2027-01-01}\n  - 5\n  - {id: 9, expires: 20270101}\n",
            Member::Number,
        );
        assert_eq!(
            problems,
            [
                "u.yaml:2:22: `expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not \"soon\"",
                "u.yaml:3:5: missing field `id`",
                "u.yaml:4:13: unknown field `until`, expected one of id, expires",
                "u.yaml:5:5: item 5 listed twice",
                "u.yaml:6:22: `expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not a number",
            ]
        );
        let (_, problems) = read_members("items: [a, ' A', {name: ''}, a]\n", Member::Name);
        assert_eq!(
            problems,
            [
                "u.yaml:1:25: empty item name",
                "u.yaml:1:30: item \"a\" listed twice"
            ]
        );
    }

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
