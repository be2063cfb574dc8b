//! `roster plan`: fetch, diff, print; optionally save the plan for a later `apply FILE`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::exit;
use crate::reconcile::{self, Loaded, Planned};
use crate::saved::{self, SavedPlan};

use super::Ctx;

pub async fn run(
    cx: &Ctx,
    detailed_exitcode: bool,
    show_ignored: bool,
    out: Option<&Path>,
) -> anyhow::Result<u8> {
    let loaded = match cx.load() {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let planned = reconcile::plan(&loaded, Default::default()).await?;
    print!("{}", cx.render_plan(&planned.plan, show_ignored, out));
    for trip in reconcile::guards(&planned) {
        eprintln!("warning: apply would refuse: {trip}");
    }
    if let Some(path) = out {
        let saved = save(cx, &loaded, &planned)?;
        saved::write(path, &saved).with_context(|| format!("write {}", path.display()))?;
        eprintln!(
            "Saved the plan to {}; apply exactly it with `roster apply {}`.",
            path.display(),
            path.display()
        );
    }
    Ok(if detailed_exitcode && planned.plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    })
}

/// The saved form of a plan: the plan, digests of its inputs, and its assumptions about the vendor.
pub fn save(cx: &Ctx, loaded: &Loaded, planned: &Planned) -> anyhow::Result<SavedPlan> {
    let assumptions: BTreeMap<String, saved::Assumptions> = planned
        .plan
        .targets
        .iter()
        .zip(&planned.actual)
        .map(|(t, actual)| (t.target.clone(), saved::assumptions(t, actual)))
        .collect();
    Ok(SavedPlan {
        format_version: saved::VERSION,
        kind: saved::KIND.into(),
        roster_version: env!("CARGO_PKG_VERSION").into(),
        config_digest: saved::file_digest(&cx.config)
            .with_context(|| format!("read {}", cx.config.display()))?,
        manifests_digest: saved::manifests_digest(&loaded.config.manifests)
            .map_err(anyhow::Error::msg)?,
        assumptions,
        plan: planned.plan.clone(),
    })
}
