//! `roster apply FILE`: whether a saved plan may be applied. The file is never applied itself:
//! what runs (passwords, `protect`, guards included) comes from a fresh plan of the current
//! config, manifests and vendor state, and only when it equals the saved one. The saved plan
//! names its targets; exactly those are planned again and applied.
//!
//! Only checks; never plans, locks or writes.

use std::path::Path;

use crate::plan::Plan;
use crate::reconcile::{Loaded, Planned};
use crate::saved::{self, SavedPlan};

use super::super::Ctx;

/// Why a saved plan was not applied.
pub(super) enum Refusal {
    /// Something it was made from changed since.
    Stale(Vec<String>),
    /// Its changes are not what a fresh plan makes of the same inputs: edited, or forged.
    Differs(Vec<String>),
}

/// Reads a saved plan and checks what it was made from (the config, the manifests, the
/// targets it names); the plan and the targets it covers when they still hold.
pub(super) fn read(
    cx: &Ctx,
    loaded: &Loaded,
    path: &Path,
) -> anyhow::Result<Result<(SavedPlan, Vec<String>), Refusal>> {
    let saved = saved::read(path)?;
    let mut reasons = Vec::new();
    if saved::file_digest(&cx.config)? != saved.config_digest {
        reasons.push(format!(
            "the config {} changed since the plan was made",
            loaded.config.file
        ));
    }
    if saved::manifests_digest(&loaded.config.manifests).map_err(anyhow::Error::msg)?
        != saved.manifests_digest
    {
        reasons.push(format!(
            "the manifests under {} changed since the plan was made",
            crate::diag::display_path(&loaded.config.manifests)
        ));
    }
    let covered = saved.covered();
    for name in &covered {
        if !loaded.config.targets.contains_key(name) {
            reasons.push(format!(
                "target {} of the saved plan is not in the config",
                saved::shown(name)
            ));
        }
    }
    if !reasons.is_empty() {
        return Ok(Err(Refusal::Stale(reasons)));
    }
    if saved
        .plan
        .targets
        .iter()
        .map(|t| &t.target)
        .ne(covered.iter())
    {
        return Ok(Err(Refusal::Differs(vec![
            "its targets are not the ones its plan covers".into(),
        ])));
    }
    Ok(Ok((saved, covered)))
}

/// Whether a fresh plan of the saved targets equals the saved plan, for every target that
/// could be planned again (a target that failed is not applied, and reported).
pub(super) fn check(cx: &Ctx, saved: &SavedPlan, fresh: &Planned) -> Option<Refusal> {
    let mut reasons = Vec::new();
    for (t, actual) in fresh.plan.targets.iter().zip(&fresh.actual) {
        match saved.assumptions.get(&t.target) {
            Some(a) => reasons.extend(saved::vendor_changes(&t.target, a, actual)),
            None => reasons.push(format!("target {} is not in the saved plan", t.target)),
        }
    }
    if !reasons.is_empty() {
        return Some(Refusal::Stale(reasons));
    }
    let mut kept = Plan {
        targets: saved.plan.targets.clone(),
    };
    kept.targets
        .retain(|s| fresh.plan.targets.iter().any(|f| f.target == s.target));
    if kept != fresh.plan {
        // Shown as this run shows plans: redacted when asked.
        let mut lines = saved::differences(&cx.shown(&kept), &cx.shown(&fresh.plan));
        if lines.is_empty() {
            lines.push("it differs from a fresh plan in what --redact masks".into());
        }
        return Some(Refusal::Differs(lines));
    }
    None
}
