//! The UiPath vendor as the registry lists it: its keys on a target and on a user, and the
//! reading of a target's own keys (client credentials, token URL, scope, organisation,
//! deployment) into [`Settings`].

use std::sync::Arc;

use crate::vendor::{KeyDoc, KeyType, TargetCx, Vendor, VendorTarget, read};
use crate::yaml::Keys;

use super::settings::Settings;

#[derive(Debug)]
pub struct Uipath;

/// The registry's entry.
pub static UIPATH: Uipath = Uipath;

const TARGET_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "token_url",
        KeyType::Text,
        "the OAuth token endpoint; derived from url",
    ),
    KeyDoc::new(
        "client_id",
        KeyType::Secret,
        "the external application's id",
    ),
    KeyDoc::new(
        "client_secret",
        KeyType::Secret,
        "the external application's secret",
    ),
    KeyDoc::new(
        "scope",
        KeyType::Text,
        "OAuth scopes (default: PM.User PM.Group)",
    ),
    KeyDoc::new(
        "partition_global_id",
        KeyType::Text,
        "the organisation's GUID",
    ),
    KeyDoc::new(
        "deployment",
        KeyType::OneOf(&["cloud", "onprem"]),
        "cloud (e-mails cannot change through the API) or onprem",
    ),
];

const USER_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "email",
        KeyType::Text,
        "identity: matched case-insensitively",
    ),
    KeyDoc::new("name", KeyType::Text, "the user's first name"),
    KeyDoc::new(
        "user_name",
        KeyType::Text,
        "defaults to the e-mail; cannot change later",
    ),
    KeyDoc::new("surname", KeyType::Text, "the user's surname"),
    KeyDoc::new("active", KeyType::Bool, "default true"),
    KeyDoc::new(
        "groups",
        KeyType::Members(read::Member::Name),
        "group names (each may end: {name: Auditors, expires: 2027-02-01T18:00:00Z}); leave out to not manage membership",
    ),
];

impl Vendor for Uipath {
    fn name(&self) -> &'static str {
        "uipath"
    }

    fn target_keys(&self) -> &'static [KeyDoc] {
        TARGET_KEYS
    }

    fn user_keys(&self) -> &'static [KeyDoc] {
        USER_KEYS
    }

    fn target(&self, keys: &mut Keys<'_>, cx: &TargetCx<'_>) -> Option<Arc<dyn VendorTarget>> {
        let name = cx.name;
        let token_url = match keys.text("token_url") {
            Some(t) => match crate::config::vendor_url(&t.value) {
                Ok(u) => Some(u),
                Err(e) => {
                    keys.push(read::problem(
                        &t.origin,
                        format!("target {name}: token_url: {e}"),
                    ));
                    None
                }
            },
            None if keys.has("token_url") => None,
            None => cx.url.map(super::token_url),
        };
        let client_id = read::secret(keys, "client_id", cx);
        let client_secret = read::secret(keys, "client_secret", cx);
        let pgid = match keys.text("partition_global_id") {
            Some(p) if super::is_uuid(&p.value) => Some(p.value.to_lowercase()),
            Some(p) => {
                let message = format!(
                    "target {name}: partition_global_id must be the organisation's GUID, not {:?}",
                    p.value
                );
                keys.push(read::problem(&p.origin, message));
                None
            }
            None => {
                if !keys.has("partition_global_id") {
                    let message = format!("target {name}: missing `partition_global_id`");
                    keys.push(read::problem(cx.anchor, message));
                }
                None
            }
        };
        let cloud = match keys.text("deployment") {
            None => true,
            Some(d) => match d.value.as_str() {
                "cloud" => true,
                "onprem" => false,
                other => {
                    let message = format!(
                        "target {name}: unknown deployment {other:?} (expected cloud or onprem)"
                    );
                    keys.push(read::problem(&d.origin, message));
                    true
                }
            },
        };
        let scope = keys
            .text("scope")
            .map_or_else(|| "PM.User PM.Group".to_string(), |s| s.value);
        Some(Arc::new(Settings::new(
            token_url?,
            client_id?,
            client_secret?,
            scope,
            pgid?,
            cloud,
        )))
    }
}
