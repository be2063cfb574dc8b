//! The learningCloud vendor as the registry lists it: its keys on a target and on a user, and
//! the reading of a target's own keys (`token`, `synchronization`) into [`Settings`].

use std::sync::Arc;

use crate::vendor::{KeyDoc, KeyType, TargetCx, Vendor, VendorTarget, read};
use crate::yaml::Keys;

use super::settings::Settings;

#[derive(Debug)]
pub struct LearningCloud;

/// The registry's entry.
pub static LEARNINGCLOUD: LearningCloud = LearningCloud;

const TARGET_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "token",
        KeyType::Secret,
        "the admin token, sent as X-Cloud-Auth-Token; never logged",
    ),
    KeyDoc::new(
        "synchronization",
        KeyType::OneOf(&["synchronous", "asynchronous"]),
        "how writes are processed (default asynchronous)",
    ),
];

const USER_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "username",
        KeyType::Text,
        "identity: matched case-insensitively",
    ),
    KeyDoc::new("email", KeyType::Text, "required"),
    KeyDoc::new("name", KeyType::Text, "required"),
    KeyDoc::new("surname", KeyType::Text, "required"),
    KeyDoc::new("language", KeyType::Text, "required, e.g. en"),
    KeyDoc::new("timezone", KeyType::Text, "required, e.g. Europe/Madrid"),
    KeyDoc::new("enabled", KeyType::Bool, "default true"),
    KeyDoc::new(
        "roles",
        KeyType::TextListMap,
        "section → roles; when given, the complete role map",
    ),
    KeyDoc::new("external_id", KeyType::Text, "optional"),
    KeyDoc::new(
        "extended_fields",
        KeyType::TextMap,
        "only these keys are managed",
    ),
];

impl Vendor for LearningCloud {
    fn name(&self) -> &'static str {
        "learningcloud"
    }

    fn target_keys(&self) -> &'static [KeyDoc] {
        TARGET_KEYS
    }

    fn user_keys(&self) -> &'static [KeyDoc] {
        USER_KEYS
    }

    fn target(&self, keys: &mut Keys<'_>, cx: &TargetCx<'_>) -> Option<Arc<dyn VendorTarget>> {
        // The vendor documents asynchronous as the default (for its group services; the user
        // pages say nothing), so leaving the key out means asynchronous.
        let synchronous = match keys.text("synchronization") {
            None => Some(false),
            Some(s) => match s.value.as_str() {
                "synchronous" => Some(true),
                "asynchronous" => Some(false),
                other => {
                    let message = format!(
                        "target {}: unknown `synchronization` value {other:?} (expected synchronous or asynchronous)",
                        cx.name
                    );
                    keys.push(read::problem(&s.origin, message));
                    None
                }
            },
        };
        let token = read::secret(keys, "token", cx);
        Some(Arc::new(Settings::new(token?, synchronous?)))
    }
}
