//! The Xtracta vendor as the registry lists it: its keys on a target and on a user, and the
//! reading of a target's own keys (`api_key`, `group_id`) into [`Settings`].

use std::sync::Arc;

use crate::vendor::{KeyDoc, KeyType, TargetCx, Vendor, VendorTarget, read};
use crate::yaml::Keys;

use super::settings::Settings;

#[derive(Debug)]
pub struct Xtracta;

/// The registry's entry.
pub static XTRACTA: Xtracta = Xtracta;

const TARGET_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "api_key",
        KeyType::Secret,
        "the API key; sent in request bodies, never logged",
    ),
    KeyDoc::new(
        "group_id",
        KeyType::UInt,
        "the group new users join; its users are in scope",
    ),
];

const USER_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "email",
        KeyType::Text,
        "identity: matched case-insensitively",
    ),
    KeyDoc::new("name", KeyType::Text, "the user's name"),
    KeyDoc::new(
        "workflows",
        KeyType::Members(read::Member::Number),
        "the complete set of workflow ids (each may end: {id: 498082, expires: 2027-01-15}); leave out to not manage them",
    ),
    KeyDoc::new(
        "group_id",
        KeyType::UInt,
        "the user's group; defaults to the target's",
    ),
];

impl Vendor for Xtracta {
    fn name(&self) -> &'static str {
        "xtracta"
    }

    fn target_keys(&self) -> &'static [KeyDoc] {
        TARGET_KEYS
    }

    fn user_keys(&self) -> &'static [KeyDoc] {
        USER_KEYS
    }

    fn target(&self, keys: &mut Keys<'_>, cx: &TargetCx<'_>) -> Option<Arc<dyn VendorTarget>> {
        let api_key = read::secret(keys, "api_key", cx);
        let group_id = keys.u64("group_id");
        if group_id.is_none() && !keys.has("group_id") {
            let p = read::problem(cx.anchor, format!("target {}: missing `group_id`", cx.name));
            keys.push(p);
        }
        Some(Arc::new(Settings::new(api_key?, group_id?.value)))
    }
}
