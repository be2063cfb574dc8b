//! Filters (RFC 7644 §3.4.2.2) as the simulator reads them: `eq` comparisons joined by `and`,
//! the subset most servers support, both in `?filter=` (on `userName`, `externalId`,
//! `displayName` and `id`) and inside PATCH paths (`members[value eq "…"]`). Anything else is
//! refused as `invalidFilter`.
//!
//! Pure parsing and matching; no world.

use serde_json::{Map, Value as Json};

use super::error::Refusal;

/// `name eq value` and … and …: each name as written, each value a JSON literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter(pub(crate) Vec<(String, Json)>);

fn invalid(detail: impl Into<String>) -> Refusal {
    Refusal::bad("invalidFilter", detail)
}

/// Splits a filter into words and literals; a string literal keeps its quotes.
fn tokens(text: &str) -> Result<Vec<String>, Refusal> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            let mut lit = String::from('"');
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                lit.push(c);
                if c == '\\' {
                    lit.extend(chars.next());
                } else if c == '"' {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return Err(invalid("unterminated string in filter"));
            }
            out.push(lit);
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(word);
        }
    }
    Ok(out)
}

/// Parses `text`. Only `eq` and `and`.
pub(crate) fn parse(text: &str) -> Result<Filter, Refusal> {
    let tokens = tokens(text)?;
    let mut terms = Vec::new();
    let mut rest = tokens.as_slice();
    loop {
        let [name, op, literal, tail @ ..] = rest else {
            return Err(invalid(format!("cannot read filter {text:?}")));
        };
        if !op.eq_ignore_ascii_case("eq") {
            return Err(invalid(format!(
                "unsupported operator {op:?} (only eq and and)"
            )));
        }
        let value: Json = serde_json::from_str(literal)
            .map_err(|_| invalid(format!("not a value: {literal}")))?;
        if value.is_array() || value.is_object() {
            return Err(invalid(format!("not a value: {literal}")));
        }
        terms.push((name.clone(), value));
        match tail {
            [] => return Ok(Filter(terms)),
            [and, more @ ..] if and.eq_ignore_ascii_case("and") => rest = more,
            _ => return Err(invalid(format!("cannot read filter {text:?}"))),
        }
    }
}

/// Whether `have` equals `want`; texts case-insensitively unless `case_exact`.
pub(crate) fn equal(have: Option<&Json>, want: &Json, case_exact: bool) -> bool {
    match (have, want) {
        (Some(Json::String(h)), Json::String(w)) if !case_exact => {
            h.to_lowercase() == w.to_lowercase()
        }
        (None | Some(Json::Null), Json::Null) => true,
        (Some(h), w) => h == w,
        (None, _) => false,
    }
}

/// Whether an item of a multi-valued attribute (`{"value": …, "type": …}`) matches, its
/// members looked up in any case. `case_exact` says which members compare exactly.
pub(crate) fn matches_item(
    f: &Filter,
    item: &Map<String, Json>,
    case_exact: impl Fn(&str) -> bool,
) -> bool {
    f.0.iter().all(|(name, want)| {
        let have = item
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v);
        equal(have, want, case_exact(name))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn eq_joined_by_and_in_any_case() {
        assert_eq!(
            parse(r#"userName EQ "a \"b\"" AND active eq true"#).unwrap(),
            Filter(vec![
                ("userName".into(), json!("a \"b\"")),
                ("active".into(), json!(true))
            ])
        );
        for bad in [
            r#"userName co "a""#,
            r#"userName eq "a" or displayName eq "b""#,
            "userName eq",
            r#"userName eq "open"#,
            "(userName eq \"a\")",
            "",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
    }

    #[test]
    fn items_match_case_insensitively_unless_exact() {
        let f = parse(r#"value eq "ABC" and type eq "Work""#).unwrap();
        let item = json!({"Value": "abc", "type": "work"});
        let item = item.as_object().unwrap();
        assert!(matches_item(&f, item, |_| false));
        assert!(!matches_item(&f, item, |n| n == "value"));
    }
}
