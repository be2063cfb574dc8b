//! Test-only: a proptest strategy that mangles a valid vendor answer (characters cut, doubled,
//! replaced or inserted, with tokens that break parsers: quotes, brackets, huge and negative
//! numbers, nulls, tags), so that every wire parser's property tests start from realistic
//! input rather than random noise alone.

use proptest::prelude::*;
use proptest::sample::{Index, select};

const TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    "</",
    ",",
    ":",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "18446744073709551616",
    "99999999999999999999999999999",
    "\"\"",
    "\\u0000",
    "\u{1b}[2J",
    "&amp;",
    "&#0;",
    "<![CDATA[",
    "é",
    "\u{FEFF}",
    " ",
];

#[derive(Clone, Debug)]
enum Edit {
    Cut(Index, Index),
    Insert(Index, &'static str),
    Replace(Index, &'static str),
    Double(Index, Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Cut(a, b)),
        (any::<Index>(), select(TOKENS)).prop_map(|(a, t)| Edit::Insert(a, t)),
        (any::<Index>(), select(TOKENS)).prop_map(|(a, t)| Edit::Replace(a, t)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Double(a, b)),
    ]
}

/// The byte offset of a character boundary picked by `i` in `s`.
fn at(s: &str, i: &Index) -> usize {
    let bounds: Vec<usize> = s
        .char_indices()
        .map(|(o, _)| o)
        .chain(std::iter::once(s.len()))
        .collect();
    bounds[i.index(bounds.len())]
}

fn apply(mut s: String, e: &Edit) -> String {
    match e {
        Edit::Cut(a, b) => {
            let (a, b) = (at(&s, a), at(&s, b));
            s.replace_range(a.min(b)..a.max(b), "");
        }
        Edit::Insert(a, t) => s.insert_str(at(&s, a), t),
        Edit::Replace(a, t) => {
            let start = at(&s, a);
            let end = s[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            s.replace_range(start..end, t);
        }
        Edit::Double(a, b) => {
            let (a, b) = (at(&s, a), at(&s, b));
            let part = s[a.min(b)..a.max(b)].to_string();
            s.insert_str(a.max(b), &part);
        }
    }
    s
}

/// `valid` with one to six edits.
pub(crate) fn mangled(valid: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(edit(), 1..6)
        .prop_map(move |edits| edits.iter().fold(valid.to_string(), apply))
}
