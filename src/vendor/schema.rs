//! JSON Schema fragments for [`KeyDoc`] tables, from which `roster schema config` and
//! `roster schema manifest` are assembled: each vendor's keys become properties with their
//! type and description.

use serde_json::{Map, Value, json};

use super::read::Member;
use super::{KeyDoc, KeyType};

/// The schema of one key's value.
pub fn key_schema(k: &KeyDoc) -> Value {
    let mut s = match k.ty {
        KeyType::Text => json!({ "type": "string" }),
        KeyType::Bool => json!({ "type": "boolean" }),
        KeyType::UInt => json!({ "type": "integer", "minimum": 0 }),
        KeyType::Number => json!({ "type": "number" }),
        KeyType::Secret => json!({ "$ref": "#/definitions/SecretRef" }),
        KeyType::OneOf(words) => json!({ "type": "string", "enum": words }),
        KeyType::Id => json!({ "type": ["integer", "string"] }),
        KeyType::TextList => json!({ "type": "array", "items": { "type": "string" } }),
        KeyType::UIntList => {
            json!({ "type": "array", "items": { "type": "integer", "minimum": 0 } })
        }
        KeyType::TextMap => {
            json!({ "type": "object", "additionalProperties": { "type": "string" } })
        }
        KeyType::Members(member) => {
            let bare = match member {
                Member::Number => json!({ "type": "integer", "minimum": 0 }),
                Member::Name => json!({ "type": "string" }),
            };
            let long = json!({
                "type": "object",
                "properties": {
                    member.key(): bare,
                    "expires": {
                        "type": "string",
                        "description": "when this membership ends: a date (the end of that day in the config's timezone) or an RFC 3339 instant"
                    }
                },
                "required": [member.key()],
                "additionalProperties": false
            });
            json!({ "type": "array", "items": { "anyOf": [bare, long] } })
        }
        KeyType::TextListMap => json!({
            "type": "object",
            "additionalProperties": { "type": "array", "items": { "type": "string" } }
        }),
    };
    if let Value::Object(m) = &mut s {
        m.insert("description".into(), k.doc.into());
    }
    s
}

/// The properties of a set of keys. A key listed twice (by two vendors) accepts either form.
pub fn properties<'a>(keys: impl IntoIterator<Item = &'a KeyDoc>) -> Map<String, Value> {
    let mut out = Map::new();
    for k in keys {
        let s = key_schema(k);
        match out.get_mut(k.name) {
            None => {
                out.insert(k.name.to_string(), s);
            }
            Some(existing) if *existing == s => {}
            Some(existing) => {
                let mut any = match existing.get("anyOf") {
                    Some(Value::Array(a)) => a.clone(),
                    _ => vec![existing.clone()],
                };
                if !any.contains(&s) {
                    any.push(s);
                }
                *existing = json!({ "anyOf": any });
            }
        }
    }
    out
}

/// `{ env: NAME }` or `{ file: PATH }`.
pub fn secret_ref() -> Value {
    json!({
        "description": "a secret reference: an environment variable or a file, never the value",
        "type": "object",
        "properties": {
            "env": { "type": "string", "description": "an environment variable's name" },
            "file": { "type": "string", "description": "a file's path, relative to the config" }
        },
        "additionalProperties": false,
        "oneOf": [ { "required": ["env"] }, { "required": ["file"] } ]
    })
}
