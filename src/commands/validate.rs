//! `roster validate [--target NAME …]`: config and manifests only, no network. Every target is
//! validated whatever the selection; the selection is checked and reported.

use crate::exit;
use crate::render;

use super::{Ctx, Output, plural};

pub fn run(cx: &Ctx, targets: &[String]) -> anyhow::Result<u8> {
    let loaded = match cx.load() {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let selected = if targets.is_empty() {
        None
    } else {
        Some(crate::reconcile::select(&loaded.config, targets)?)
    };
    let users: usize = loaded.desired.by_target.values().map(|u| u.len()).sum();
    let (targets, files) = (loaded.config.targets.len(), loaded.desired.files.len());
    let (config, desired) = (&loaded.config, &loaded.desired.by_target);
    let warnings = crate::manifest::past_expiries(config, desired, chrono::Utc::now());
    for w in &warnings {
        eprintln!("warning: {}", render::error_text(&w.to_string(), cx.redact));
    }
    match cx.output {
        Output::Json => print!(
            "{}",
            render::json::validate_selected(
                &[],
                &warnings,
                targets,
                files,
                users,
                selected.as_deref()
            )
        ),
        _ => println!(
            "valid: {targets} target{}{}, {files} manifest file{}, {users} user{}",
            plural(targets),
            selected
                .as_ref()
                .map(|s| format!(" (selected: {})", s.join(", ")))
                .unwrap_or_default(),
            plural(files),
            plural(users)
        ),
    }
    Ok(exit::OK)
}
