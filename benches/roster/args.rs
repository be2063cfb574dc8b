//! The benchmark's command line. Every knob has a default, so `cargo bench --bench roster`
//! alone measures 10,000 users.

use std::path::PathBuf;

/// Measures roster against `roster sim xtracta` (a separate process): load, fetch, plan,
/// render and apply, vendor requests against the minimum, peak memory, and the daemon at rest.
#[derive(clap::Parser, Debug, Clone)]
#[command(name = "roster-bench")]
pub struct Args {
    /// desired users (all in the target's group)
    #[arg(long, default_value_t = 10_000)]
    pub users: usize,
    /// manifest files the users are spread over
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub files: u32,
    /// workflows in the vendor account (each user is in one or two)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(2..))]
    pub workflows: u32,
    /// share of users whose name differs at the vendor (an update each)
    #[arg(long, default_value = "0.10", value_parser = share)]
    pub renamed: f64,
    /// share of users whose workflows differ at the vendor (joins and leaves)
    #[arg(long, default_value = "0.05", value_parser = share)]
    pub workflow_drift: f64,
    /// share of users missing at the vendor (a create each)
    #[arg(long, default_value = "0.05", value_parser = share)]
    pub missing: f64,
    /// simulated vendor latency per request, in milliseconds
    #[arg(long, default_value_t = 20)]
    pub latency: u64,
    /// parallel writes (the target's `concurrency`)
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// requests per second (the target's `rate_limit`; default: none)
    #[arg(long)]
    pub rate_limit: Option<f64>,
    /// repetitions of the read-only phases; the table shows medians
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// repetitions of apply, each from the same drifted world (default: the smaller of --runs and 3)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub apply_runs: Option<u32>,
    /// skip the daemon measurements
    #[arg(long)]
    pub no_daemon: bool,
    /// targets of the multi-target case (issue 13); 0 skips it
    #[arg(long, default_value_t = 50)]
    pub multi_targets: usize,
    /// users per target of the multi-target case [default: 2000, or --users / 5 when fewer]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub multi_users: Option<u64>,
    /// seconds to sample the daemon's CPU while nothing changes
    #[arg(long, default_value_t = 5)]
    pub idle_secs: u64,
    /// the daemon's debounce, in milliseconds
    #[arg(long, default_value_t = 200)]
    pub debounce_ms: u64,
    /// also write the results as JSON to this file
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// generate the workspace (config, manifests, seed) here and keep it, instead of a temporary folder
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// passed by `cargo bench`; ignored
    #[arg(long, hide = true)]
    pub bench: bool,
}

impl Args {
    pub fn apply_runs(&self) -> u32 {
        self.apply_runs.unwrap_or(self.runs.min(3))
    }

    /// The ideal apply throughput, in changes per second: `min(concurrency / latency, rate_limit)`.
    pub fn ideal_throughput(&self) -> f64 {
        let by_latency = if self.latency == 0 {
            f64::INFINITY
        } else {
            f64::from(self.concurrency) * 1000.0 / self.latency as f64
        };
        self.rate_limit.map_or(by_latency, |r| by_latency.min(r))
    }
}

fn share(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (text, 1.0),
    };
    let x: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {text}"))?;
    let x = x / scale;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("must be between 0 and 1 (or 0% and 100%): {text}"))
    }
}
