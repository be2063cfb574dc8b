//! One manifest user: the keys every vendor shares (`id`, `password`, `ignore`, `expires`,
//! `on_expiry`), then the vendor's own keys through the target's [`crate::vendor::VendorTarget`], then every key
//! nobody read: another vendor's field, or unknown.
//!
//! Pure apart from checking that referenced secrets are present.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use serde_saphyr::Spanned;

use crate::config::Target;
use crate::diag::{self, Problem};
use crate::model::DesiredUser;
use crate::vendor::{self, KeyDoc, KeyType, read};
use crate::yaml::{Keys, Node};

/// The keys of a user that every vendor takes.
pub(crate) const COMMON_USER_KEYS: &[KeyDoc] = &[
    KeyDoc::new(
        "id",
        KeyType::Id,
        "the vendor's own user id: binds the user, so that its identity can change",
    ),
    KeyDoc::new(
        "password",
        KeyType::Secret,
        "sent only when the user is created; never compared",
    ),
    KeyDoc::new(
        "ignore",
        KeyType::TextList,
        "fields roster leaves alone for this user",
    ),
    KeyDoc::new(
        "expires",
        KeyType::Text,
        "when the user's access ends: a date (the end of that day in the config's timezone) or an RFC 3339 instant",
    ),
    KeyDoc::new(
        "on_expiry",
        KeyType::OneOf(&["deactivate", "delete", "report"]),
        "what ending the user does (default: deactivate where the vendor can, else report)",
    ),
];

/// Reads one user of `target`; the user when usable, and every problem found.
pub(super) fn read(
    target: &Target,
    file: &Arc<str>,
    node: &Spanned<Node>,
    base: &Path,
    tz: chrono_tz::Tz,
) -> (Option<DesiredUser>, Vec<Problem>) {
    let origin = diag::origin_of(file, &node.referenced);
    let mut keys = match Keys::new(file, node) {
        Ok(k) => k,
        Err(p) => return (None, vec![p]),
    };
    let id = keys.scalar("id");
    let password = keys.get("password").and_then(|v| {
        let (r, problems) = read::secret_value(&v, "password", base);
        keys.absorb(problems);
        r
    });
    let ignore = ignore(&mut keys, target);
    let written = super::expiry::read(&mut keys, target);
    let fields = target.settings.user(&mut keys, id);
    let own = target.provider();
    let known: Vec<&str> = COMMON_USER_KEYS
        .iter()
        .chain(target.vendor.user_keys())
        .map(|k| k.name)
        .collect();
    let foreign = |key: &str| {
        vendor::user_key_owner(key, own).map(|_| format!("`{key}` is not a field of {own} users"))
    };
    let problems = keys.finish(&known, &foreign);
    let user = fields.map(|f| DesiredUser {
        key: f.key,
        id: f.id,
        fields: f.fields,
        password,
        ignore,
        expiry: super::expiry::resolve(written, f.expiring, tz),
        origin,
    });
    (user, problems)
}

/// `ignore:`: each entry must name a field the vendor manages.
fn ignore(keys: &mut Keys<'_>, target: &Target) -> BTreeSet<String> {
    let fields: Vec<&str> = target.schema().fields.iter().map(|f| f.name).collect();
    let mut out = BTreeSet::new();
    for f in keys
        .text_list("ignore")
        .map(|l| l.value)
        .unwrap_or_default()
    {
        if !fields.contains(&f.value.as_str()) {
            let message = format!(
                "unknown field {:?} in `ignore` (fields: {})",
                f.value,
                fields.join(", ")
            );
            keys.push(Problem::at(f.origin.clone(), message));
        }
        out.insert(f.value);
    }
    out
}

/// Helpers for vendors' tests: read the users of a manifest text for a target.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use crate::config::{Limits, Policy, Target};
    use crate::model::{DesiredUser, Origin, Unmanaged};
    use crate::vendor::{Vendor, VendorTarget};

    /// A target of `vendor` with `settings` and default policy and limits.
    pub(crate) fn target(vendor: &'static dyn Vendor, settings: Arc<dyn VendorTarget>) -> Target {
        Target {
            name: "t".into(),
            origin: Origin {
                file: "roster.yaml".into(),
                line: 1,
                column: 1,
            },
            url: "https://vendor.example/api".parse().unwrap(),
            vendor,
            settings,
            policy: Policy {
                unmanaged: Unmanaged::Report,
                protect: BTreeSet::new(),
                max_delete: 5,
                max_delete_fraction: 0.25,
                ignore: BTreeSet::new(),
                expiry_warning: crate::config::EXPIRY_WARNING,
            },
            limits: Limits {
                timeout: std::time::Duration::from_secs(1),
                concurrency: 1,
                rate_limit: None,
                max_attempts: 1,
                max_answer_size: 1 << 20,
            },
        }
    }

    /// Every user of a manifest text (file `users/x.yaml`); the problems as displayed, sorted.
    pub(crate) fn read(target: &Target, text: &str) -> (Vec<DesiredUser>, Vec<String>) {
        let raw: super::super::raw::RawManifest =
            crate::diag::parse_yaml(text, "users/x.yaml").unwrap();
        let (mut users, mut problems) = (Vec::new(), Vec::new());
        for u in raw.users.value.iter() {
            let (user, p) = super::read(
                target,
                &"users/x.yaml".into(),
                u,
                std::path::Path::new("."),
                chrono_tz::Tz::UTC,
            );
            users.extend(user);
            problems.extend(p.into_iter().map(|p| p.to_string()));
        }
        problems.sort();
        (users, problems)
    }
}
