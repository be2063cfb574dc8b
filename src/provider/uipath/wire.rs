//! UiPath Identity's JSON: token answers, user pages, groups, and the two error shapes
//! (`IdentityResult` and RFC 7807 ProblemDetails). Enums may arrive as numbers or strings.
//!
//! A token answer is never quoted, not even in part: an error about it says what was wrong.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::provider::ProviderError;
use crate::provider::clean::snippet;

/// An OAuth token answer, read field by field (serde's own messages may quote a value).
pub(crate) struct TokenAnswer {
    pub access_token: String,
    /// Capped at [`MAX_TOKEN_TTL`].
    pub expires_in: Option<Duration>,
}

/// Shows everything but the token.
impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("access_token", &"(secret)")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The longest a token is trusted, whatever `expires_in` says.
pub(crate) const MAX_TOKEN_TTL: Duration = Duration::from_secs(86_400);

/// The token endpoint's answer. Neither a success nor an error answer is ever quoted.
pub(crate) fn token(endpoint: &str, status: u16, body: &str) -> Result<TokenAnswer, ProviderError> {
    let parsed = serde_json::from_str::<Json>(body).ok();
    if !(200..300).contains(&status) {
        return Err(ProviderError::Vendor {
            endpoint: endpoint.to_string(),
            status,
            message: parsed.as_ref().map_or_else(no_details, oauth_error),
        });
    }
    let bad = |what: &str| ProviderError::Malformed {
        endpoint: endpoint.to_string(),
        detail: format!("token answer: {what}"),
    };
    let Some(Json::Object(map)) = parsed else {
        return Err(bad("not a JSON object"));
    };
    let access_token = match map.get("access_token") {
        Some(Json::String(t)) if !t.trim().is_empty() => t.clone(),
        Some(Json::String(_)) => return Err(bad("access_token is empty")),
        Some(_) => return Err(bad("access_token is not a string")),
        None => return Err(bad("no access_token")),
    };
    let expires_in = match map.get("expires_in") {
        None | Some(Json::Null) => None,
        Some(Json::Number(n)) => match n.as_f64() {
            Some(secs) if secs >= 0.0 => Some(
                Duration::try_from_secs_f64(secs)
                    .unwrap_or(MAX_TOKEN_TTL)
                    .min(MAX_TOKEN_TTL),
            ),
            _ => return Err(bad("expires_in is negative")),
        },
        Some(_) => return Err(bad("expires_in is not a number")),
    };
    Ok(TokenAnswer {
        access_token,
        expires_in,
    })
}

/// OAuth's `error` and `error_description`; nothing else of the answer.
fn oauth_error(answer: &Json) -> String {
    let field = |k: &str| answer.get(k).and_then(Json::as_str).map(str::trim);
    match (field("error"), field("error_description")) {
        (Some(e), Some(d)) if !d.is_empty() => format!("{e}: {d}"),
        (Some(e), _) => e.to_string(),
        (None, Some(d)) => d.to_string(),
        (None, None) => no_details(),
    }
}

fn no_details() -> String {
    "no OAuth error in the answer (token answers are never quoted)".into()
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

/// A delete's answer: done on 2xx, and also on UiPath's own 404 (a ProblemDetails or
/// IdentityResult body: an earlier attempt whose answer was lost deleted the user). A 404 from
/// anything else (a proxy's page, an empty body from a wrong path) is an error.
pub(crate) fn deleted(endpoint: &str, status: u16, body: &str) -> Result<(), ProviderError> {
    if status == 404 && own_not_found(body) {
        return Ok(());
    }
    check_status(endpoint, status, body)
}

fn own_not_found(body: &str) -> bool {
    let Ok(Json::Object(map)) = serde_json::from_str::<Json>(body) else {
        return false;
    };
    map.get("status").and_then(Json::as_u64) == Some(404)
        || map.get("succeeded") == Some(&Json::Bool(false))
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

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.secret-part";

    #[test]
    fn token_answers_are_read_field_by_field() {
        let t = token("T", 200, &format!(r#"{{"access_token":"{TOKEN}","expires_in":3600,"token_type":"Bearer","scope":"PM.User"}}"#)).unwrap();
        assert_eq!(t.access_token, TOKEN);
        assert_eq!(t.expires_in, Some(Duration::from_secs(3600)));
        let t = token("T", 200, &format!(r#"{{"access_token":"{TOKEN}"}}"#)).unwrap();
        assert_eq!(t.expires_in, None);
        for huge in [
            "1e308",
            "18446744073709551615",
            "123456789012345678901234567890",
        ] {
            let t = token(
                "T",
                200,
                &format!(r#"{{"access_token":"{TOKEN}","expires_in":{huge}}}"#),
            )
            .unwrap();
            assert_eq!(t.expires_in, Some(MAX_TOKEN_TTL), "{huge}");
        }
    }

    #[test]
    fn an_unreadable_token_answer_says_what_is_wrong_and_never_quotes_it() {
        for (body, why) in [
            (
                format!(r#"{{"access_token":"{TOKEN}","expires_in":"3600"}}"#),
                "token answer: expires_in is not a number",
            ),
            (
                format!(r#"{{"access_token":"{TOKEN}","expires_in":-5}}"#),
                "token answer: expires_in is negative",
            ),
            (
                format!(r#"{{"token":"{TOKEN}"}}"#),
                "token answer: no access_token",
            ),
            (
                r#"{"access_token":42}"#.to_string(),
                "token answer: access_token is not a string",
            ),
            (
                r#"{"access_token":" "}"#.to_string(),
                "token answer: access_token is empty",
            ),
            (format!(r#"["{TOKEN}"]"#), "token answer: not a JSON object"),
            (
                format!(r#"{{"access_token":"{TOKEN}""#),
                "token answer: not a JSON object",
            ),
        ] {
            let e = token("POST /connect/token", 200, &body).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("POST /connect/token: unreadable answer: {why}")
            );
        }
        let e = token(
            "T",
            400,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "T: vendor answered 400: invalid_client: bad secret"
        );
        let e = token("T", 502, &format!("<html>{TOKEN}</html>")).unwrap_err();
        assert!(!e.to_string().contains(TOKEN), "{e}");
        assert!(
            e.to_string()
                .starts_with("T: vendor answered 502: no OAuth error"),
            "{e}"
        );
    }

    #[test]
    fn delete_404_is_done_only_in_uipaths_own_shapes() {
        let problem = r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.4","title":"Not Found","status":404,"traceId":"00-1"}"#;
        assert!(deleted("DELETE", 404, problem).is_ok());
        assert!(
            deleted(
                "DELETE",
                404,
                r#"{"succeeded":false,"errors":[{"code":"UserNotFound"}]}"#
            )
            .is_ok()
        );
        assert!(deleted("DELETE", 204, "").is_ok());
        for body in ["", "<html>Not Found</html>", r#"{"status":200}"#, "[]"] {
            let e = deleted("DELETE", 404, body).unwrap_err();
            assert!(
                matches!(e, ProviderError::Vendor { status: 404, .. }),
                "{body:?}: {e:?}"
            );
        }
    }

    const PAGE: &str = r#"{"totalCount":2,"results":[{"id":"a","userName":"a@x.io","email":"a@x.io","name":"A","surname":null,"isActive":true,"groupIDs":["g1"],"type":0},{"id":"b","type":"robot","groupIDs":null}]}"#;
    const GROUPS: &str = r#"[{"id":"g1","name":"Administrators"},{"id":"g2","name":"Everyone"}]"#;
    const PROBLEM: &str = r#"{"errors":{"email":["The Email field is required."]},"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400}"#;

    proptest::proptest! {
        /// Mangled real answers (pages, groups, errors, results) give a value or an error.
        #[test]
        fn mangled_answers_never_panic(
            page in crate::provider::mutate::mangled(PAGE),
            groups in crate::provider::mutate::mangled(GROUPS),
            problem in crate::provider::mutate::mangled(PROBLEM),
            status in proptest::sample::select(vec![200u16, 204, 400, 401, 404, 500]),
        ) {
            let _ = json::<UserPage>("GET", status, &page);
            let _ = json::<Vec<WireGroup>>("GET", status, &groups);
            let _ = identity_result("PUT", status, &problem);
            let _ = deleted("DELETE", status, &problem);
            let _ = error_message(&page);
        }

        /// Whatever the token endpoint answers, no error ever carries the token.
        #[test]
        fn token_errors_never_carry_the_token(
            body in crate::provider::mutate::mangled(
                r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.secret-part","expires_in":3600,"token_type":"Bearer"}"#
            ),
            status in proptest::sample::select(vec![200u16, 400, 401, 500]),
        ) {
            if let Err(e) = token("POST /connect/token", status, &body) {
                proptest::prop_assert!(!e.to_string().contains("secret-part"), "{}", e);
            }
        }

        #[test]
        fn never_panics_on_arbitrary_answers(body in ".{0,300}", status in 100u16..600) {
            let _ = json::<UserPage>("GET", status, &body);
            let _ = token("POST /connect/token", status, &body);
            let _ = identity_result("PUT", status, &body);
            let _ = deleted("DELETE", status, &body);
        }
    }
}
