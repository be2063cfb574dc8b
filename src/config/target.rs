//! One target of `roster.yaml`: its name, `provider` and `url`, the common keys (policy and
//! limits, in [`super::common`]), then the vendor's own keys through its [`Vendor`], and last
//! every key nobody read: another vendor's key, or unknown.
//!
//! Validation only: secrets are checked for presence, never read. Must not touch the network.

use std::path::Path;
use std::sync::Arc;

use serde_saphyr::Spanned;

use crate::diag::{self, Problem};
use crate::vendor::{self, TargetCx};
use crate::yaml::{Keys, Node};

use super::{Target, common, parse};

/// Reads target `name`; the target when it is usable, and every problem found.
pub(super) fn read(
    file: &Arc<str>,
    base: &Path,
    name: &str,
    node: &Spanned<Node>,
) -> (Option<Target>, Vec<Problem>) {
    let origin = diag::origin_of(file, &node.referenced);
    let mut keys = match Keys::new(file, node) {
        Ok(k) => k,
        Err(p) => return (None, vec![p]),
    };
    if let Err(e) = parse::target_name(name) {
        keys.push(Problem::at(origin.clone(), e));
    }
    let provider = keys.required_text("provider");
    let anchor = provider
        .as_ref()
        .map_or_else(|| origin.clone(), |p| p.origin.clone());
    let url = match keys.text("url") {
        Some(u) => match parse::vendor_url(&u.value) {
            Ok(url) => Some(url),
            Err(e) => {
                keys.push(Problem::at(u.origin, format!("target {name}: {e}")));
                None
            }
        },
        None => {
            if !keys.has("url") {
                keys.push(Problem::at(
                    anchor.clone(),
                    format!("target {name}: missing `url`"),
                ));
            }
            None
        }
    };
    let vendor = provider.as_ref().and_then(|p| {
        let v = vendor::find(&p.value);
        if v.is_none() {
            let message = format!(
                "target {name}: unknown provider {:?} (expected {})",
                p.value,
                vendor::names()
            );
            keys.push(Problem::at(p.origin.clone(), message));
        }
        v
    });
    let limits = common::limits(&mut keys, name);
    let Some(vendor) = vendor else {
        // Without a vendor, its keys cannot be told from typos: no unknown-key problems.
        return (None, keys.into_problems());
    };
    let cx = TargetCx {
        name,
        url: url.as_ref(),
        anchor: &anchor,
        base_dir: base,
    };
    let settings = vendor.target(&mut keys, &cx);
    let policy = common::policy(&mut keys, name, vendor, settings.as_deref());
    let own = vendor.name();
    let known: Vec<&str> = common::COMMON_KEYS
        .iter()
        .chain(vendor.target_keys())
        .map(|k| k.name)
        .collect();
    let foreign = |key: &str| {
        vendor::target_key_owner(key, own)
            .map(|_| format!("target {name}: `{key}` is not a {own} setting"))
    };
    let problems = keys.finish(&known, &foreign);
    let target = match (url, settings) {
        (Some(url), Some(settings)) => Some(Target {
            name: name.to_string(),
            origin,
            url,
            vendor,
            settings,
            policy,
            limits,
        }),
        _ => None,
    };
    (target, problems)
}
