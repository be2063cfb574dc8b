//! The keys every target takes whatever its vendor: the policy (`unmanaged`, `protect`, the
//! mass-change guards, `ignore`, `expiry_warning`) and the limits (`timeout`, `concurrency`, `rate_limit`,
//! `max_attempts`). What differs by vendor (whether users can be deactivated, how `protect`
//! names users, which fields `ignore` may name) comes from the vendor's settings.
//!
//! Validation only; every problem is located.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::diag::Problem;
use crate::model::{Unmanaged, normalise_key};
use crate::vendor::{Identity, KeyDoc, KeyType, Vendor, VendorTarget};
use crate::yaml::Keys;

use super::{EXPIRY_WARNING, Limits, Policy, RATE_LIMIT, TIMEOUT, parse};

/// The shortest and longest `expiry_warning`.
const EXPIRY_WARNING_RANGE: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(366 * 24 * 3600));

/// The common keys, for unknown-key errors and `roster schema config`.
pub(crate) const COMMON_KEYS: &[KeyDoc] = &[
    KeyDoc::new("provider", KeyType::Text, "the vendor"),
    KeyDoc::new(
        "url",
        KeyType::Text,
        "the vendor's API base; plain http only to loopback",
    ),
    KeyDoc::new(
        "unmanaged",
        KeyType::OneOf(&["report", "deactivate", "delete"]),
        "what to do with users no manifest declares (default report)",
    ),
    KeyDoc::new(
        "protect",
        KeyType::TextList,
        "users roster never updates or deletes",
    ),
    KeyDoc::new(
        "max_delete",
        KeyType::UInt,
        "most users one apply may remove (default 5)",
    ),
    KeyDoc::new(
        "max_delete_fraction",
        KeyType::Number,
        "largest share of the users in scope one apply may remove (default 0.25)",
    ),
    KeyDoc::new(
        "ignore",
        KeyType::TextList,
        "fields roster never changes on this target",
    ),
    KeyDoc::new(
        "expiry_warning",
        KeyType::Text,
        "how long before an expiry plan lists it as a notice, 1s to 366d (default 7d)",
    ),
    KeyDoc::new("timeout", KeyType::Text, "per request, e.g. 30s (default)"),
    KeyDoc::new(
        "concurrency",
        KeyType::UInt,
        "parallel writes, 1 to 64 (default 4)",
    ),
    KeyDoc::new(
        "rate_limit",
        KeyType::Number,
        "requests per second (default: none)",
    ),
    KeyDoc::new(
        "max_attempts",
        KeyType::UInt,
        "per request, the first included (default 5)",
    ),
];

pub(super) fn policy(
    keys: &mut Keys<'_>,
    name: &str,
    vendor: &dyn Vendor,
    settings: Option<&dyn VendorTarget>,
) -> Policy {
    let can_deactivate = settings.is_none_or(|s| s.schema().deactivate.is_some());
    let unmanaged = match keys.text("unmanaged") {
        None => Unmanaged::Report,
        Some(s) => match s.value.as_str() {
            "report" => Unmanaged::Report,
            "delete" => Unmanaged::Delete,
            "deactivate" if can_deactivate => Unmanaged::Deactivate,
            "deactivate" => {
                let message = format!(
                    "target {name}: {} users cannot be deactivated (use report or delete)",
                    vendor.name()
                );
                keys.push(Problem::at(s.origin, message));
                Unmanaged::Report
            }
            other => {
                let message = format!(
                    "target {name}: unknown `unmanaged` value {other:?} (expected report, deactivate or delete)"
                );
                keys.push(Problem::at(s.origin, message));
                Unmanaged::Report
            }
        },
    };
    let emails = settings.is_none_or(|s| s.identity() == Identity::Email);
    let mut protect = BTreeSet::new();
    for p in keys
        .text_list("protect")
        .map(|l| l.value)
        .unwrap_or_default()
    {
        if emails && !p.value.contains('@') {
            let message = format!(
                "target {name}: `protect` entry {:?} is not an e-mail",
                p.value
            );
            keys.push(Problem::at(p.origin.clone(), message));
        }
        protect.insert(normalise_key(&p.value));
    }
    let max_delete_fraction = match keys.f64("max_delete_fraction") {
        Some(f) if !(0.0..=1.0).contains(&f.value) => {
            let message = format!("target {name}: `max_delete_fraction` must be between 0 and 1");
            keys.push(Problem::at(f.origin, message));
            0.25
        }
        Some(f) => f.value,
        None => 0.25,
    };
    let max_delete = keys.u64("max_delete").map_or(5, |m| m.value);
    let fields: Vec<&str> = settings
        .map(|s| s.schema().fields.iter().map(|f| f.name).collect())
        .unwrap_or_default();
    let mut ignore = BTreeSet::new();
    for f in keys
        .text_list("ignore")
        .map(|l| l.value)
        .unwrap_or_default()
    {
        if settings.is_some() && !fields.contains(&f.value.as_str()) {
            let message = format!(
                "target {name}: unknown field {:?} in `ignore` (fields: {})",
                f.value,
                fields.join(", ")
            );
            keys.push(Problem::at(f.origin.clone(), message));
        }
        ignore.insert(f.value);
    }
    let expiry_warning = match keys.scalar("expiry_warning") {
        Some(s) => parse::duration_in(&s.value, EXPIRY_WARNING_RANGE.0, EXPIRY_WARNING_RANGE.1)
            .unwrap_or_else(|e| {
                keys.push(Problem::at(
                    s.origin,
                    format!("target {name}: expiry_warning: {e}"),
                ));
                EXPIRY_WARNING
            }),
        None => EXPIRY_WARNING,
    };
    Policy {
        unmanaged,
        protect,
        max_delete,
        max_delete_fraction,
        ignore,
        expiry_warning,
    }
}

pub(super) fn limits(keys: &mut Keys<'_>, name: &str) -> Limits {
    let timeout = match keys.scalar("timeout") {
        Some(s) => parse::duration_in(&s.value, TIMEOUT.0, TIMEOUT.1).unwrap_or_else(|e| {
            keys.push(Problem::at(
                s.origin,
                format!("target {name}: timeout: {e}"),
            ));
            Duration::from_secs(30)
        }),
        None => Duration::from_secs(30),
    };
    let concurrency = match keys.u64("concurrency") {
        Some(c) if c.value == 0 || c.value > 64 => {
            let message = format!("target {name}: `concurrency` must be 1 to 64");
            keys.push(Problem::at(c.origin, message));
            4
        }
        Some(c) => c.value as usize,
        None => 4,
    };
    let rate_limit = match keys.f64("rate_limit") {
        Some(s) if !(RATE_LIMIT.0..=RATE_LIMIT.1).contains(&s.value) => {
            let message = format!(
                "target {name}: `rate_limit` must be {} to {} requests per second",
                RATE_LIMIT.0, RATE_LIMIT.1
            );
            keys.push(Problem::at(s.origin, message));
            None
        }
        Some(s) => Some(s.value),
        None => None,
    };
    let max_attempts = match keys.u64("max_attempts") {
        Some(s) if s.value == 0 || s.value > 20 => {
            let message = format!("target {name}: `max_attempts` must be 1 to 20");
            keys.push(Problem::at(s.origin, message));
            5
        }
        Some(s) => s.value as u32,
        None => 5,
    };
    let max_answer_size = match keys.scalar("max_answer_size") {
        Some(s) => parse::size(&s.value).unwrap_or_else(|e| {
            let message = format!("target {name}: max_answer_size: {e}");
            keys.push(Problem::at(s.origin, message));
            parse::DEFAULT_ANSWER_SIZE
        }),
        None => parse::DEFAULT_ANSWER_SIZE,
    };
    Limits {
        timeout,
        concurrency,
        rate_limit,
        max_attempts,
        max_answer_size,
    }
}
