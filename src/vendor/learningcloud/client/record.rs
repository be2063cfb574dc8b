//! The body of a learningCloud update: the vendor's whole record as read at plan time, with
//! only the managed fields that change replaced. The documents leave open whether
//! `PUT /users/{id}` replaces the record or merges into it; this body gives the same user
//! under both, so that fields roster does not manage (phones, interests, about-me, location,
//! authSource, image, externalId, extended fields, roles, `extra`) are never lost.
//!
//! `roles` always goes as the whole map, a section that empties as `[]` (left out, a merge
//! would keep it). The password the record shows is a hash and is never sent back.
//!
//! Pure: a record and a plan's update in, JSON bytes out.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::model::Value;
use crate::plan::Update;
use crate::vendor::ProviderError;
use crate::vendor::learningcloud::names;

/// roster's field → the vendor's key, for the text fields of the record.
const TEXT: [(&str, &str); 7] = [
    (names::USERNAME, "username"),
    (names::EMAIL, "email"),
    (names::NAME, "name"),
    (names::SURNAME, "surname"),
    (names::LANGUAGE, "language"),
    (names::TIMEZONE, "timezone"),
    (names::EXTERNAL_ID, "externalId"),
];

/// The fields every update must carry, by the vendor's key.
const CORE: [&str; 6] = [
    "name", "surname", "language", "timezone", "email", "username",
];

/// Keys of the record that are never sent back.
const NOT_SENT: [&str; 1] = ["password"];

/// `{"user": record}` with the update's changes made. `record` is the vendor's JSON object.
pub(super) fn update_body(record: &str, update: &Update) -> Result<Vec<u8>, ProviderError> {
    let mut user: Map<String, Json> = serde_json::from_str(record).map_err(|_| {
        ProviderError::Invalid(format!(
            "learningcloud: the record of {} read at plan time is not a JSON object",
            update.user.key
        ))
    })?;
    for key in NOT_SENT {
        user.remove(key);
    }
    let roles = whole_roles(user.get("roles"));
    user.insert("roles".into(), Json::Object(roles));
    for c in &update.changes {
        let field = c.field.as_str();
        match (field, &c.to) {
            (f, Value::Text(v)) if TEXT.iter().any(|(n, _)| *n == f) => {
                let key = TEXT.iter().find(|(n, _)| *n == f).map_or(f, |(_, k)| *k);
                user.insert(key.into(), json!(v));
            }
            (f, Value::Bool(on)) if f == names::ENABLED => {
                user.insert("enabled".into(), json!(on));
            }
            (f, Value::Set(set)) if f == names::ROLES => {
                let old = whole_roles(user.get("roles"));
                user.insert("roles".into(), Json::Object(roles_from(set, &old)));
            }
            (f, Value::Map(map)) if f == names::EXTENDED_FIELDS => {
                let mut extended = match user.remove("extendedFields") {
                    Some(Json::Object(m)) => m,
                    _ => Map::new(),
                };
                for (k, v) in map {
                    extended.insert(k.clone(), json!(v));
                }
                user.insert("extendedFields".into(), Json::Object(extended));
            }
            (f, v) => {
                return Err(ProviderError::Invalid(format!(
                    "learningcloud cannot set {f} to {v}"
                )));
            }
        }
    }
    for key in CORE {
        let present = user
            .get(key)
            .and_then(Json::as_str)
            .is_some_and(|v| !v.trim().is_empty());
        if !present {
            return Err(ProviderError::Invalid(format!(
                "learningcloud needs {key} on every update, and neither the plan nor the vendor's record has one for {}",
                update.user.key
            )));
        }
    }
    Ok(serde_json::to_vec(&json!({ "user": user })).unwrap_or_default())
}

/// The record's role map with every section a list: null (or anything but a list of text)
/// reads as no roles.
fn whole_roles(roles: Option<&Json>) -> Map<String, Json> {
    let Some(Json::Object(map)) = roles else {
        return Map::new();
    };
    map.iter()
        .map(|(section, roles)| {
            let list: Vec<Json> = roles
                .as_array()
                .map(|a| a.iter().filter(|r| r.is_string()).cloned().collect())
                .unwrap_or_default();
            (section.clone(), Json::Array(list))
        })
        .collect()
}

/// `section:role` strings as the whole role map: every section `old` has and `set` does not
/// is sent empty.
fn roles_from(set: &crate::model::Set, old: &Map<String, Json>) -> Map<String, Json> {
    let mut by_section: BTreeMap<&str, Vec<Json>> = old
        .keys()
        .map(|section| (section.as_str(), Vec::new()))
        .collect();
    for item in set {
        if let Some((section, role)) = item.split_once(':') {
            by_section.entry(section).or_default().push(json!(role));
        }
    }
    by_section
        .into_iter()
        .map(|(section, roles)| (section.to_string(), Json::Array(roles)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{FieldChange, UserRef};

    const RECORD: &str = r#"{"id":"ff8081818d2e4a010000000000000001","commonId":"c1",
        "username":"Rest.User","email":"rest@acme.example","name":"Rest","surname":"User",
        "language":"en","timezone":"Europe/Madrid","enabled":true,
        "roles":{"management":["user"],"training":null,"play":["author"]},"externalId":null,
        "extendedFields":{"costCenter":"CC-1","department":null},"authSource":"LDAP",
        "officePhone":"+34 1","mobilePhone":null,"interests":"chess","aboutMe":"hi",
        "location":"Madrid","image":{"url":"https://img.example/1"},"extra":{"k":"v"},
        "password":"$2a$10$hash"}"#;

    fn change(field: &str, to: Value) -> FieldChange {
        FieldChange {
            user: UserRef::default(),
            field: field.into(),
            from: None,
            to,
        }
    }

    fn update(changes: Vec<FieldChange>) -> Update {
        Update {
            user: UserRef {
                key: "rest.user".into(),
                ..UserRef::default()
            },
            changes,
            actual: crate::model::Fields::new(),
        }
    }

    fn body(changes: Vec<FieldChange>) -> Json {
        let bytes = update_body(RECORD, &update(changes)).unwrap();
        serde_json::from_slice::<Json>(&bytes).unwrap()["user"].clone()
    }

    #[test]
    fn the_whole_record_goes_back_with_only_the_changes_made() {
        let sent = body(vec![change("name", Value::text("Restituta"))]);
        let mut want: Json = serde_json::from_str(RECORD).unwrap();
        want["name"] = json!("Restituta");
        want["roles"]["training"] = json!([]);
        want.as_object_mut().unwrap().remove("password");
        assert_eq!(
            sent, want,
            "every unmanaged field as read; no password hash"
        );
    }

    #[test]
    fn roles_go_whole_and_an_emptied_section_as_an_empty_list() {
        let sent = body(vec![change(
            "roles",
            Value::set(["management:admin", "social:user"]),
        )]);
        assert_eq!(
            sent["roles"],
            json!({"management": ["admin"], "training": [], "play": [], "social": ["user"]})
        );
    }

    #[test]
    fn only_the_managed_extended_fields_change_and_the_rest_stay_as_read() {
        let sent = body(vec![
            change(
                "extended_fields",
                Value::Map([("department".to_string(), "Sales".to_string())].into()),
            ),
            change("external_id", Value::text("HR-2")),
            change("enabled", Value::Bool(false)),
            change("username", Value::text("rest.user2")),
        ]);
        assert_eq!(
            sent["extendedFields"],
            json!({"costCenter": "CC-1", "department": "Sales"})
        );
        assert_eq!(
            (&sent["externalId"], &sent["enabled"], &sent["username"]),
            (&json!("HR-2"), &json!(false), &json!("rest.user2"))
        );
        assert_eq!(sent["location"], "Madrid");
    }

    #[test]
    fn a_record_without_a_core_field_is_refused_before_sending() {
        let record = RECORD.replace(r#""surname":"User","#, r#""surname":" ","#);
        let e = update_body(&record, &update(vec![change("name", Value::text("A"))])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "learningcloud needs surname on every update, and neither the plan nor the vendor's record has one for rest.user"
        );
        let e = update_body("[]", &update(Vec::new())).unwrap_err();
        assert!(e.to_string().contains("not a JSON object"), "{e}");
        let e = update_body(RECORD, &update(vec![change("groups", Value::set(["a"]))]));
        assert!(e.unwrap_err().to_string().contains("cannot set groups"));
    }
}
