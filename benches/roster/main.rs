//! roster's performance benchmark (issue 8): `cargo bench --bench roster -- --users 10000`.
//!
//! Generates N desired users in several manifest files and a simulator seed with a share of
//! drift, starts `roster sim xtracta` as a separate process, and measures in-process, through
//! the library API: load + validate, fetch, the pure planner, `reconcile::plan_shared`, render, apply
//! (throughput against `min(concurrency / latency, rate_limit)`), and a second plan after
//! apply. It counts vendor requests by endpoint beside the minimum for the plan, reads this
//! process's peak resident memory, then runs `roster daemon` to measure it at rest and the
//! time from a manifest edit to the vendor, and plans many targets at once (issue 13). It
//! prints a table (`--json FILE` for the
//! numbers) and judges each target; it asserts nothing.

mod args;
mod daemon;
mod multi;
mod phases;
mod procs;
mod report;
mod sim;
mod targets;
mod world;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = args::Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the async runtime");
    match runtime.block_on(run(&args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &args::Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.renamed + args.workflow_drift + args.missing <= 1.0,
        "--renamed, --workflow-drift and --missing add up to more than 1"
    );
    let step = |what: &str| eprintln!("bench: {what}");
    let load_before = procs::load_average();
    step(&format!("generating {} users", args.users));
    let ws = world::generate(args)?;
    step("starting the simulator");
    let sim = sim::Sim::start(&ws, args.latency).await?;
    world::write_config(&ws, args, &sim.proc.addr)?;
    let round_trip = sim.round_trip(25).await?;

    step(&format!("load, fetch, plan, render: {} runs", args.runs));
    let ro = phases::read_only(args, &ws, &sim).await?;
    check_plan(&ws.expected, &ro.summary);
    step(&format!("apply: {} runs", args.apply_runs()));
    let applies = phases::apply(args, &ws, &sim).await?;
    let replan = phases::replan(&ws, &sim).await?;
    let daemon = if args.no_daemon {
        None
    } else {
        step(&format!(
            "daemon: start, {} s at rest, one edit",
            args.idle_secs
        ));
        Some(daemon::measure(args, &ws, &sim).await?)
    };
    let multi = if args.multi_targets == 0 {
        None
    } else {
        step(&format!(
            "many targets: {} × {} users",
            args.multi_targets,
            multi::users_per_target(args)
        ));
        Some(multi::measure(args, &ws.root).await?)
    };

    let load_average = [load_before, procs::load_average()];
    let results = report::collect(
        args,
        load_average,
        round_trip,
        &ro,
        &applies,
        &replan,
        daemon,
    );
    let results = report::Results { multi, ..results };
    let results = report::Results {
        targets: targets::judge(args, &results),
        ..results
    };
    print!("{}", report::table(&results));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&results)? + "\n")?;
        step(&format!("wrote {}", path.display()));
    }
    if let Some(dir) = &args.keep {
        step(&format!("kept the workspace in {}", dir.display()));
    }
    Ok(())
}

/// Warns when the plan is not the drift the generator made: the numbers would mislead.
fn check_plan(expected: &world::Expected, got: &phases::Summary) {
    let pairs = [
        ("creates", expected.creates, got.creates),
        ("updates", expected.updates, got.updates),
        (
            "workflows changed",
            expected.workflows_changed,
            got.workflows_changed,
        ),
        ("joins and leaves", expected.memberships, got.memberships),
    ];
    for (what, want, have) in pairs {
        if want != have {
            eprintln!("warning: the plan has {have} {what}, the generator made {want}");
        }
    }
}
