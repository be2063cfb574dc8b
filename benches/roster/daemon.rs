//! `roster daemon` as a separate process on the generated workspace: time to the first
//! reconcile, CPU and wake-ups while nothing changes, resident memory, and how long a
//! manifest edit takes to reach the vendor.

use std::time::{Duration, Instant};

use anyhow::Context;

use crate::args::Args;
use crate::procs::{self, Served};
use crate::sim::{self, Sim};
use crate::world::Workspace;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct DaemonResults {
    /// From spawning the process to `roster_reconciles_total` appearing in `/metrics`.
    pub first_reconcile_s: f64,
    pub idle_s: f64,
    /// CPU time over the idle window, all threads.
    pub idle_cpu_s: f64,
    /// Context switches over the idle window, all threads: wake-ups.
    pub idle_wakeups: u64,
    pub idle_wakeups_by_thread: std::collections::BTreeMap<String, u64>,
    pub threads: u64,
    /// Resident memory at rest (of which anonymous: the heap and stacks), and the peak so far.
    pub rss_bytes: u64,
    pub rss_anon_bytes: u64,
    pub peak_bytes: u64,
    /// From the atomic save of one manifest to the vendor answering the update.
    pub edit_to_vendor_s: f64,
    /// How long the reconcile the edit caused took (the rest is the debounce and the watch).
    pub edit_reconcile_s: f64,
    /// Vendor requests the edit caused.
    pub edit_requests: u64,
}

async fn metrics(http: &reqwest::Client, d: &Served) -> anyhow::Result<String> {
    Ok(http.get(d.url("/metrics")).send().await?.text().await?)
}

/// The sum of the values of the series whose line starts with `series` and holds `label`.
fn value(metrics: &str, series: &str, label: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(series) && l.contains(label))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Reconciles by result, every target's together.
const RECONCILES: &str = "roster_reconciles_total{";

fn successes(metrics: &str) -> f64 {
    value(metrics, RECONCILES, "result=\"success\"")
}

const DURATION: &str = "roster_reconcile_duration_seconds_sum";

/// Measures the daemon; the vendor must already match the manifests.
pub async fn measure(args: &Args, ws: &Workspace, sim: &Sim) -> anyhow::Result<DaemonResults> {
    let http = reqwest::Client::new();
    let config = ws.config.to_string_lossy().into_owned();
    let started = Instant::now();
    let d = Served::start(
        &["--config", &config, "daemon"],
        &ws.root,
        ws.root.join("daemon.log"),
    )?;
    let pid = d.pid().to_string();
    let deadline = started + Duration::from_secs(300);
    loop {
        let m = metrics(&http, &d).await.unwrap_or_default();
        if value(&m, RECONCILES, "result=\"failure\"") > 0.0 {
            anyhow::bail!(
                "the daemon's first reconcile failed:\n{}",
                sim::tail(&d.log)
            );
        }
        if m.contains(RECONCILES) {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no reconcile after 300 s:\n{}",
            sim::tail(&d.log)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut out = DaemonResults {
        first_reconcile_s: started.elapsed().as_secs_f64(),
        ..DaemonResults::default()
    };

    // Let start-up settle, then watch it do nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = procs::cpu(d.pid());
    let idle = Duration::from_secs(args.idle_secs);
    tokio::time::sleep(idle).await;
    let used = procs::cpu(d.pid()).since(&before);
    out.idle_s = idle.as_secs_f64();
    out.idle_cpu_s = Duration::from_nanos(used.ns).as_secs_f64();
    out.idle_wakeups = used.switches;
    out.threads = used.threads;
    out.idle_wakeups_by_thread = used.by_thread;
    out.rss_bytes = procs::status_kb(&pid, "VmRSS").unwrap_or(0);
    out.rss_anon_bytes = procs::status_kb(&pid, "RssAnon").unwrap_or(0);
    out.peak_bytes = procs::status_kb(&pid, "VmHWM").unwrap_or(0);

    // An editor's atomic save of one manifest: a rename of user 0.
    let (file, line) = ws.first_user();
    let text = std::fs::read_to_string(&file)?;
    let edited = line.replacen('\n', " (edited)\n", 1);
    anyhow::ensure!(text.contains(&line), "user 0 not in {}", file.display());
    let new_name = edited
        .trim()
        .strip_prefix("name: ")
        .context("name line")?
        .to_string();
    let tmp = file.with_file_name(".edit.yaml.tmp");
    std::fs::write(&tmp, text.replacen(&line, &edited, 1))?;
    sim.reset_requests().await?;
    let busy_before = value(&metrics(&http, &d).await?, DURATION, "");
    let t = Instant::now();
    std::fs::rename(&tmp, &file)?;
    let deadline = t + Duration::from_secs(120);
    loop {
        let counts = sim.requests().await?;
        if counts.get("/v1/user/update").copied().unwrap_or(0) > 0 {
            out.edit_to_vendor_s = t.elapsed().as_secs_f64();
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the edit did not reach the vendor in 120 s:\n{}",
            sim::tail(&d.log)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Let the reconcile finish before counting what it sent.
    let deadline = Instant::now() + Duration::from_secs(120);
    let after = loop {
        let m = metrics(&http, &d).await?;
        if successes(&m) >= 2.0 {
            break m;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the second reconcile did not end"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    out.edit_reconcile_s = value(&after, DURATION, "") - busy_before;
    out.edit_requests = sim::total(&sim.requests().await?);
    let seen = sim.name_of(&crate::world::email(0)).await?;
    anyhow::ensure!(
        seen.as_deref() == Some(new_name.as_str()),
        "after the edit the vendor holds {seen:?}, not {new_name:?}"
    );
    Ok(out)
}
