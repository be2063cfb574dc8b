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
    if let Some(obj) = root.as_object_mut() {
        let defs = obj.entry("definitions").or_insert_with(|| json!({}));
        if let Some(defs) = defs.as_object_mut() {
            defs.insert("SecretRef".into(), vendor::schema::secret_ref());
        }
    }
    root
}
