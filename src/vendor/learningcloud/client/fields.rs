//! learningCloud's user record turned into roster's fields, and roster's fields turned into
//! the `user` of a create (an update starts from the vendor's record: `record`). Pure
//! conversions: no requests, no JSON text (that is `wire`).

use std::collections::BTreeMap;

use super::wire::{UserOut, WireUser};
use crate::model::{ActualUser, Fields, Set, Value, normalise_key};
use crate::vendor::learningcloud::names;

pub(super) fn to_actual(u: WireUser) -> ActualUser {
    let mut fields = Fields::new();
    let mut text = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.insert(name, Value::Text(v));
        }
    };
    text(names::USERNAME, Some(u.username.trim().to_string()));
    text(names::EMAIL, u.email);
    text(names::NAME, u.name);
    text(names::SURNAME, u.surname);
    text(names::LANGUAGE, u.language);
    text(names::TIMEZONE, u.timezone);
    text(names::EXTERNAL_ID, u.external_id.filter(|e| !e.is_empty()));
    fields.insert(names::ENABLED, Value::Bool(u.enabled));
    let roles: Set = u
        .roles
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(section, roles)| {
            roles
                .unwrap_or_default()
                .into_iter()
                .map(move |role| format!("{section}:{role}"))
        })
        .collect();
    fields.insert(names::ROLES, Value::Set(roles));
    let extended: BTreeMap<String, String> = u
        .extended_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    fields.insert(names::EXTENDED_FIELDS, Value::Map(extended));
    ActualUser {
        id: u.id.trim().to_string(),
        key: normalise_key(&u.username),
        fields,
    }
}

/// `section:role` strings back into the vendor's map of section → roles.
fn roles_map(set: &Set) -> BTreeMap<&str, Vec<&str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for item in set {
        if let Some((section, role)) = item.split_once(':') {
            map.entry(section).or_default().push(role);
        }
    }
    map
}

fn extended_map(map: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub(super) fn text<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_text)
}

/// The `user` of a create: every managed field the manifest sets, and the password if given.
pub(super) fn create_body<'a>(fields: &'a Fields, password: Option<&'a str>) -> UserOut<'a> {
    UserOut {
        username: text(fields, names::USERNAME),
        password,
        name: text(fields, names::NAME),
        surname: text(fields, names::SURNAME),
        language: text(fields, names::LANGUAGE),
        timezone: text(fields, names::TIMEZONE),
        email: text(fields, names::EMAIL),
        enabled: match fields.get(names::ENABLED) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        },
        roles: fields
            .get(names::ROLES)
            .and_then(Value::as_set)
            .map(roles_map),
        external_id: text(fields, names::EXTERNAL_ID),
        extended_fields: match fields.get(names::EXTENDED_FIELDS) {
            Some(Value::Map(m)) => Some(extended_map(m)),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::wire;
    use super::*;

    fn actual() -> Fields {
        let wire: Vec<WireUser> = serde_json::from_str(
            r#"[{"id":"ff8081818d2e4a010000000000000001","username":"Rest.User","email":"rest@acme.example",
            "name":"Rest","surname":"User","language":"en","timezone":"Europe/Madrid","enabled":true,
            "roles":{"management":["user"],"training":null},"externalId":null,
            "extendedFields":{"costCenter":"CC-1","department":null}}]"#,
        )
        .unwrap();
        let a = to_actual(wire.into_iter().next().unwrap());
        assert_eq!(a.key, "rest.user");
        a.fields
    }

    #[test]
    fn vendor_record_into_fields() {
        let f = actual();
        assert_eq!(f["roles"], Value::set(["management:user"]));
        assert_eq!(
            f["extended_fields"],
            Value::Map([("costCenter".to_string(), "CC-1".to_string())].into())
        );
        assert!(!f.contains_key("external_id"), "null is unset");
        assert_eq!(f["enabled"], Value::Bool(true));
    }

    #[test]
    fn create_sends_every_managed_field_and_the_password() {
        let fields = Fields::from([
            ("username".to_string(), Value::text("ana")),
            ("email".to_string(), Value::text("ana@x.example")),
            ("enabled".to_string(), Value::Bool(true)),
            ("external_id".to_string(), Value::text("HR-1")),
        ]);
        let body = String::from_utf8(wire::body(&create_body(&fields, Some("pw")))).unwrap();
        assert_eq!(
            body,
            r#"{"user":{"username":"ana","password":"pw","email":"ana@x.example","enabled":true,"externalId":"HR-1"}}"#
        );
    }
}
