//! Reads the query string of `GET /api/User/users/{pgid}` (`top`, `skip`, `searchTerm`,
//! `sortBy`, `sortOrder`; names in any case, the first of a repeated name wins) into a
//! [`ListQuery`], refusing every out-of-range or unbindable value at once, as ASP.NET model
//! validation does.
//!
//! Parsing only; the listing itself is `listing.rs`.

use std::collections::BTreeMap;

use super::listing::{ListQuery, SortKey};
use super::reply::Refusal;

/// The largest page the API serves.
pub(crate) const MAX_TOP: i64 = 1000;

pub(crate) fn list_query(raw: Option<&str>) -> Result<ListQuery, Refusal> {
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        given
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| value.into_owned());
    }
    let value = |name: &str| {
        given
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut fail = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_default().push(message);
    };
    let mut number = |field: &str, default: usize, max: i64| -> usize {
        let Some(text) = value(&field.to_ascii_lowercase()) else {
            return default;
        };
        match text.trim().parse::<i64>() {
            Ok(n) if (0..=max).contains(&n) => usize::try_from(n).unwrap_or(default),
            Ok(_) => {
                fail(
                    field,
                    format!("The field {field} must be between 0 and {max}."),
                );
                default
            }
            Err(_) => {
                fail(field, format!("The value '{text}' is not valid."));
                default
            }
        }
    };
    let top = number("top", 10, MAX_TOP);
    let skip = number("skip", 0, i64::from(i32::MAX));
    let sort = match value("sortby") {
        None => SortKey::default(),
        Some(text) => SortKey::from_name(text).unwrap_or_else(|| {
            fail("sortBy", format!("The value '{text}' is not valid."));
            SortKey::default()
        }),
    };
    let descending = match value("sortorder") {
        None => false,
        Some(text) if text.eq_ignore_ascii_case("asc") => false,
        Some(text) if text.eq_ignore_ascii_case("desc") => true,
        Some(text) => {
            fail("sortOrder", format!("The value '{text}' is not valid."));
            false
        }
    };
    if !errors.is_empty() {
        return Err(Refusal::Invalid(errors));
    }
    Ok(ListQuery {
        search: value("searchterm").map(str::to_owned),
        sort,
        descending,
        top,
        skip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(raw: &str) -> BTreeMap<String, Vec<String>> {
        match list_query(Some(raw)) {
            Err(Refusal::Invalid(errors)) => errors,
            other => panic!("expected a validation problem, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_ten_from_the_start() {
        assert_eq!(list_query(None), Ok(ListQuery::default()));
        assert_eq!(list_query(Some("top=&skip=")), Ok(ListQuery::default()));
    }

    #[test]
    fn reads_every_parameter_in_any_case() {
        let query = list_query(Some(
            "TOP=1000&Skip=1000&searchTerm=Ana%20L&sortBy=email&sortOrder=DESC&top=3",
        ));
        assert_eq!(
            query,
            Ok(ListQuery {
                search: Some("Ana L".to_owned()),
                sort: SortKey::Email,
                descending: true,
                top: 1000,
                skip: 1000,
            })
        );
        assert_eq!(list_query(Some("top=0")).unwrap().top, 0);
    }

    #[test]
    fn top_is_bounded_by_the_spec_range() {
        assert_eq!(
            errors("top=1001")["top"],
            ["The field top must be between 0 and 1000."]
        );
        assert!(errors("top=-1").contains_key("top"));
        assert_eq!(errors("top=ten")["top"], ["The value 'ten' is not valid."]);
        assert!(errors("skip=-5").contains_key("skip"));
    }

    #[test]
    fn every_problem_is_reported() {
        let all = errors("top=2000&skip=x&sortBy=password&sortOrder=up");
        let fields: Vec<&str> = all.keys().map(String::as_str).collect();
        assert_eq!(fields, ["skip", "sortBy", "sortOrder", "top"]);
    }
}
