//! learningCloud's user record turned into roster's fields, and roster's fields turned into
//! the `user` of a create or an update (the core fields always, the optional ones only when
//! they change). Pure conversions: no requests, no JSON text (that is `wire`).

use std::collections::{BTreeMap, BTreeSet};

use super::CORE;
use super::wire::{UserOut, WireUser};
use crate::model::{ActualUser, Value, normalise_key};
use crate::plan::Update;
use crate::vendor::ProviderError;
use crate::vendor::learningcloud::names;

pub(super) fn to_actual(u: WireUser) -> ActualUser {
    let mut fields = BTreeMap::new();
    let mut text = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.insert(name.to_string(), Value::Text(v));
        }
    };
    text(names::USERNAME, Some(u.username.trim().to_string()));
    text(names::EMAIL, u.email);
    text(names::NAME, u.name);
    text(names::SURNAME, u.surname);
    text(names::LANGUAGE, u.language);
    text(names::TIMEZONE, u.timezone);
    text(names::EXTERNAL_ID, u.external_id.filter(|e| !e.is_empty()));
    fields.insert(names::ENABLED.to_string(), Value::Bool(u.enabled));
    let roles: BTreeSet<String> = u
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
    fields.insert(names::ROLES.to_string(), Value::Set(roles));
    let extended: BTreeMap<String, String> = u
        .extended_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    fields.insert(names::EXTENDED_FIELDS.to_string(), Value::Map(extended));
    ActualUser {
        id: u.id.trim().to_string(),
        key: normalise_key(&u.username),
        fields,
    }
}

/// `section:role` strings back into the vendor's map of section → roles.
fn roles_map(set: &BTreeSet<String>) -> BTreeMap<&str, Vec<&str>> {
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

pub(super) fn text<'a>(fields: &'a BTreeMap<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_text)
}

/// The `user` of a create: every managed field the manifest sets, and the password if given.
pub(super) fn create_body<'a>(
    fields: &'a BTreeMap<String, Value>,
    password: Option<&'a str>,
) -> UserOut<'a> {
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

/// The `user` of an update: the core fields always (changed ones from the plan, the others
/// from the vendor's record), plus the optional fields that change.
pub(super) fn update_body(update: &Update) -> Result<UserOut<'_>, ProviderError> {
    let mut out = UserOut::default();
    for c in &update.changes {
        let field = c.field.as_str();
        match (field, &c.to) {
            (f, Value::Text(_)) if CORE.contains(&f) => {}
            (f, Value::Bool(on)) if f == names::ENABLED => out.enabled = Some(*on),
            (f, Value::Set(set)) if f == names::ROLES => out.roles = Some(roles_map(set)),
            (f, Value::Text(id)) if f == names::EXTERNAL_ID => out.external_id = Some(id),
            (f, Value::Map(map)) if f == names::EXTENDED_FIELDS => {
                out.extended_fields = Some(extended_map(map));
            }
            (f, v) => {
                return Err(ProviderError::Invalid(format!(
                    "learningcloud cannot set {f} to {v}"
                )));
            }
        }
    }
    let core = |field: &str| -> Result<&str, ProviderError> {
        update
            .changes
            .iter()
            .find(|c| c.field == field)
            .map(|c| &c.to)
            .or_else(|| update.actual.get(field))
            .and_then(Value::as_text)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                ProviderError::Invalid(format!(
                    "learningcloud needs {field} on every update, and neither the plan nor the vendor's record has one for {}",
                    update.user.key
                ))
            })
    };
    out.name = Some(core(names::NAME)?);
    out.surname = Some(core(names::SURNAME)?);
    out.language = Some(core(names::LANGUAGE)?);
    out.timezone = Some(core(names::TIMEZONE)?);
    out.email = Some(core(names::EMAIL)?);
    out.username = Some(core(names::USERNAME)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::wire;
    use super::*;
    use crate::plan::{FieldChange, UserRef};

    fn actual() -> BTreeMap<String, Value> {
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

    fn change(field: &str, to: Value) -> FieldChange {
        FieldChange {
            user: UserRef::default(),
            field: field.into(),
            from: None,
            to,
        }
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
    fn update_resends_the_core_fields_and_only_the_changed_others() {
        let update = Update {
            user: UserRef::default(),
            changes: vec![
                change("username", Value::text("rest.user2")),
                change(
                    "roles",
                    Value::set(["management:admin", "training:trainer"]),
                ),
                change(
                    "extended_fields",
                    Value::Map([("department".to_string(), "Sales".to_string())].into()),
                ),
                change("enabled", Value::Bool(false)),
            ],
            actual: actual(),
        };
        let body = String::from_utf8(wire::body(&update_body(&update).unwrap())).unwrap();
        assert_eq!(
            body,
            r#"{"user":{"username":"rest.user2","name":"Rest","surname":"User","language":"en","timezone":"Europe/Madrid","email":"rest@acme.example","enabled":false,"roles":{"management":["admin"],"training":["trainer"]},"extendedFields":{"department":"Sales"}}}"#
        );
    }

    #[test]
    fn update_without_a_core_field_is_refused_before_sending() {
        let mut record = actual();
        record.remove("surname");
        let update = Update {
            user: UserRef {
                key: "rest.user".into(),
                ..UserRef::default()
            },
            changes: vec![change("name", Value::text("Ana"))],
            actual: record,
        };
        let e = update_body(&update).unwrap_err();
        assert_eq!(
            e.to_string(),
            "learningcloud needs surname on every update, and neither the plan nor the vendor's record has one for rest.user"
        );
    }

    #[test]
    fn create_sends_every_managed_field_and_the_password() {
        let fields = BTreeMap::from([
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
