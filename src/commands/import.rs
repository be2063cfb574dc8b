//! `roster import --target NAME [--out DIR]`: adopt an existing account.

use std::path::Path;

use anyhow::Context;

use crate::exit;

use super::Ctx;

pub async fn run(cx: &Ctx, target: &str, out: Option<&Path>, force: bool) -> anyhow::Result<u8> {
    let config = match crate::config::load(&cx.config) {
        Ok(c) => c,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(exit::ERROR);
        }
    };
    let Some(t) = config.targets.get(target) else {
        let known: Vec<&str> = config.targets.keys().map(String::as_str).collect();
        anyhow::bail!(
            "unknown target {target:?} (the config has: {})",
            known.join(", ")
        );
    };
    let provider = crate::reconcile::provider(&config, t, Default::default(), &Default::default())?;
    let users = provider
        .fetch(&[])
        .await
        .with_context(|| format!("fetch users of target {target}"))?;
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config.manifests.clone());
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let path = dir.join(format!("{target}.yaml"));
    if path.exists() && !force {
        anyhow::bail!(
            "{} exists; pass --force to overwrite it",
            crate::diag::display_path(&path)
        );
    }
    std::fs::write(&path, crate::import::manifest(t, &users, None))
        .with_context(|| format!("write {}", path.display()))?;
    eprintln!(
        "Wrote {} users of target {target} to {}.",
        users.len(),
        crate::diag::display_path(&path)
    );
    Ok(exit::OK)
}
