//! The SCIM vendor as the registry lists it: its keys on a target and on a user, and the
//! reading of a target's own keys (`token`, `page_size`, `patch`) into [`Settings`].

use std::sync::Arc;

use crate::vendor::{KeyDoc, KeyType, TargetCx, Vendor, VendorTarget, read};
use crate::yaml::Keys;

use super::settings::{PatchMode, Settings};

#[derive(Debug)]
pub struct Scim;

/// The registry's entry.
pub static SCIM: Scim = Scim;

/// The users a list page asks for unless `page_size` says otherwise.
pub(crate) const DEFAULT_PAGE_SIZE: u64 = 100;
/// The largest `page_size` accepted.
const MAX_PAGE_SIZE: u64 = 10_000;

const TARGET_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "token",
        KeyType::Secret,
        "the bearer token; sent in the Authorization header, never logged",
    ),
    KeyDoc::new(
        "page_size",
        KeyType::UInt,
        "users asked for per list page (default 100; the server's maxResults caps it)",
    ),
    KeyDoc::new(
        "patch",
        KeyType::OneOf(&["auto", "always", "never"]),
        "auto (default: as /ServiceProviderConfig says), always, or never (GET then PUT)",
    ),
];

const USER_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "user_name",
        KeyType::Text,
        "identity: the SCIM userName, matched case-insensitively",
    ),
    KeyDoc::new("email", KeyType::Text, "the primary work e-mail"),
    KeyDoc::new("given_name", KeyType::Text, "name.givenName"),
    KeyDoc::new("family_name", KeyType::Text, "name.familyName"),
    KeyDoc::new("display_name", KeyType::Text, "displayName"),
    KeyDoc::new("active", KeyType::Bool, "default true"),
    KeyDoc::new("external_id", KeyType::Text, "externalId"),
    KeyDoc::new(
        "groups",
        KeyType::Members(read::Member::Name),
        "group displayNames (each may end: {name: Auditors, expires: 2027-02-01T18:00:00Z}); leave out to not manage membership",
    ),
    KeyDoc::new(
        "enterprise",
        KeyType::TextMap,
        "the enterprise extension: employee_number, department, cost_center, manager (the manager's SCIM id); only these keys are managed",
    ),
];

impl Vendor for Scim {
    fn name(&self) -> &'static str {
        "scim"
    }

    fn target_keys(&self) -> &'static [KeyDoc] {
        TARGET_KEYS
    }

    fn user_keys(&self) -> &'static [KeyDoc] {
        USER_KEYS
    }

    fn target(&self, keys: &mut Keys<'_>, cx: &TargetCx<'_>) -> Option<Arc<dyn VendorTarget>> {
        let name = cx.name;
        let token = read::secret(keys, "token", cx);
        // Absent or null: the default. A value of the wrong type is a problem already.
        let page_size = match keys.get("page_size").and_then(|_| keys.u64("page_size")) {
            None if keys.get("page_size").is_some() => None,
            None => Some(DEFAULT_PAGE_SIZE),
            Some(p) if (1..=MAX_PAGE_SIZE).contains(&p.value) => Some(p.value),
            Some(p) => {
                let message = format!(
                    "target {name}: page_size must be 1 to {MAX_PAGE_SIZE}, not {}",
                    p.value
                );
                keys.push(read::problem(&p.origin, message));
                None
            }
        };
        let patch = match keys.get("patch").and_then(|_| keys.text("patch")) {
            None if keys.get("patch").is_some() => None,
            None => Some(PatchMode::Auto),
            Some(p) => match p.value.as_str() {
                "auto" => Some(PatchMode::Auto),
                "always" => Some(PatchMode::Always),
                "never" => Some(PatchMode::Never),
                other => {
                    let message = format!(
                        "target {name}: unknown `patch` value {other:?} (expected auto, always or never)"
                    );
                    keys.push(read::problem(&p.origin, message));
                    None
                }
            },
        };
        Some(Arc::new(Settings::new(token?, page_size?, patch?)))
    }
}
