//! Lookups over [`VENDORS`]: a vendor by its `provider:` name, the list of names for messages,
//! and which vendor a stray key belongs to.

use super::{VENDORS, Vendor};

/// The vendor a `provider:` value selects.
pub fn find(name: &str) -> Option<&'static dyn Vendor> {
    VENDORS.iter().copied().find(|v| v.name() == name)
}

/// Every vendor's name, for messages: `a, b or c`.
pub fn names() -> String {
    let names: Vec<&str> = VENDORS.iter().map(|v| v.name()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The first vendor (other than `except`) that takes `key` on a target.
pub fn target_key_owner(key: &str, except: &str) -> Option<&'static str> {
    VENDORS
        .iter()
        .find(|v| v.name() != except && v.target_keys().iter().any(|k| k.name == key))
        .map(|v| v.name())
}

/// The first vendor (other than `except`) that takes `key` on a manifest user.
pub fn user_key_owner(key: &str, except: &str) -> Option<&'static str> {
    VENDORS
        .iter()
        .find(|v| v.name() != except && v.user_keys().iter().any(|k| k.name == key))
        .map(|v| v.name())
}
