//! `roster plan`: fetch, diff, print; optionally save the plan for a later `apply FILE`.
//!
//! Targets are planned concurrently and independently: a target that fails is shown as a
//! failed block beside the others' plans and makes the exit code 1.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::apply::Stop;
use crate::exit;
use crate::plan::Guards;
use crate::reconcile::{self, Loaded, Planned};
use crate::saved::{self, SavedPlan};

use super::Ctx;

/// What `roster plan` was asked.
#[derive(Clone, Copy, Debug, Default)]
pub struct Args<'a> {
    pub detailed_exitcode: bool,
    pub show_ignored: bool,
    pub out: Option<&'a Path>,
    /// `--target`: empty for every target.
    pub targets: &'a [String],
    /// `--parallel`: the config's `parallel_targets` when `None`.
    pub parallel: Option<usize>,
}

pub async fn run(cx: &Ctx, args: Args<'_>) -> anyhow::Result<u8> {
    let loaded = match cx.load() {
        Ok(l) => std::sync::Arc::new(l),
        Err(code) => return Ok(code),
    };
    let names = reconcile::select(&loaded.config, args.targets)?;
    let parallel = args.parallel.unwrap_or(loaded.config.parallel_targets);
    let planned = reconcile::plan_selected(
        &loaded,
        &names,
        parallel,
        Default::default(),
        &Stop::default(),
        Guards::Report,
    )
    .await;
    print!("{}", cx.render_run(&planned, args.show_ignored, args.out));
    cx.report_failures(&planned.failed);
    for trip in reconcile::guards(&planned) {
        eprintln!("warning: apply would refuse: {trip}");
    }
    if let Some(path) = args.out {
        let saved = save(cx, &loaded, &planned)?;
        saved::write(path, &saved).with_context(|| format!("write {}", path.display()))?;
        eprintln!(
            "Saved the plan to {}; apply exactly it with `roster apply {}`.",
            path.display(),
            path.display()
        );
        if planned.any_failed() {
            let names: Vec<&str> = planned.failed.iter().map(|f| f.target.as_str()).collect();
            eprintln!(
                "warning: the saved plan leaves out the targets that failed ({}); `apply {}` will not touch them",
                names.join(", "),
                path.display()
            );
        }
    }
    Ok(if planned.any_failed() {
        exit::ERROR
    } else if args.detailed_exitcode && planned.plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    })
}

/// The saved form of a plan: the plan, the targets it covers, digests of its inputs, and its
/// assumptions about the vendor.
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
        targets: planned
            .plan
            .targets
            .iter()
            .map(|t| t.target.clone())
            .collect(),
        assumptions,
        plan: planned.plan.clone(),
    })
}
