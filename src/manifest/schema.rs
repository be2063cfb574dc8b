//! The JSON Schema (draft-07) of a manifest, for `roster schema manifest`: `target` and
//! `users`, each user taking the common keys and any vendor's keys (a manifest names its
//! target, not its vendor, so the schema cannot tell which vendor's keys apply).

use serde_json::{Value, json};

use crate::vendor::{self, VENDORS};

use super::user::COMMON_USER_KEYS;

pub fn schema() -> Value {
    let keys = COMMON_USER_KEYS
        .iter()
        .chain(VENDORS.iter().flat_map(|v| v.user_keys()));
    let user = json!({
        "type": "object",
        "properties": vendor::schema::properties(keys),
        "additionalProperties": false
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "roster user manifest",
        "type": "object",
        "properties": {
            "target": {
                "type": "string",
                "description": "the config's target these users belong to; may be left out when it has only one"
            },
            "users": { "type": "array", "items": user }
        },
        "required": ["users"],
        "additionalProperties": false,
        "definitions": { "SecretRef": vendor::schema::secret_ref() }
    })
}
