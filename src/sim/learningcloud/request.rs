//! Reads the JSON bodies of the write services into the simulator's own operation types,
//! refusing malformed JSON and unknown fields with a 400 that says where.
//!
//! Only reads bodies: it neither checks headers nor looks at the world. Unknown fields are
//! refused (a misspelt `externalId` should fail loudly); `id`, `commonId`, `extra` and, on
//! update, `password` are accepted and ignored, so a user object read back can be sent.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};

use super::envelope::Refusal;
use super::ops::{Details, Image, NewUser, Profile, UserUpdate};
use super::roles::Roles;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    user: Option<WireUser>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WireUser {
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "commonId")]
    _common_id: Option<IgnoredAny>,
    username: Option<String>,
    password: Option<String>,
    name: Option<String>,
    surname: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    email: Option<String>,
    enabled: Option<bool>,
    roles: Option<Roles>,
    #[serde(default, deserialize_with = "nullable")]
    external_id: Option<Option<String>>,
    extended_fields: Option<BTreeMap<String, Option<String>>>,
    auth_source: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    office_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    mobile_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    interests: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    about_me: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    image: Option<Option<WireImage>>,
    #[serde(rename = "extra")]
    _extra: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WireImage {
    url: Option<String>,
    base64_image: Option<String>,
    mime_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PasswordBody {
    new_password: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeactivateBody {
    /// Read so that the body shape is checked; no mail is sent.
    #[serde(rename = "message")]
    _message: Option<String>,
}

/// Present-and-null becomes `Some(None)`; absent stays `None` through `#[serde(default)]`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An empty body reads as `None`.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<Option<T>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|err| Refusal::bad_request(format!("invalid JSON body: {err}")))
}

fn user(body: &[u8]) -> Result<WireUser, Refusal> {
    parse::<UserBody>(body)?
        .and_then(|b| b.user)
        .ok_or_else(|| Refusal::bad_request("user is required"))
}

/// `POST /users`.
pub(crate) fn new_user(body: &[u8]) -> Result<NewUser, Refusal> {
    let mut wire = user(body)?;
    let password = wire.password.take().filter(|p| !p.is_empty());
    let (profile, details) = split(wire)?;
    Ok(NewUser {
        profile,
        password,
        details,
    })
}

/// `PUT /users/{id}`: a `password` is ignored (changePassword is the way).
pub(crate) fn user_update(body: &[u8]) -> Result<UserUpdate, Refusal> {
    let (profile, details) = split(user(body)?)?;
    Ok(UserUpdate { profile, details })
}

/// `PUT /users/{id}/changePassword`: `{"newPassword": "..."}`; absent reads as `None`.
pub(crate) fn new_password(body: &[u8]) -> Result<Option<String>, Refusal> {
    Ok(parse::<PasswordBody>(body)?.and_then(|b| b.new_password))
}

/// `PUT /users/{id}/deactivate`: an optional `{"message": "..."}`, checked and dropped.
pub(crate) fn deactivation(body: &[u8]) -> Result<(), Refusal> {
    parse::<DeactivateBody>(body).map(drop)
}

fn split(wire: WireUser) -> Result<(Profile, Details), Refusal> {
    let image = match wire.image {
        None => None,
        Some(None) => Some(None),
        Some(Some(image)) => Some(image_of(image)?),
    };
    let profile = Profile {
        username: wire.username,
        name: wire.name,
        surname: wire.surname,
        language: wire.language,
        timezone: wire.timezone,
        email: wire.email,
    };
    let details = Details {
        enabled: wire.enabled,
        roles: wire.roles,
        external_id: wire.external_id,
        extended_fields: wire.extended_fields.unwrap_or_default(),
        auth_source: wire.auth_source,
        office_phone: wire.office_phone,
        mobile_phone: wire.mobile_phone,
        interests: wire.interests,
        about_me: wire.about_me,
        location: wire.location,
        image,
    };
    Ok((profile, details))
}

/// `{"url": ...}` or `{"base64Image": ..., "mimeType": ...}`; `{"url": null}` clears.
fn image_of(image: WireImage) -> Result<Option<Image>, Refusal> {
    match (image.url, image.base64_image, image.mime_type) {
        (Some(_), Some(_), _) => Err(Refusal::bad_request(
            "give image.url or image.base64Image, not both",
        )),
        (Some(url), None, _) => Ok(Some(Image::Url(url))),
        (None, Some(_), Some(_)) => Ok(Some(Image::Upload)),
        (None, Some(_), None) => Err(Refusal::bad_request(
            "image.mimeType is required with image.base64Image",
        )),
        (None, None, _) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_reads_every_documented_field() {
        let body = br#"{"user": {"username": "restuser.acme", "password": "pw",
            "name": "Rest", "surname": "User", "language": "en", "timezone": "Europe/Madrid",
            "email": "rest@acme.example", "enabled": false,
            "roles": {"management": ["user"], "training": ["trainer"]},
            "externalId": "HR-1", "extendedFields": {"costCenter": "CC-1", "department": null},
            "authSource": "LOCAL", "officePhone": "1", "mobilePhone": null, "interests": "x",
            "aboutMe": "y", "location": "z", "image": {"url": "https://img"}, "extra": {}}}"#;
        let new = new_user(body).unwrap();
        assert_eq!(new.profile.username.as_deref(), Some("restuser.acme"));
        assert_eq!(new.password.as_deref(), Some("pw"));
        assert_eq!(new.details.enabled, Some(false));
        assert_eq!(new.details.roles.unwrap()["training"], ["trainer"]);
        assert_eq!(new.details.external_id, Some(Some("HR-1".to_owned())));
        assert_eq!(new.details.extended_fields["department"], None);
        assert_eq!(new.details.mobile_phone, Some(None), "null is kept apart");
        assert_eq!(new.details.interests, Some(Some("x".to_owned())));
        assert_eq!(
            new.details.image,
            Some(Some(Image::Url("https://img".to_owned())))
        );
    }

    #[test]
    fn absent_optional_fields_stay_absent() {
        let update = user_update(br#"{"user": {"name": "N", "password": "ignored"}}"#).unwrap();
        assert_eq!(update.profile.name.as_deref(), Some("N"));
        assert_eq!(update.details, Details::default());
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        assert_eq!(new_user(b"").unwrap_err().message, "user is required");
        assert_eq!(
            new_user(br#"{"user": null}"#).unwrap_err().message,
            "user is required"
        );
        let err = new_user(br#"{"username": "a"}"#).unwrap_err();
        assert!(
            err.message
                .starts_with("invalid JSON body: unknown field `username`"),
            "{err}"
        );
        let err = new_user(br#"{"user": {"username": "a", "external_id": "x"}}"#).unwrap_err();
        assert!(err.message.contains("unknown field `external_id`"), "{err}");
        let err = new_user(br#"{"user": {"roles": {"management": "user"}}}"#).unwrap_err();
        assert!(
            err.message.starts_with("invalid JSON body: invalid type"),
            "{err}"
        );
        let err = new_user(br#"{"user": {"image": {"base64Image": "AAAA"}}}"#).unwrap_err();
        assert_eq!(
            err.message,
            "image.mimeType is required with image.base64Image"
        );
        assert!(new_user(b"{").is_err());
    }

    #[test]
    fn password_and_deactivation_bodies() {
        assert_eq!(
            new_password(br#"{"newPassword": "1234"}"#),
            Ok(Some("1234".to_owned()))
        );
        assert_eq!(new_password(b""), Ok(None));
        assert!(new_password(br#"{"password": "1234"}"#).is_err());
        assert!(deactivation(b"").is_ok());
        assert!(deactivation(br#"{"message": "Sorry, your user is deactivated."}"#).is_ok());
        assert!(deactivation(br#"{"reason": "x"}"#).is_err());
    }
}
