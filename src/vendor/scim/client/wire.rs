//! SCIM's JSON as roster reads it: list responses, users, groups, the service provider
//! config, and error bodies (`status` as a string or a number, `scimType`, `detail`).
//!
//! Attribute names are case-insensitive (RFC 7643 §2.1), so every answer is read with its
//! keys lower-cased first; booleans may arrive as strings (`"True"`). Malformed JSON or an
//! HTML page is an error, never "no users". Request bodies are built in `body`.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::Value as Json;

use crate::vendor::ProviderError;
use crate::vendor::clean::snippet;

/// The schema URN of SCIM error bodies.
const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:error";

/// `value` with every object key lower-cased, at every depth.
pub(crate) fn lower_keys(value: Json) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lower_keys(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.into_iter().map(lower_keys).collect()),
        other => other,
    }
}

fn malformed(endpoint: &str, detail: String) -> ProviderError {
    ProviderError::Malformed {
        endpoint: endpoint.to_string(),
        detail,
    }
}

/// A boolean, or a string spelling one in any case (`"True"`, `"false"`).
fn flex_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(b)),
        Some(Json::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Json::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(D::Error::custom("expected a boolean")),
    }
}

/// Text, or a number read as its digits (ids and member values).
fn flex_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(Json::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(D::Error::custom("expected text")),
    }
}

/// A whole number, or text spelling one.
fn flex_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected a whole number")),
        Some(Json::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom("expected a whole number")),
        Some(_) => Err(D::Error::custom("expected a whole number")),
    }
}

fn required_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    flex_text(d)?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| D::Error::custom("empty id"))
}

/// A `ListResponse`; its resources are read one by one by the caller.
#[derive(Debug, Deserialize)]
pub(crate) struct ListResponse {
    #[serde(default, rename = "totalresults", deserialize_with = "flex_number")]
    pub total_results: Option<u64>,
    #[serde(default)]
    pub resources: Option<Vec<Json>>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireUser {
    #[serde(deserialize_with = "required_id")]
    pub id: String,
    #[serde(default, rename = "username")]
    pub user_name: Option<String>,
    #[serde(default)]
    pub name: Option<WireName>,
    #[serde(default, rename = "displayname")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub emails: Option<Vec<WireEmail>>,
    #[serde(default, deserialize_with = "flex_bool")]
    pub active: Option<bool>,
    #[serde(default, rename = "externalid")]
    pub external_id: Option<String>,
    #[serde(
        default,
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"
    )]
    pub enterprise: Option<WireEnterprise>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireName {
    #[serde(default, rename = "givenname")]
    pub given_name: Option<String>,
    #[serde(default, rename = "familyname")]
    pub family_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireEmail {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "flex_bool")]
    pub primary: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireEnterprise {
    #[serde(default, rename = "employeenumber")]
    pub employee_number: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default, rename = "costcenter")]
    pub cost_center: Option<String>,
    /// `{"value": id}`; a bare id from servers of older drafts.
    #[serde(default)]
    pub manager: Option<Json>,
}

impl WireEnterprise {
    pub(crate) fn manager_id(&self) -> Option<String> {
        match &self.manager {
            Some(Json::String(s)) => Some(s.clone()),
            Some(Json::Object(m)) => match m.get("value") {
                Some(Json::String(s)) => Some(s.clone()),
                Some(Json::Number(n)) => Some(n.to_string()),
                _ => None,
            },
            _ => None,
        }
    }
}

impl WireUser {
    /// The e-mail roster manages: the primary one; else the first work e-mail; else the first.
    pub(crate) fn email(&self) -> Option<&str> {
        let emails: Vec<(&WireEmail, &str)> = self
            .emails
            .iter()
            .flatten()
            .filter_map(|e| Some((e, e.value.as_deref()?.trim())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let work = |e: &&(&WireEmail, &str)| {
            e.0.kind
                .as_deref()
                .is_some_and(|k| k.trim().eq_ignore_ascii_case("work"))
        };
        emails
            .iter()
            .find(|(e, _)| e.primary == Some(true))
            .or_else(|| emails.iter().find(work))
            .or_else(|| emails.first())
            .map(|(_, v)| *v)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireGroup {
    #[serde(deserialize_with = "required_id")]
    pub id: String,
    #[serde(default, rename = "displayname")]
    pub display_name: Option<String>,
    /// Absent when the server leaves members out (of a list, or because there are none).
    #[serde(default)]
    pub members: Option<Vec<WireMember>>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireMember {
    #[serde(default, deserialize_with = "flex_text")]
    pub value: Option<String>,
}

/// `/ServiceProviderConfig`, the parts roster adapts to.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ServiceProviderConfig {
    #[serde(default)]
    pub patch: Option<Feature>,
    #[serde(default)]
    pub filter: Option<Feature>,
    #[serde(default)]
    pub etag: Option<Feature>,
    #[serde(default)]
    pub bulk: Option<Feature>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Feature {
    #[serde(default, deserialize_with = "flex_bool")]
    pub supported: Option<bool>,
    #[serde(default, rename = "maxresults", deserialize_with = "flex_number")]
    pub max_results: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    schemas: Option<Vec<Json>>,
    #[serde(default, deserialize_with = "flex_text")]
    status: Option<String>,
    #[serde(default, rename = "scimtype")]
    scim_type: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    /// Whether `schemas` names the SCIM error schema.
    #[serde(skip)]
    marked: bool,
}

fn error_body(body: &str) -> Option<ErrorBody> {
    let json = lower_keys(serde_json::from_str::<Json>(body).ok()?);
    let mut e: ErrorBody = serde_json::from_value(json).ok()?;
    e.marked = e.schemas.iter().flatten().any(|s| {
        s.as_str()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case(ERROR_URN))
    });
    (e.marked || e.status.is_some() || e.detail.is_some() || e.scim_type.is_some()).then_some(e)
}

/// The readable line of an error answer: `scimType: detail`, or a glimpse of what came.
pub(crate) fn error_message(body: &str) -> String {
    let Some(e) = error_body(body) else {
        return if body.trim().is_empty() {
            "no details".into()
        } else {
            format!("not a SCIM error: {}", snippet(body))
        };
    };
    let field = |f: Option<String>| f.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    match (field(e.scim_type), field(e.detail)) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(t), None) => t,
        (None, Some(d)) => d,
        (None, None) => "no details".into(),
    }
}

/// The `scimType` of an error answer, lower-cased, when it has one.
pub(crate) fn scim_type(body: &str) -> Option<String> {
    error_body(body)?.scim_type.map(|t| t.trim().to_lowercase())
}

/// Fails on a non-2xx status with the server's message.
pub(crate) fn check_status(endpoint: &str, status: u16, body: &str) -> Result<(), ProviderError> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    Err(ProviderError::Vendor {
        endpoint: endpoint.to_string(),
        status,
        message: error_message(body),
    })
}

/// A successful answer's JSON document, keys lower-cased.
pub(crate) fn document(endpoint: &str, status: u16, body: &str) -> Result<Json, ProviderError> {
    check_status(endpoint, status, body)?;
    let json: Json = serde_json::from_str(body)
        .map_err(|e| malformed(endpoint, format!("{e}: {}", snippet(body))))?;
    if !json.is_object() {
        return Err(malformed(
            endpoint,
            format!("expected a JSON object: {}", snippet(body)),
        ));
    }
    Ok(lower_keys(json))
}

/// A successful write's answer: its document, or `None` for an empty body (204).
pub(crate) fn written(
    endpoint: &str,
    status: u16,
    body: &str,
) -> Result<Option<Json>, ProviderError> {
    check_status(endpoint, status, body)?;
    if body.trim().is_empty() {
        return Ok(None);
    }
    document(endpoint, status, body).map(Some)
}

/// One resource of a document, as `T`.
pub(crate) fn read<T: DeserializeOwned>(
    endpoint: &str,
    what: &str,
    json: Json,
) -> Result<T, ProviderError> {
    serde_json::from_value(json).map_err(|e| malformed(endpoint, format!("{what}: {e}")))
}

/// A delete's answer: done on 2xx, and on the server's own 404 (a SCIM error body: an earlier
/// attempt whose answer was lost deleted the user). A 404 from anything else (a proxy's page,
/// an empty body from a wrong path) is an error.
pub(crate) fn deleted(endpoint: &str, status: u16, body: &str) -> Result<(), ProviderError> {
    let own = error_body(body)
        .is_some_and(|e| e.marked || e.status.as_deref().map(str::trim) == Some("404"));
    if status == 404 && own {
        return Ok(());
    }
    check_status(endpoint, status, body)
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
