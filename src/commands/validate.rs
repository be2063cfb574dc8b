//! `roster validate`: config and manifests only, no network.

use crate::exit;
use crate::render;

use super::{Ctx, Output, plural};

pub fn run(cx: &Ctx) -> u8 {
    let loaded = match cx.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let users: usize = loaded.desired.by_target.values().map(Vec::len).sum();
    let (targets, files) = (loaded.config.targets.len(), loaded.desired.files.len());
    let (config, desired) = (&loaded.config, &loaded.desired.by_target);
    let warnings = crate::manifest::past_expiries(config, desired, chrono::Utc::now());
    for w in &warnings {
        eprintln!("warning: {}", render::error_text(&w.to_string(), cx.redact));
    }
    match cx.output {
        Output::Json => print!(
            "{}",
            render::json::validate_warned(&[], &warnings, targets, files, users)
        ),
        _ => println!(
            "valid: {targets} target{}, {files} manifest file{}, {users} user{}",
            plural(targets),
            plural(files),
            plural(users)
        ),
    }
    exit::OK
}
