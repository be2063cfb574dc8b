//! A user as learningCloud's Get/List services show it: camelCase fields, every configured
//! extended field (null when unset), `image` and `extra` objects, and a bcrypt-looking
//! `password` hash instead of the password.
//!
//! Shapes JSON only; it changes nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ids;
use super::roles::Roles;
use super::world::{User, World};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserOut<'a> {
    id: &'a str,
    common_id: &'a str,
    username: &'a str,
    email: Option<&'a str>,
    name: Option<&'a str>,
    surname: Option<&'a str>,
    language: Option<&'a str>,
    timezone: Option<&'a str>,
    enabled: bool,
    roles: &'a Roles,
    external_id: Option<&'a str>,
    extended_fields: BTreeMap<&'a str, Option<&'a str>>,
    auth_source: &'a str,
    office_phone: Option<&'a str>,
    mobile_phone: Option<&'a str>,
    interests: Option<&'a str>,
    about_me: Option<&'a str>,
    location: Option<&'a str>,
    image: ImageOut<'a>,
    extra: BTreeMap<&'a str, &'a str>,
    password: String,
}

#[derive(Debug, Serialize)]
struct ImageOut<'a> {
    url: Option<&'a str>,
}

pub(crate) fn user<'a>(world: &'a World, user: &'a User) -> UserOut<'a> {
    let extended_fields = world
        .extended_fields
        .iter()
        .map(|key| {
            (
                key.as_str(),
                user.extended_fields.get(key).map(String::as_str),
            )
        })
        .collect();
    UserOut {
        id: &user.id,
        common_id: &user.common_id,
        username: &user.username,
        email: user.email.as_deref(),
        name: user.name.as_deref(),
        surname: user.surname.as_deref(),
        language: user.language.as_deref(),
        timezone: user.timezone.as_deref(),
        enabled: user.enabled,
        roles: &user.roles,
        external_id: user.external_id.as_deref(),
        extended_fields,
        auth_source: &user.auth_source,
        office_phone: user.office_phone.as_deref(),
        mobile_phone: user.mobile_phone.as_deref(),
        interests: user.interests.as_deref(),
        about_me: user.about_me.as_deref(),
        location: user.location.as_deref(),
        image: ImageOut {
            url: user.image_url.as_deref(),
        },
        extra: BTreeMap::new(),
        password: ids::password_hash(&user.id, user.password.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::ops::NewUser;
    use super::*;

    #[test]
    fn shows_every_field_and_hides_the_password() {
        let mut world = World::default();
        let mut new = NewUser::default();
        new.profile.username = Some("restuser.acme".to_owned());
        new.password = Some("plain-secret".to_owned());
        new.details.extended_fields =
            BTreeMap::from([("costCenter".to_owned(), Some("CC-1".to_owned()))]);
        let id = world.create_user(new).unwrap();
        let shown = serde_json::to_value(user(&world, world.get(&id).unwrap())).unwrap();
        let password = shown["password"].as_str().unwrap().to_owned();
        assert!(password.starts_with("$2a$10$") && !password.contains("plain-secret"));
        let want = json!({
            "id": id, "commonId": ids::common_id(1), "username": "restuser.acme",
            "email": null, "name": null, "surname": null, "language": null, "timezone": null,
            "enabled": true, "roles": {"management": ["user"]}, "externalId": null,
            "extendedFields": {"costCenter": "CC-1", "department": null},
            "authSource": "LOCAL", "officePhone": null, "mobilePhone": null, "interests": null,
            "aboutMe": null, "location": null, "image": {"url": null}, "extra": {},
            "password": password,
        });
        assert_eq!(shown, want);
    }
}
