//! A resource as a client sends it (POST, PUT, a PATCH value), turned into the world's form:
//! attribute names in any case become the schema's spelling, values are checked against
//! their type (a boolean may come as `"True"`, as some clients send it), read-only
//! attributes and attributes the schema does not have are ignored, and null means unset.
//!
//! Pure; the simulator's own reading, sharing nothing with the client's wire code.

use serde_json::{Map, Value as Json};

use super::error::Refusal;
use super::schema::{self, Attr, ENTERPRISE_URN, Mutability, Ty};
use super::world::Kind;

/// The attributes of a resource type.
pub(crate) fn attributes(kind: Kind) -> &'static [Attr] {
    match kind {
        Kind::User => schema::USER,
        Kind::Group => schema::GROUP,
    }
}

fn invalid(detail: String) -> Refusal {
    Refusal::bad("invalidValue", detail)
}

/// One value of `attr`, checked and with its sub-attributes spelt as the schema spells them.
pub(crate) fn value(attr: &Attr, v: &Json) -> Result<Json, Refusal> {
    if attr.multi {
        let items = match v {
            Json::Array(items) => items.clone(),
            single => vec![single.clone()],
        };
        let checked: Result<Vec<Json>, Refusal> = items
            .iter()
            .filter(|i| !i.is_null())
            .map(|i| single(attr, i))
            .collect();
        return checked.map(Json::Array);
    }
    single(attr, v)
}

fn single(attr: &Attr, v: &Json) -> Result<Json, Refusal> {
    match (attr.ty, v) {
        (Ty::String | Ty::Reference, Json::String(_)) => Ok(v.clone()),
        (Ty::Boolean, Json::Bool(_)) => Ok(v.clone()),
        (Ty::Boolean, Json::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Json::Bool(true)),
        (Ty::Boolean, Json::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Json::Bool(false)),
        (Ty::Complex, Json::Object(m)) => complex(attr.sub, m).map(Json::Object),
        _ => Err(invalid(format!(
            "{} has a value of the wrong type",
            attr.name
        ))),
    }
}

/// The members of a complex value that `sub` names, checked; the others are ignored.
pub(crate) fn complex(sub: &[Attr], m: &Map<String, Json>) -> Result<Map<String, Json>, Refusal> {
    let mut out = Map::new();
    for (k, v) in m {
        let Some(a) = schema::find(sub, k) else {
            continue;
        };
        if v.is_null() || a.mutability == Mutability::ReadOnly {
            continue;
        }
        out.insert(a.name.to_string(), value(a, v)?);
    }
    Ok(out)
}

/// Whether `key` names the enterprise extension, in any case.
pub(crate) fn is_enterprise(key: &str) -> bool {
    key.eq_ignore_ascii_case(ENTERPRISE_URN)
}

/// A whole resource as a client sends it, in the world's form. The naming attribute
/// (`userName`, `displayName`) must be there.
pub(crate) fn resource(kind: Kind, body: &Json) -> Result<Map<String, Json>, Refusal> {
    let Json::Object(body) = body else {
        return Err(Refusal::bad(
            "invalidSyntax",
            "the body is not a JSON object",
        ));
    };
    let mut out = Map::new();
    for (k, v) in body {
        if v.is_null()
            || ["schemas", "id", "meta"]
                .iter()
                .any(|s| k.eq_ignore_ascii_case(s))
        {
            continue;
        }
        if k.eq_ignore_ascii_case(schema::EXTERNAL_ID.name) {
            out.insert("externalId".into(), value(&schema::EXTERNAL_ID, v)?);
        } else if kind == Kind::User && is_enterprise(k) {
            let Json::Object(m) = v else {
                return Err(invalid(format!("{ENTERPRISE_URN} is not an object")));
            };
            let ext = complex(schema::ENTERPRISE, m)?;
            if !ext.is_empty() {
                out.insert(ENTERPRISE_URN.into(), Json::Object(ext));
            }
        } else if let Some(a) = schema::find(attributes(kind), k)
            && a.mutability != Mutability::ReadOnly
        {
            out.insert(a.name.to_string(), value(a, v)?);
        }
    }
    required(kind, &out)?;
    Ok(out)
}

/// Refuses a resource without its naming attribute.
pub(crate) fn required(kind: Kind, attrs: &Map<String, Json>) -> Result<(), Refusal> {
    let naming = kind.naming();
    match attrs.get(naming).and_then(Json::as_str) {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(invalid(format!("{naming} is required"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_in_any_case_take_the_schema_spelling() {
        let got = resource(
            Kind::User,
            &json!({
                "schemas": ["x"], "ID": "ignored", "USERNAME": "ana", "Active": "False",
                "Name": {"GIVENNAME": "Ana", "shoe": 44}, "groups": [{"value": "g"}],
                "Emails": {"Value": "a@x.io", "Primary": true}, "nonsense": 1, "title": null,
                "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER": {"Department": "Ops"},
                "externalid": "HR-1"
            }),
        )
        .unwrap();
        assert_eq!(
            Json::Object(got),
            json!({
                "userName": "ana", "active": false, "name": {"givenName": "Ana"},
                "emails": [{"value": "a@x.io", "primary": true}],
                ENTERPRISE_URN: {"department": "Ops"}, "externalId": "HR-1"
            })
        );
    }

    #[test]
    fn wrong_types_and_missing_names_are_refused() {
        let e = resource(Kind::User, &json!({"userName": "a", "active": 3})).unwrap_err();
        assert_eq!(e.detail, "active has a value of the wrong type");
        assert_eq!(e.scim_type, Some("invalidValue"));
        let e = resource(Kind::Group, &json!({"members": []})).unwrap_err();
        assert_eq!(e.detail, "displayName is required");
        assert!(resource(Kind::User, &json!([1])).is_err());
    }
}
