//! Values and field changes as one line of text: `"Bo"`, `[100, 200]`, and the pairs an update
//! shows (`~ name: "Bo" → "Bo Chen"`, `~ workflows: + 496553 − 498082`, a map's changed keys).
//! Every piece of outside text goes through [`super::escape`].
//!
//! Must not: decide what is shown or folded (see `fold`), or lay out whole sections.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Set, Value, sorted_for_display};
use crate::plan::FieldChange;

use super::Styles;
use super::escape::{quoted, text};

/// A value as the plan shows it; `(unset)` for none.
pub(crate) fn show(v: Option<&Value>) -> String {
    match v {
        None => "(unset)".into(),
        Some(Value::Text(s)) => quoted(s),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Set(items)) => format!("[{}]", items_list(items.iter())),
        Some(Value::Map(map)) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", text(k), quoted(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Set items (each once), numbers in numeric order, comma-separated.
fn items_list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    sorted_for_display(items)
        .into_iter()
        .map(|s| text(s).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One changed field of an update, old and new side by side, without indentation.
pub(crate) fn pair(c: &FieldChange, st: &Styles) -> String {
    let head = st.chg(&format!("~ {}:", text(&c.field)));
    let empty_set = Set::new();
    let empty_map = BTreeMap::new();
    match (&c.from, &c.to) {
        (None | Some(Value::Set(_)), Value::Set(new)) => {
            let old = match &c.from {
                Some(Value::Set(old)) => old,
                _ => &empty_set,
            };
            let joins = items_list(new.difference(old));
            let leaves = items_list(old.difference(new));
            let mut line = head;
            if !joins.is_empty() {
                line.push(' ');
                line.push_str(&st.add(&format!("+ {joins}")));
            }
            if !leaves.is_empty() {
                line.push(' ');
                line.push_str(&st.del(&format!("− {leaves}")));
            }
            line
        }
        (None | Some(Value::Map(_)), Value::Map(new)) => {
            let old = match &c.from {
                Some(Value::Map(old)) => old,
                _ => &empty_map,
            };
            let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
            let parts: Vec<String> = keys
                .into_iter()
                .filter(|k| old.get(*k) != new.get(*k))
                .map(|k| {
                    let shown =
                        |v: Option<&String>| v.map_or_else(|| "(unset)".into(), |s| quoted(s));
                    format!(
                        "{}: {} → {}",
                        text(k),
                        st.del(&shown(old.get(k))),
                        st.add(&shown(new.get(k)))
                    )
                })
                .collect();
            format!("{head} {{{}}}", parts.join(", "))
        }
        (from, to) => format!(
            "{head} {} → {}",
            st.del(&show(from.as_ref())),
            st.add(&show(Some(to)))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::UserRef;

    fn change(field: &str, from: Option<Value>, to: Value) -> FieldChange {
        FieldChange {
            user: UserRef::default(),
            field: field.into(),
            from,
            to,
        }
    }

    fn plain(c: &FieldChange) -> String {
        pair(c, &Styles::colored(false))
    }

    #[test]
    fn text_pairs_old_and_new() {
        let c = change("name", Some(Value::text("Bo")), Value::text("Bo Chen"));
        assert_eq!(plain(&c), r#"~ name: "Bo" → "Bo Chen""#);
        let c = change("language", None, Value::text("fr"));
        assert_eq!(plain(&c), r#"~ language: (unset) → "fr""#);
        let c = change("active", Some(Value::Bool(true)), Value::Bool(false));
        assert_eq!(plain(&c), "~ active: true → false");
    }

    #[test]
    fn sets_show_what_joins_and_leaves() {
        let c = change(
            "workflows",
            Some(Value::set(["100", "498082", "9"])),
            Value::set(["100", "496553", "9", "10"]),
        );
        assert_eq!(plain(&c), "~ workflows: + 10, 496553 − 498082");
        let c = change("groups", None, Value::set(["a"]));
        assert_eq!(plain(&c), "~ groups: + a");
        let c = change("groups", Some(Value::set(["a", "b"])), Value::set(["a"]));
        assert_eq!(plain(&c), "~ groups: − b");
    }

    #[test]
    fn maps_show_the_keys_that_change() {
        let old = Value::Map([("a".into(), "1".into()), ("b".into(), "2".into())].into());
        let new = Value::Map([("a".into(), "1".into()), ("c".into(), "3".into())].into());
        let c = change("extended_fields", Some(old), new);
        assert_eq!(
            plain(&c),
            r#"~ extended_fields: {b: "2" → (unset), c: (unset) → "3"}"#
        );
    }

    #[test]
    fn outside_text_is_escaped() {
        let c = change(
            "name\u{1b}",
            Some(Value::text("a\u{1b}[2J")),
            Value::set(["x\u{7}"]),
        );
        let shown = plain(&c);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown}"
        );
        assert_eq!(show(Some(&Value::set(["\u{9b}"]))), "[\\u{9b}]");
    }

    #[test]
    fn colour_wraps_without_changing_the_text() {
        let c = change("name", Some(Value::text("Bo")), Value::text("Bo Chen"));
        let coloured = pair(&c, &Styles::colored(true));
        assert!(
            coloured.contains("\u{1b}[31m\"Bo\"\u{1b}[0m"),
            "{coloured:?}"
        );
        let stripped: String = coloured
            .split('\u{1b}')
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    s
                } else {
                    s.split_once('m').map_or(s, |x| x.1)
                }
            })
            .collect();
        assert_eq!(stripped, plain(&c));
    }
}
