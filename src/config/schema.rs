//! The JSON Schema (draft-07) of `roster.yaml`, for `roster schema config`: the top-level keys
//! from their types, and each target as one of the vendors' shapes (the common keys, the
//! vendor's own keys, `provider` fixed to its name), so that editors flag a key of another
//! vendor.

use serde_json::{Value, json};

use crate::vendor::{self, VENDORS};

use super::common::COMMON_KEYS;

/// The whole schema, as JSON.
pub fn schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let root = generator.into_root_schema_for::<super::raw::RawConfig>();
    let mut root = serde_json::to_value(root).unwrap_or_default();
    let targets: Vec<Value> = VENDORS
        .iter()
        .map(|v| {
            let mut props = vendor::schema::properties(COMMON_KEYS.iter().chain(v.target_keys()));
            props.insert(
                "provider".into(),
                json!({ "const": v.name(), "description": "the vendor" }),
            );
            json!({
                "title": v.name(),
                "type": "object",
                "properties": props,
                "required": ["provider", "url"],
                "additionalProperties": false
            })
        })
        .collect();
    if let Some(t) = root.pointer_mut("/properties/targets") {
        *t = json!({
            "description": "the vendor accounts roster reconciles, by name",
            "type": "object",
            "additionalProperties": { "oneOf": targets }
        });
    }
    if let Some(c) = root.pointer_mut("/properties/coordination") {
        *c = coordination();
    }
    if let Some(obj) = root.as_object_mut() {
        let defs = obj.entry("definitions").or_insert_with(|| json!({}));
        if let Some(defs) = defs.as_object_mut() {
            defs.insert("SecretRef".into(), vendor::schema::secret_ref());
        }
    }
    root
}

/// `coordination.etcd`.
fn coordination() -> Value {
    let text = |d: &str| json!({ "type": "string", "description": d });
    json!({
        "description": "several roster processes sharing the targets; without it, a file lock on one host",
        "type": "object",
        "properties": {
            "etcd": {
                "type": "object",
                "properties": {
                    "endpoints": { "type": "array", "items": { "type": "string" }, "description": "http(s)://host:port of each member" },
                    "prefix": text("every key roster writes lives below it, e.g. /roster/acme"),
                    "lease_ttl": text("how long a dead process keeps its targets, whole seconds (default 10s)"),
                    "ca": text("the CA of the members' certificates (https endpoints)"),
                    "cert": text("this client's certificate, for client-certificate authentication"),
                    "key": text("this client's private key"),
                    "username": { "$ref": "#/definitions/SecretRef" },
                    "password": { "$ref": "#/definitions/SecretRef" }
                },
                "required": ["endpoints", "prefix"],
                "additionalProperties": false
            }
        },
        "required": ["etcd"],
        "additionalProperties": false
    })
}
