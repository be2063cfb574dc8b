//! UiPath Identity's JSON: token answers, user pages, groups, and the two error shapes
//! (`IdentityResult` and RFC 7807 ProblemDetails). Enums may arrive as numbers or strings.
//!
//! A token answer is never quoted, not even in part: an error about it says what was wrong.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::vendor::ProviderError;
use crate::vendor::clean::snippet;

/// An OAuth token answer, read field by field (serde's own messages may quote a value).
pub(crate) struct TokenAnswer {
    pub access_token: String,
    /// Capped at [`MAX_TOKEN_TTL`].
    pub expires_in: Option<Duration>,
    /// The scopes granted, when the answer says (space separated).
    pub scope: Option<String>,
}

/// Shows everything but the token.
impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("access_token", &"(secret)")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
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
    // Scope names are not secret; anything but a string is taken as not said.
    let scope = map
        .get("scope")
        .and_then(Json::as_str)
        .map(|s| crate::vendor::clean::line(s.trim()));
    Ok(TokenAnswer {
        access_token,
        expires_in,
        scope,
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
    /// Null for some groups: such a group cannot be named in a manifest.
    #[serde(default)]
    pub name: Option<String>,
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
        let head = match (p.title, p.detail) {
            (Some(t), Some(d)) if !d.trim().is_empty() && !t.trim().is_empty() => {
                format!("{}: {}", t.trim(), d.trim())
            }
            (t, d) => t.or(d).unwrap_or_default(),
        };
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
#[path = "wire_tests.rs"]
mod tests;
