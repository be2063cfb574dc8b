//! Reads JSON request bodies (`CreateUserCommand`, `UpdateUserCommand`,
//! `BulkSoftDeleteCommand`) into the simulator's own types, refusing them the way ASP.NET
//! model binding does: 415 for another content type, 400 `ProblemDetails` naming the JSON
//! path of a syntax error or a wrongly typed field.
//!
//! Property names are matched exactly (camelCase); unknown properties are ignored. It checks
//! shapes only, not the world.

use std::fmt;

use axum::http::{HeaderMap, StatusCode, header};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};

use super::ids::Uuid;
use super::json_path::{offset_of, path_at};
use super::ops::{NewUser, UserPatch};
use super::reply::Refusal;
use super::world::UserType;

/// `CreateUserCommand`; `validatePassword` and `userLogins` are accepted and ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateUserCommand {
    id: Option<Uuid>,
    user_name: Option<String>,
    email: Option<String>,
    name: Option<String>,
    surname: Option<String>,
    display_name: Option<String>,
    #[serde(rename = "type")]
    user_type: Option<WireUserType>,
    bypass_basic_auth_restriction: Option<bool>,
    legacy_id: Option<i64>,
    invitation_accepted: Option<bool>,
    partition_global_id: Option<Uuid>,
    password: Option<String>,
    #[serde(rename = "groupIDs")]
    group_ids: Option<Vec<Uuid>>,
}

impl From<CreateUserCommand> for NewUser {
    fn from(c: CreateUserCommand) -> Self {
        Self {
            id: c.id,
            user_name: c.user_name,
            email: c.email,
            name: c.name,
            surname: c.surname,
            display_name: c.display_name,
            user_type: c.user_type.map_or(UserType::User, |t| t.0),
            password: c.password,
            group_ids: c.group_ids.unwrap_or_default(),
            legacy_id: c.legacy_id,
            bypass_basic_auth_restriction: c.bypass_basic_auth_restriction.unwrap_or(false),
            invitation_accepted: c.invitation_accepted.unwrap_or(false),
        }
    }
}

/// `UpdateUserCommand`; the extension attribute maps are accepted and ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateUserCommand {
    name: Option<String>,
    surname: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
    is_active: Option<bool>,
    password: Option<String>,
    #[serde(rename = "groupIDsToAdd")]
    group_ids_to_add: Option<Vec<Uuid>>,
    #[serde(rename = "groupIDsToRemove")]
    group_ids_to_remove: Option<Vec<Uuid>>,
    bypass_basic_auth_restriction: Option<bool>,
    invitation_accepted: Option<bool>,
}

impl From<UpdateUserCommand> for UserPatch {
    fn from(c: UpdateUserCommand) -> Self {
        Self {
            name: c.name,
            surname: c.surname,
            display_name: c.display_name,
            email: c.email,
            is_active: c.is_active,
            password: c.password,
            group_ids_to_add: c.group_ids_to_add.unwrap_or_default(),
            group_ids_to_remove: c.group_ids_to_remove.unwrap_or_default(),
            bypass_basic_auth_restriction: c.bypass_basic_auth_restriction,
            invitation_accepted: c.invitation_accepted,
        }
    }
}

/// `BulkSoftDeleteCommand`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BulkSoftDeleteCommand {
    partition_global_id: Option<Uuid>,
    pub(crate) user_ids: Option<Vec<Uuid>>,
}

/// A command that names the organisation's partition (which it must, as its own).
pub(crate) trait Partitioned {
    fn partition(&self) -> Option<Uuid>;
}

impl Partitioned for CreateUserCommand {
    fn partition(&self) -> Option<Uuid> {
        self.partition_global_id
    }
}

impl Partitioned for BulkSoftDeleteCommand {
    fn partition(&self) -> Option<Uuid> {
        self.partition_global_id
    }
}

/// A `UserType` given as its number or its name (any case), as .NET's converters accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WireUserType(UserType);

impl<'de> Deserialize<'de> for WireUserType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect;
        impl Visitor<'_> for Expect {
            type Value = WireUserType;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a UserType number (0 to 5) or name")
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                UserType::ALL
                    .into_iter()
                    .find(|t| u64::from(*t as u8) == n)
                    .map(WireUserType)
                    .ok_or_else(|| E::custom(format!("{n} is not a UserType")))
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                let n =
                    u64::try_from(n).map_err(|_| E::custom(format!("{n} is not a UserType")))?;
                self.visit_u64(n)
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                UserType::from_name(text)
                    .map(WireUserType)
                    .ok_or_else(|| E::custom(format!("'{text}' is not a UserType")))
            }
        }
        deserializer.deserialize_any(Expect)
    }
}

/// Whether `headers` declare a JSON body (`application/json`, `text/json`, `*/*+json`).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let media = value.split(';').next().unwrap_or_default().trim();
    let media = media.to_ascii_lowercase();
    media == "application/json" || media == "text/json" || media.ends_with("+json")
}

/// Reads a JSON body into `T`.
pub(crate) fn parse<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, Refusal> {
    if !is_json(headers) {
        return Err(Refusal::Status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::invalid(
            "",
            "A non-empty request body is required.",
        ));
    }
    serde_json::from_slice(bytes).map_err(|err| {
        let (line, column) = (err.line(), err.column());
        let path = path_at(bytes, offset_of(bytes, line, column));
        let what = match err.classify() {
            serde_json::error::Category::Eof => "Unexpected end when reading JSON".to_owned(),
            serde_json::error::Category::Syntax => {
                let at = offset_of(bytes, line, column).saturating_sub(1);
                let found = bytes.get(at).map_or('?', |b| char::from(*b));
                format!("Unexpected character encountered while parsing value: {found}")
            }
            serde_json::error::Category::Data | serde_json::error::Category::Io => {
                let text = err.to_string();
                let message = text
                    .rsplit_once(" at line ")
                    .map_or(text.as_str(), |(m, _)| m);
                format!("Could not convert the value to the expected type ({message})")
            }
        };
        let message = format!("{what}. Path '{path}', line {line}, position {column}.");
        Refusal::invalid(&path, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_static("application/json; charset=utf-8");
        headers.insert(header::CONTENT_TYPE, value);
        headers
    }

    fn refusal<T: DeserializeOwned + fmt::Debug>(text: &str) -> (String, String) {
        let err = parse::<T>(&json_headers(), text.as_bytes()).unwrap_err();
        let Refusal::Invalid(errors) = err else {
            panic!("expected a validation problem, got {err:?}");
        };
        let (path, messages) = errors.into_iter().next().unwrap();
        (path, messages[0].clone())
    }

    #[test]
    fn reads_a_create_command_with_type_as_number_or_name() {
        let text = r#"{"email":"a@x.com","type":4,"partitionGlobalId":"6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
            "groupIDs":["0e5e0000-0000-4000-8000-000000000001"],"userLogins":null,"extra":1}"#;
        let command: CreateUserCommand = parse(&json_headers(), text.as_bytes()).unwrap();
        assert!(command.partition_global_id.is_some());
        let new = NewUser::from(command);
        assert_eq!(new.user_type, UserType::RobotAccount);
        assert_eq!(new.group_ids.len(), 1);
        let named: CreateUserCommand =
            parse(&json_headers(), br#"{"type":"directoryUser"}"#).unwrap();
        assert_eq!(NewUser::from(named).user_type, UserType::DirectoryUser);
    }

    #[test]
    fn nulls_leave_update_fields_unset() {
        let text = br#"{"name":null,"isActive":false,"groupIDsToAdd":null}"#;
        let command: UpdateUserCommand = parse(&json_headers(), text).unwrap();
        let patch = UserPatch::from(command);
        assert_eq!(patch.name, None);
        assert_eq!(patch.is_active, Some(false));
        assert!(patch.group_ids_to_add.is_empty());
    }

    #[test]
    fn syntax_errors_name_the_property_like_the_docs() {
        let (path, message) =
            refusal::<UpdateUserCommand>(r#"{"name":"x","bypassBasicAuthRestriction": hello}"#);
        assert_eq!(path, "bypassBasicAuthRestriction");
        assert!(
            message.starts_with("Unexpected character encountered while parsing value: h. Path 'bypassBasicAuthRestriction', line 1, position"),
            "{message}"
        );
    }

    #[test]
    fn type_errors_name_the_property_and_array_index() {
        let (path, message) = refusal::<UpdateUserCommand>("{\n  \"isActive\": \"yes\"\n}");
        assert_eq!(path, "isActive");
        assert!(message.contains("line 2"), "{message}");
        let (path, message) = refusal::<UpdateUserCommand>(
            r#"{"groupIDsToAdd":["0e5e0000-0000-4000-8000-000000000001", "gryff-01"]}"#,
        );
        assert_eq!(path, "groupIDsToAdd[1]");
        assert!(message.contains("'gryff-01'"), "{message}");
        let (path, _) = refusal::<CreateUserCommand>(r#"{"type":"admin"}"#);
        assert_eq!(path, "type");
        let (path, _) = refusal::<CreateUserCommand>(r#"{"type":9}"#);
        assert_eq!(path, "type");
    }

    #[test]
    fn empty_truncated_and_non_object_bodies() {
        let (path, message) = refusal::<UpdateUserCommand>("  ");
        assert_eq!(
            (path.as_str(), message.as_str()),
            ("", "A non-empty request body is required.")
        );
        let (path, message) = refusal::<UpdateUserCommand>(r#"{"name": "An"#);
        assert_eq!(path, "name");
        assert!(
            message.starts_with("Unexpected end when reading JSON"),
            "{message}"
        );
        let (path, _) = refusal::<UpdateUserCommand>("[1]");
        assert_eq!(path, "[0]");
    }

    #[test]
    fn other_content_types_are_unsupported() {
        let mut headers = HeaderMap::new();
        let err = parse::<UpdateUserCommand>(&headers, b"{}").unwrap_err();
        assert_eq!(err, Refusal::Status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        let form = HeaderValue::from_static("application/x-www-form-urlencoded");
        headers.insert(header::CONTENT_TYPE, form);
        assert!(parse::<UpdateUserCommand>(&headers, b"{}").is_err());
        let problem = HeaderValue::from_static("application/merge-patch+json");
        headers.insert(header::CONTENT_TYPE, problem);
        assert!(parse::<UpdateUserCommand>(&headers, b"{}").is_ok());
    }
}
