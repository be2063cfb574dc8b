//! `roster import --target NAME [--target NAME …] [--out DIR]`: adopt existing accounts, one
//! manifest per target. Each target is fetched on its own (`parallel_targets` at a time): one
//! that fails is reported and the others are still written.

use std::path::{Path, PathBuf};

use anyhow::Context;
use futures_util::StreamExt;

use crate::config::{Config, Target};
use crate::exit;
use crate::model::ActualUser;
use crate::reconcile::{Failure, Stage};

use super::Ctx;

pub async fn run(
    cx: &Ctx,
    targets: &[String],
    out: Option<&Path>,
    force: bool,
) -> anyhow::Result<u8> {
    let config = match crate::config::load(&cx.config) {
        Ok(c) => c,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(exit::ERROR);
        }
    };
    let names = crate::reconcile::select(&config, targets)?;
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config.manifests.clone());
    // Refused before anything is fetched: an existing file is never overwritten by accident.
    for name in &names {
        let path = dir.join(format!("{name}.yaml"));
        if path.exists() && !force {
            anyhow::bail!(
                "{} exists; pass --force to overwrite it",
                crate::diag::display_path(&path)
            );
        }
    }
    let fetched: Vec<Result<(&Target, Vec<ActualUser>), Failure>> =
        futures_util::stream::iter(names.iter().filter_map(|n| config.targets.get(n)))
            .map(|t| fetch(&config, t))
            .buffered(config.parallel_targets)
            .collect()
            .await;
    let mut failed = false;
    for result in fetched {
        match result {
            Ok((t, users)) => write(&dir, t, &users)?,
            Err(f) => {
                failed = true;
                cx.report_failures(std::slice::from_ref(&f));
            }
        }
    }
    Ok(if failed { exit::ERROR } else { exit::OK })
}

async fn fetch<'c>(
    config: &Config,
    t: &'c Target,
) -> Result<(&'c Target, Vec<ActualUser>), Failure> {
    let provider = crate::reconcile::provider(config, t, Default::default(), &Default::default())
        .map_err(|e| Failure::setup(t, &e))?;
    let users = provider
        .fetch(&[])
        .await
        .map_err(|e| Failure::vendor(t, Stage::Fetch, &e))?;
    Ok((t, users))
}

fn write(dir: &PathBuf, t: &Target, users: &[ActualUser]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let path = dir.join(format!("{}.yaml", t.name));
    std::fs::write(&path, crate::import::manifest(t, users, None))
        .with_context(|| format!("write {}", path.display()))?;
    eprintln!(
        "Wrote {} users of target {} to {}.",
        users.len(),
        t.name,
        crate::diag::display_path(&path)
    );
    Ok(())
}
