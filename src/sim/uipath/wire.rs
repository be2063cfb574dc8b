//! The JSON the simulator answers with: `UserDto`, `GroupDto`, the paged user list,
//! `IdentityResult`, ASP.NET's `ProblemDetails`, and the OAuth token answers. camelCase,
//! enums as numbers, as the real service writes them.
//!
//! Shapes only, built from the world; requests are read in `body.rs`. Shares nothing with
//! the roster client in `provider`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::clock::Timestamp;
use super::ids::{Uuid, random_u64};
use super::ops::IdentityError;
use super::world::{Group, User};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserDto<'a> {
    id: Uuid,
    user_name: &'a str,
    email: Option<&'a str>,
    email_confirmed: bool,
    name: Option<&'a str>,
    surname: Option<&'a str>,
    display_name: Option<&'a str>,
    creation_time: Timestamp,
    last_modification_time: Option<Timestamp>,
    last_login_time: Option<Timestamp>,
    #[serde(rename = "groupIDs")]
    group_ids: &'a [Uuid],
    legacy_id: i64,
    is_active: bool,
    bypass_basic_auth_restriction: bool,
    #[serde(rename = "type")]
    user_type: u8,
    invitation_accepted: bool,
}

impl<'a> From<&'a User> for UserDto<'a> {
    fn from(user: &'a User) -> Self {
        Self {
            id: user.id,
            user_name: &user.user_name,
            email: user.email.as_deref(),
            email_confirmed: user.email_confirmed,
            name: user.name.as_deref(),
            surname: user.surname.as_deref(),
            display_name: user.display_name.as_deref(),
            creation_time: user.creation_time,
            last_modification_time: user.last_modification_time,
            last_login_time: user.last_login_time,
            group_ids: &user.group_ids,
            legacy_id: user.legacy_id,
            is_active: user.is_active,
            bypass_basic_auth_restriction: user.bypass_basic_auth_restriction,
            user_type: user.user_type as u8,
            invitation_accepted: user.invitation_accepted,
        }
    }
}

/// `UserDtoPagedResultDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserPage<'a> {
    pub(crate) total_count: usize,
    pub(crate) results: Vec<UserDto<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupDto<'a> {
    id: Uuid,
    name: Option<&'a str>,
    display_name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: u8,
    creation_time: Timestamp,
    last_modification_time: Option<Timestamp>,
    /// Only `GET /api/Group/{pgid}/{groupId}` fills it; the list leaves it null.
    members: Option<Vec<()>>,
}

impl<'a> From<&'a Group> for GroupDto<'a> {
    fn from(group: &'a Group) -> Self {
        Self {
            id: group.id,
            name: group.name.as_deref(),
            display_name: group.name.as_deref(),
            kind: group.kind as u8,
            creation_time: group.creation_time,
            last_modification_time: group.last_modification_time,
            members: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct IdentityResult<'a> {
    succeeded: bool,
    errors: Vec<IdentityErrorDto<'a>>,
}

#[derive(Debug, Serialize)]
struct IdentityErrorDto<'a> {
    code: &'a str,
    description: &'a str,
}

impl<'a> IdentityResult<'a> {
    pub(crate) fn success() -> Self {
        Self {
            succeeded: true,
            errors: Vec::new(),
        }
    }

    pub(crate) fn failure(errors: &'a [IdentityError]) -> Self {
        let errors = errors
            .iter()
            .map(|e| IdentityErrorDto {
                code: e.code,
                description: &e.description,
            })
            .collect();
        Self {
            succeeded: false,
            errors,
        }
    }
}

/// ASP.NET Core's RFC 7807 answer; `errors` only for validation problems.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProblemDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<BTreeMap<String, Vec<String>>>,
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    trace_id: String,
}

impl ProblemDetails {
    /// The problem ASP.NET writes for `status`; with `errors`, a validation problem.
    pub(crate) fn new(status: u16, errors: Option<BTreeMap<String, Vec<String>>>) -> Self {
        const RFC7231: &str = "https://tools.ietf.org/html/rfc7231#section-";
        let (section, title) = match status {
            400 if errors.is_some() => ("6.5.1", "One or more validation errors occurred."),
            400 => ("6.5.1", "Bad Request"),
            403 => ("6.5.3", "Forbidden"),
            404 => ("6.5.4", "Not Found"),
            405 => ("6.5.5", "Method Not Allowed"),
            415 => ("6.5.13", "Unsupported Media Type"),
            429 => ("", "Too Many Requests"),
            502 => ("6.6.3", "Bad Gateway"),
            503 => ("6.6.4", "Service Unavailable"),
            504 => ("6.6.5", "Gateway Timeout"),
            _ => ("6.6.1", "An error occurred while processing your request."),
        };
        let kind = if section.is_empty() {
            "https://tools.ietf.org/html/rfc6585#section-4".to_owned()
        } else {
            format!("{RFC7231}{section}")
        };
        let trace_id = format!(
            "00-{:016x}{:016x}-{:016x}-00",
            random_u64(),
            random_u64(),
            random_u64()
        );
        Self {
            errors,
            kind,
            title,
            status,
            detail: None,
            trace_id,
        }
    }

    pub(crate) fn with_detail(mut self, detail: &str) -> Self {
        self.detail = Some(detail.to_owned());
        self
    }
}

/// A successful client-credentials answer.
#[derive(Debug, Serialize)]
pub(crate) struct TokenGranted {
    pub(crate) access_token: String,
    pub(crate) expires_in: u64,
    pub(crate) token_type: &'static str,
    pub(crate) scope: String,
}

/// A refused token request.
#[derive(Debug, Serialize)]
pub(crate) struct TokenRefused {
    pub(crate) error: String,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::sim::uipath::world::{GroupKind, UserType, World};

    #[test]
    fn user_dto_is_camel_case_with_numeric_type() {
        let mut world = World::default();
        let new = crate::sim::uipath::ops::NewUser {
            email: Some("ana@example.com".to_owned()),
            user_type: UserType::RobotAccount,
            ..Default::default()
        };
        let id = world
            .create_user(new, crate::sim::uipath::clock::SEED_EPOCH, Uuid::derived(1))
            .unwrap();
        let json = serde_json::to_value(UserDto::from(world.user(id).unwrap())).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 16, "{keys:?}");
        assert_eq!(json["type"], 4);
        assert_eq!(
            json["groupIDs"],
            json!([world.everyone().unwrap().to_string()])
        );
        assert_eq!(json["creationTime"], "2024-01-01T00:00:00.0000000Z");
        assert_eq!(json["lastLoginTime"], Value::Null);
        assert_eq!(json["surname"], Value::Null);
        assert_eq!(json["isActive"], true);
        assert_eq!(json["legacyId"], 1);
    }

    #[test]
    fn group_dto_has_numeric_type_and_null_members() {
        let world = World::default();
        let json = serde_json::to_value(GroupDto::from(&world.groups[0])).unwrap();
        assert_eq!(json["type"], GroupKind::BuiltIn as u8);
        assert_eq!(json["type"], 0);
        assert_eq!(json["name"], "Everyone");
        assert_eq!(json["displayName"], "Everyone");
        assert_eq!(json["members"], Value::Null);
    }

    #[test]
    fn problem_details_look_like_aspnet() {
        let errors = BTreeMap::from([("top".to_owned(), vec!["bad".to_owned()])]);
        let json = serde_json::to_value(ProblemDetails::new(400, Some(errors))).unwrap();
        assert_eq!(json["title"], "One or more validation errors occurred.");
        assert_eq!(
            json["type"],
            "https://tools.ietf.org/html/rfc7231#section-6.5.1"
        );
        assert_eq!(json["status"], 400);
        assert_eq!(json["errors"]["top"][0], "bad");
        let trace = json["traceId"].as_str().unwrap();
        assert!(
            trace.starts_with("00-") && trace.ends_with("-00") && trace.len() == 55,
            "{trace}"
        );
        let json = serde_json::to_value(ProblemDetails::new(404, None)).unwrap();
        assert_eq!(json["title"], "Not Found");
        assert!(json.get("errors").is_none());
    }

    #[test]
    fn identity_results_serialise_both_ways() {
        let ok = serde_json::to_string(&IdentityResult::success()).unwrap();
        assert_eq!(ok, r#"{"succeeded":true,"errors":[]}"#);
        let errors = [IdentityError {
            code: "DuplicateUserName",
            description: "User name 'x' is already taken.".to_owned(),
        }];
        let failed = serde_json::to_string(&IdentityResult::failure(&errors)).unwrap();
        assert_eq!(
            failed,
            r#"{"succeeded":false,"errors":[{"code":"DuplicateUserName","description":"User name 'x' is already taken."}]}"#
        );
    }
}
