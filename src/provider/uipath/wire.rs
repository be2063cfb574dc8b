//! UiPath Identity's JSON: token answers, user pages, groups, and the two error shapes
//! (`IdentityResult` and RFC 7807 ProblemDetails). Enums may arrive as numbers or strings.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::provider::ProviderError;

#[derive(Debug, Deserialize)]
pub(crate) struct TokenAnswer {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserPage {
    pub total_count: u64,
    #[serde(default)]
    pub results: Vec<WireUser>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUser {
    pub id: String,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default, rename = "groupIDs")]
    pub group_ids: Option<Vec<String>>,
    /// `UserType`: a number (0 = user) or a string (`user`).
    #[serde(default, rename = "type")]
    pub kind: Option<serde_json::Value>,
}

impl WireUser {
    /// A local person (not a robot, directory entry or application).
    pub fn is_person(&self) -> bool {
        match &self.kind {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::Number(n)) => n.as_u64() == Some(0),
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("user"),
            Some(_) => false,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct IdentityError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IdentityResult {
    succeeded: bool,
    #[serde(default)]
    errors: Option<Vec<IdentityError>>,
}

#[derive(Debug, Deserialize)]
struct ProblemDetails {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    errors: Option<BTreeMap<String, Vec<String>>>,
}

fn snippet(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(160).collect()
}

/// The readable message inside an error answer.
pub(crate) fn error_message(body: &str) -> String {
    if let Ok(r) = serde_json::from_str::<IdentityResult>(body)
        && !r.succeeded
    {
        let parts: Vec<String> = r
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(|e| match (e.code, e.description) {
                (Some(c), Some(d)) => format!("{c}: {d}"),
                (Some(c), None) => c,
                (None, Some(d)) => d,
                (None, None) => "unknown error".into(),
            })
            .collect();
        return if parts.is_empty() {
            "request failed".into()
        } else {
            parts.join("; ")
        };
    }
    if let Ok(p) = serde_json::from_str::<ProblemDetails>(body) {
        let mut parts = Vec::new();
        for (field, msgs) in p.errors.unwrap_or_default() {
            parts.push(format!("{field}: {}", msgs.join(" ")));
        }
        let head = p.title.or(p.detail).unwrap_or_default();
        if !parts.is_empty() || !head.is_empty() {
            return if parts.is_empty() {
                head
            } else if head.is_empty() {
                parts.join("; ")
            } else {
                format!("{head} {}", parts.join("; "))
            };
        }
    }
    if body.trim().is_empty() {
        "no details".into()
    } else {
        snippet(body)
    }
}

/// Fails on a non-2xx status with the vendor's message.
pub(crate) fn check_status(endpoint: &str, status: u16, body: &str) -> Result<(), ProviderError> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(ProviderError::Vendor {
            endpoint: endpoint.to_string(),
            status,
            message: error_message(body),
        })
    }
}

/// Reads a JSON answer of type `T` after a successful status.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    endpoint: &str,
    status: u16,
    body: &str,
) -> Result<T, ProviderError> {
    check_status(endpoint, status, body)?;
    serde_json::from_str(body).map_err(|e| ProviderError::Malformed {
        endpoint: endpoint.to_string(),
        detail: format!("{e}: {}", snippet(body)),
    })
}

/// A write's answer: 2xx with an `IdentityResult` that succeeded (or no body at all).
pub(crate) fn identity_result(
    endpoint: &str,
    status: u16,
    body: &str,
) -> Result<(), ProviderError> {
    check_status(endpoint, status, body)?;
    if body.trim().is_empty() {
        return Ok(());
    }
    let r: IdentityResult = serde_json::from_str(body).map_err(|e| ProviderError::Malformed {
        endpoint: endpoint.to_string(),
        detail: format!("{e}: {}", snippet(body)),
    })?;
    if r.succeeded {
        Ok(())
    } else {
        Err(ProviderError::Vendor {
            endpoint: endpoint.to_string(),
            status,
            message: error_message(body),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_result_errors_are_readable() {
        let body = r#"{"succeeded":false,"errors":[{"code":"DuplicateUserName","description":"User name 'a@x.io' is already taken."}]}"#;
        let e = identity_result("POST /api/User", 400, body).unwrap_err();
        assert_eq!(
            e.to_string(),
            "POST /api/User: vendor answered 400: DuplicateUserName: User name 'a@x.io' is already taken."
        );
        let e = identity_result("PUT /api/User/{id}", 200, body).unwrap_err();
        assert!(matches!(e, ProviderError::Vendor { status: 200, .. }));
        assert!(identity_result("PUT", 200, r#"{"succeeded":true,"errors":[]}"#).is_ok());
        assert!(identity_result("DELETE", 204, "").is_ok());
    }

    #[test]
    fn problem_details_name_the_field() {
        let body = r#"{"errors":{"bypassBasicAuthRestriction":["Unexpected character encountered while parsing value: h."]},"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-1-00"}"#;
        assert_eq!(
            error_message(body),
            "One or more validation errors occurred. bypassBasicAuthRestriction: Unexpected character encountered while parsing value: h."
        );
    }

    #[test]
    fn enums_as_numbers_or_strings() {
        let page: UserPage = json(
            "GET",
            200,
            r#"{"totalCount":3,"results":[{"id":"a","type":0},{"id":"b","type":"user"},{"id":"c","type":1}]}"#,
        )
        .unwrap();
        let people: Vec<bool> = page.results.iter().map(WireUser::is_person).collect();
        assert_eq!(people, [true, true, false]);
    }

    #[test]
    fn malformed_and_html_are_errors() {
        assert!(matches!(
            json::<UserPage>("GET", 200, "<html>login</html>"),
            Err(ProviderError::Malformed { .. })
        ));
        assert!(matches!(
            json::<UserPage>("GET", 200, r#"{"totalCount":1,"results":[{"id""#),
            Err(ProviderError::Malformed { .. })
        ));
        assert!(matches!(
            json::<UserPage>("GET", 401, ""),
            Err(ProviderError::Vendor { status: 401, .. })
        ));
    }
}
