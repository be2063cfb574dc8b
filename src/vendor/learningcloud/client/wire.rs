//! learningCloud's JSON: the user object as Get and List show it, the `{"user": {...}}` body of
//! Create and Update, and the response envelope of every write (`status`, `location`,
//! `message` and `responsePlatforms`, each platform with its own status).
//!
//! A write succeeds only when the top-level status and every platform's status are 2xx; a
//! platform answering 202 has queued the change (asynchronous mode). Malformed JSON or an HTML
//! page is an error, never "no users" and never success.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use crate::vendor::clean::snippet;
use crate::vendor::{Applied, ProviderError};

/// The fields roster reads of a user as Get and List show it; [`Listed`] keeps the rest.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUser {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    pub enabled: bool,
    /// Section → roles; null reads as none.
    #[serde(default)]
    pub roles: Option<BTreeMap<String, Option<Vec<String>>>>,
    #[serde(default)]
    pub external_id: Option<String>,
    /// Every configured key, null when unset.
    #[serde(default)]
    pub extended_fields: Option<BTreeMap<String, Option<String>>>,
}

/// The `user` of a Create or Update body. Absent fields are left out, so that the vendor
/// leaves them alone.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Replaces the user's whole role map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<BTreeMap<&'a str, Vec<&'a str>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<&'a str>,
    /// Changes only the keys given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_fields: Option<BTreeMap<&'a str, &'a str>>,
}

#[derive(Serialize)]
struct Body<'a> {
    user: &'a UserOut<'a>,
}

/// `{"user": {...}}`.
pub(crate) fn body(user: &UserOut<'_>) -> Vec<u8> {
    // Serialising plain strings, booleans and maps cannot fail.
    serde_json::to_vec(&Body { user }).unwrap_or_default()
}

#[derive(Debug, Deserialize)]
struct Envelope {
    status: Option<u16>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "responsePlatforms")]
    platforms: Option<Platforms>,
}

#[derive(Debug, Deserialize)]
struct PlatformResult {
    status: Option<u16>,
    #[serde(default)]
    message: Option<String>,
}

/// Platform results in the order the vendor sent them.
#[derive(Debug, Default)]
struct Platforms(Vec<(String, PlatformResult)>);

impl<'de> Deserialize<'de> for Platforms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Platforms;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of platform results")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Platforms, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, PlatformResult>()? {
                    out.push(entry);
                }
                Ok(Platforms(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn ok(status: u16) -> bool {
    (200..300).contains(&status)
}

fn malformed(endpoint: &str, detail: String) -> ProviderError {
    ProviderError::Malformed {
        endpoint: endpoint.to_string(),
        detail,
    }
}

fn vendor(endpoint: &str, status: u16, message: String) -> ProviderError {
    ProviderError::Vendor {
        endpoint: endpoint.to_string(),
        status,
        message,
    }
}

/// The error an answer with a non-2xx HTTP status stands for: the envelope's message, or a
/// glimpse of a page that is not JSON.
fn http_error(endpoint: &str, http_status: u16, body: &str) -> ProviderError {
    match serde_json::from_str::<Envelope>(body) {
        Ok(env) => {
            let status = env.status.filter(|s| *s >= 400).unwrap_or(http_status);
            let message = env.message.unwrap_or_default().trim().to_string();
            vendor(endpoint, status, message)
        }
        Err(_) => vendor(
            endpoint,
            http_status,
            format!("non-JSON answer: {}", snippet(body)),
        ),
    }
}

/// An envelope with a failing top-level status, met where data was expected.
fn envelope_error(endpoint: &str, body: &str) -> Option<ProviderError> {
    let env = serde_json::from_str::<Envelope>(body).ok()?;
    let status = env.status.filter(|s| !ok(*s))?;
    Some(vendor(
        endpoint,
        status,
        env.message.unwrap_or_default().trim().to_string(),
    ))
}

/// A user as Get and List show it, with the vendor's whole record kept for updates.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Listed {
    pub user: WireUser,
    /// Every field the vendor showed, roster's or not, as compact JSON.
    pub record: Box<str>,
}

fn listed(value: Json) -> Result<Listed, serde_json::Error> {
    let user = WireUser::deserialize(&value)?;
    Ok(Listed {
        user,
        record: value.to_string().into_boxed_str(),
    })
}

/// `GET /users`: one page of users.
pub(crate) fn users(
    endpoint: &str,
    http_status: u16,
    body: &str,
) -> Result<Vec<Listed>, ProviderError> {
    if !ok(http_status) {
        return Err(http_error(endpoint, http_status, body));
    }
    let list = serde_json::from_str::<Vec<Json>>(body).map_err(|e| {
        envelope_error(endpoint, body).unwrap_or_else(|| {
            malformed(
                endpoint,
                format!("expected a list of users ({e}): {}", snippet(body)),
            )
        })
    })?;
    list.into_iter()
        .enumerate()
        .map(|(i, value)| {
            listed(value).map_err(|e| {
                malformed(
                    endpoint,
                    format!(
                        "expected a list of users (user {}: {e}): {}",
                        i + 1,
                        snippet(body)
                    ),
                )
            })
        })
        .collect()
}

/// `GET /users/{id_or_username}`: the user, or `None` when the vendor does not know it.
pub(crate) fn user(
    endpoint: &str,
    http_status: u16,
    body: &str,
) -> Result<Option<Listed>, ProviderError> {
    if http_status == 404 {
        return Ok(None);
    }
    if !ok(http_status) {
        return Err(http_error(endpoint, http_status, body));
    }
    serde_json::from_str::<Json>(body)
        .and_then(listed)
        .map(Some)
        .map_err(|e| {
            envelope_error(endpoint, body).unwrap_or_else(|| {
                malformed(
                    endpoint,
                    format!("expected a user ({e}): {}", snippet(body)),
                )
            })
        })
}

/// A delete's answer: as any write's, except that the vendor's own 404 (its JSON envelope,
/// e.g. `user not found`) means done: an earlier attempt whose answer was lost deleted the
/// user. A 404 from anything else (a proxy's HTML page, an empty body) is an error.
pub(crate) fn deleted(
    endpoint: &str,
    http_status: u16,
    body: &str,
) -> Result<Applied, ProviderError> {
    let own_404 = serde_json::from_str::<Envelope>(body).is_ok_and(|e| e.status == Some(404));
    if http_status == 404 && own_404 {
        return Ok(Applied::Confirmed);
    }
    written(endpoint, http_status, body)
}

/// The answer to a write: confirmed when every status is 2xx and none is 202, accepted when
/// some platform queued it, an error naming each failing platform otherwise.
pub(crate) fn written(
    endpoint: &str,
    http_status: u16,
    body: &str,
) -> Result<Applied, ProviderError> {
    if !ok(http_status) {
        return Err(http_error(endpoint, http_status, body));
    }
    let env: Envelope = serde_json::from_str(body).map_err(|e| {
        malformed(
            endpoint,
            format!("expected the result envelope ({e}): {}", snippet(body)),
        )
    })?;
    let Some(status) = env.status else {
        return Err(malformed(
            endpoint,
            format!("the result envelope has no status: {}", snippet(body)),
        ));
    };
    let platforms = env.platforms.unwrap_or_default().0;
    let mut failed = Vec::new();
    let mut queued = Vec::new();
    for (name, result) in &platforms {
        match result.status {
            Some(202) => queued.push(name.as_str()),
            Some(s) if ok(s) => {}
            other => {
                let code = other.map_or_else(|| "no status".to_string(), |s| s.to_string());
                let why = result
                    .message
                    .as_deref()
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                failed.push(format!("platform {name} answered {code}{why}"));
            }
        }
    }
    let message = env.message.unwrap_or_default().trim().to_string();
    if !failed.is_empty() {
        let mut text = failed.join("; ");
        if !ok(status) || !message.is_empty() {
            text.push_str(&format!(" (overall {status}"));
            if !message.is_empty() {
                text.push_str(&format!(": {message}"));
            }
            text.push(')');
        }
        return Err(ProviderError::Partial {
            endpoint: endpoint.to_string(),
            message: text,
        });
    }
    if !ok(status) {
        return Err(vendor(endpoint, status, message));
    }
    if !queued.is_empty() {
        return Ok(Applied::Accepted(format!(
            "{} queued (asynchronous)",
            queued.join(", ")
        )));
    }
    if status == 202 {
        return Ok(Applied::Accepted("queued (asynchronous)".to_string()));
    }
    Ok(Applied::Confirmed)
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
