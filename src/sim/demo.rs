//! `roster demo`: the main job end to end on the embedded simulator, with no credentials.
//!
//! Starts the Xtracta simulator in-process with the demo seed, points the demo config's
//! targets at it, then plans, applies and plans again. Only for showing roster to newcomers.

use std::path::Path;

use anyhow::Context;

use crate::apply::Stop;
use crate::exit;
use crate::reconcile::{self, Loaded};
use crate::render::{self, Styles};
use crate::sim::xtracta;

const SEED: &str = include_str!("../../examples/demo-seed.yaml");

pub async fn run(config: &Path, st: &Styles) -> anyhow::Result<u8> {
    // Any free loopback port, and the simulator's default key (the demo config's too).
    let args = xtracta::Args::default();
    let sim = xtracta::start(args, Some(SEED))
        .await
        .context("start the simulator")?;
    let mut loaded: Loaded = match reconcile::load(config) {
        Ok(l) => l,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(exit::ERROR);
        }
    };
    let url: reqwest::Url = format!("http://{}/v1", sim.addr()).parse()?;
    for t in loaded.config.targets.values_mut() {
        t.url = url.clone();
    }
    println!("roster demo: the Xtracta simulator is running on {url}\n");
    println!("== roster plan\n");
    let planned = reconcile::plan(&loaded, Default::default()).await?;
    print!("{}", render::plan(&planned.plan, st, false));
    println!("\n== roster apply --yes\n");
    let reports = reconcile::apply(&loaded, &planned, &Stop::default()).await;
    for r in &reports {
        print!("{}", render::report(r, st));
    }
    println!("\n== roster plan (again)\n");
    let again = reconcile::plan(&loaded, Default::default()).await?;
    print!("{}", render::plan(&again.plan, st, false));
    sim.stop().await;
    if again.plan.has_changes() {
        eprintln!("error: the second plan is not empty");
        return Ok(exit::ERROR);
    }
    println!(
        "\nNothing left to do: the simulator now matches the manifests in {}.",
        loaded.config.manifests.display()
    );
    Ok(exit::OK)
}
