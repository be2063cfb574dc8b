//! `roster daemon`: one reconcile loop fed by many triggers (start-up, file changes, the
//! schedule, an `expires` instant, SIGHUP, retries after failure), running the same reconcile as `apply`.
//!
//! At most one reconcile runs and at most one waits. An invalid config or manifest is logged
//! with its location and the last good desired state is kept. A tripped mass-change guard holds
//! the guarded removals back and applies the rest. Vendor errors requeue with backoff; the
//! daemon never exits on them. SIGTERM/SIGINT let in-flight requests finish, then exit 0.

pub mod expiry;
pub mod metrics;
pub mod schedule;
pub mod systemd;
pub mod trigger;
pub mod watch;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::apply::{Outcome, Stop};
use crate::coordination::local::LocalLocks;
use crate::coordination::{Coordinator, Ownership};
use crate::exit;
use crate::plan::{Guards, Summary, TargetPlan};
use crate::reconcile::{self, Loaded};
use crate::vendor::http::Stats;

use metrics::{KindLabel, Metrics, RequestLabel, ResultLabel, TargetLabel};
use trigger::{Queue, Trigger};

const RETRY_BASE: Duration = Duration::from_secs(5);
const RETRY_CAP: Duration = Duration::from_secs(300);

struct Daemon {
    config_path: PathBuf,
    metrics: Arc<Metrics>,
    queue: Queue,
    stop: Stop,
    last_good: Option<Loaded>,
    watch: Option<watch::Watch>,
    failures: u32,
    retry: Option<tokio::task::JoinHandle<()>>,
    /// Beaten on every idle iteration and on every vendor answer or finished change.
    heartbeat: systemd::Heartbeat,
    /// How often to beat: a quarter of `WatchdogSec=`; `None` without a watchdog.
    beat_every: Option<Duration>,
    /// Wakes the loop at each `expires` instant of the adopted state.
    ends: expiry::Ends,
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(config_path: &Path) -> anyhow::Result<u8> {
    let loaded = match reconcile::load(config_path) {
        Ok(l) => l,
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("error: no valid config and manifests to start from");
            return Ok(exit::ERROR);
        }
    };
    let settings = loaded.config.daemon.clone();
    let schedule = schedule::Schedule::parse(&settings.schedule, settings.timezone.as_deref())
        .map_err(anyhow::Error::msg)?;
    let metrics = Metrics::new();
    metrics.manifests_valid.set(1);
    let (addr, _server) = metrics::serve(&settings.listen, metrics.clone()).await?;
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, schedule = %settings.schedule, mode = if settings.apply { "apply" } else { "plan" }, "daemon started");

    let (queue, mut rx) = Queue::new();
    let stop = Stop::default();
    let (shutdown_tx, mut shutdown) = tokio::sync::watch::channel(false);
    tokio::spawn(signals(queue.clone(), stop.clone(), shutdown_tx));
    tokio::spawn(schedule::run(
        schedule,
        schedule::SystemClock,
        queue.clone(),
    ));
    let heartbeat = systemd::Heartbeat::new();
    let beat_every = systemd::watchdog_interval().map(systemd::beat_period);
    tokio::spawn(systemd::watchdog(heartbeat.clone()));

    let ends = expiry::Ends::start(schedule::SystemClock, queue.clone(), metrics.clone());
    let mut d = Daemon {
        config_path: config_path.to_path_buf(),
        metrics,
        queue: queue.clone(),
        stop,
        last_good: None,
        watch: None,
        failures: 0,
        retry: None,
        heartbeat: heartbeat.clone(),
        beat_every,
        ends,
    };
    d.adopt(loaded, settings.debounce);
    systemd::ready();
    queue.push(Trigger::Startup);

    let mut idle = beat_every.map(|every| {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        tick
    });
    loop {
        heartbeat.beat();
        let idle_tick = async {
            match idle.as_mut() {
                Some(tick) => tick.tick().await,
                None => std::future::pending().await,
            }
        };
        let trigger = tokio::select! {
            _ = shutdown.changed() => break,
            t = rx.recv() => match t { Some(t) => t, None => break },
            _ = idle_tick => continue,
        };
        d.reconcile(trigger).await;
        if trigger == Trigger::Signal {
            systemd::ready();
        }
        if *shutdown.borrow() {
            break;
        }
    }
    systemd::stopping();
    tracing::info!("daemon stopped");
    Ok(exit::OK)
}

async fn signals(queue: Queue, stop: Stop, shutdown: tokio::sync::watch::Sender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    loop {
        tokio::select! {
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading");
                systemd::reloading();
                queue.push(Trigger::Signal);
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    tracing::info!("stopping: letting in-flight requests finish, starting nothing new");
    stop.request();
    let _ = shutdown.send(true);
}

impl Daemon {
    /// Makes a newly validated state the one to reconcile against, re-watching if its folders moved.
    fn adopt(&mut self, loaded: Loaded, debounce: Duration) {
        let plan = watch::Plan::new(&self.config_path, &loaded.config.manifests);
        let moved = self.watch.as_ref().is_none_or(|w| w.plan != plan);
        if moved {
            match watch::start(plan, debounce, self.queue.clone()) {
                Ok(w) => self.watch = Some(w),
                Err(e) => tracing::error!(error = %e, "cannot watch the manifests"),
            }
        }
        self.ends.set(&loaded.desired);
        self.last_good = Some(loaded);
    }

    async fn reconcile(&mut self, trigger: Trigger) {
        let started = Instant::now();
        tracing::info!(trigger = trigger.as_str(), "reconcile started");
        if trigger != Trigger::Startup {
            match reconcile::load(&self.config_path) {
                Ok(l) => {
                    self.metrics.manifests_valid.set(1);
                    let debounce = l.config.daemon.debounce;
                    self.adopt(l, debounce);
                }
                Err(problems) => {
                    self.metrics.manifests_valid.set(0);
                    for p in &problems.0 {
                        tracing::error!("invalid desired state, keeping the last good one: {p}");
                    }
                }
            }
        }
        let result = self.reconcile_last_good().await;
        let elapsed = started.elapsed();
        self.metrics.duration.observe(elapsed.as_secs_f64());
        let label = |r: &str| ResultLabel {
            result: r.to_string(),
        };
        match &result {
            Ok(summary) => {
                self.metrics
                    .reconciles
                    .get_or_create(&label("success"))
                    .inc();
                self.metrics.last_ok.store(true, Ordering::SeqCst);
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .unwrap_or_default();
                self.metrics.last_success.set(now);
                self.failures = 0;
                if let Some(r) = self.retry.take() {
                    r.abort();
                }
                tracing::info!(
                    trigger = trigger.as_str(),
                    ms = elapsed.as_millis() as u64,
                    "reconcile done: {summary}"
                );
                systemd::status(&format!(
                    "{} ({}): {summary}",
                    chrono::Utc::now().format("%H:%M:%S"),
                    trigger.as_str()
                ));
            }
            Err(e) => {
                self.metrics
                    .reconciles
                    .get_or_create(&label("failure"))
                    .inc();
                self.metrics.last_ok.store(false, Ordering::SeqCst);
                self.failures += 1;
                let wait = RETRY_BASE
                    .saturating_mul(1 << (self.failures - 1).min(10))
                    .min(RETRY_CAP);
                tracing::error!(
                    trigger = trigger.as_str(),
                    retry_in_s = wait.as_secs(),
                    "reconcile failed: {e:#}"
                );
                systemd::status(&format!(
                    "reconcile failed, retrying in {}s: {e:#}",
                    wait.as_secs()
                ));
                if !self.stop.requested() {
                    let queue = self.queue.clone();
                    if let Some(r) = self.retry.replace(tokio::spawn(async move {
                        tokio::time::sleep(wait).await;
                        queue.push(Trigger::Retry);
                    })) {
                        r.abort();
                    }
                }
            }
        }
    }

    /// Plans and (in apply mode) applies the last good state; returns a one-line summary.
    async fn reconcile_last_good(&mut self) -> anyhow::Result<String> {
        let Some(loaded) = self.last_good.as_ref() else {
            anyhow::bail!("no valid desired state yet");
        };
        let apply_mode = loaded.config.daemon.apply;
        let mut owned = Vec::new();
        if apply_mode {
            let locks = LocalLocks::new(&loaded.config.state_dir);
            for name in loaded.config.targets.keys() {
                owned.push(locks.acquire(name).await?);
            }
        }
        let stats = Arc::new(Stats::default());
        let answers = || stats.total() + stats.retries();
        let planned = systemd::beating(
            reconcile::plan_with(loaded, stats.clone(), &self.stop, Guards::Hold),
            &self.heartbeat,
            self.beat_every,
            answers,
        )
        .await;
        self.record_requests(&stats);
        let planned = planned?;
        for t in &planned.plan.targets {
            if let Some(trip) = &t.guard {
                tracing::warn!("guard tripped, holding removals back: {trip}");
                self.metrics
                    .guards_tripped
                    .get_or_create(&TargetLabel {
                        target: t.target.clone(),
                    })
                    .inc();
            }
        }
        let summary = plan_summary(&planned.plan.targets);
        if !apply_mode {
            for t in &planned.plan.targets {
                self.set_pending(&t.target, changes_in(t));
            }
            return Ok(format!("plan mode, {summary}"));
        }
        for o in &owned {
            o.fence().await?;
        }
        let heartbeat = self.heartbeat.clone();
        let beat: Arc<dyn Fn() + Send + Sync> = Arc::new(move || heartbeat.beat());
        let reports = systemd::beating(
            reconcile::apply_with(loaded, &planned, &self.stop, Some(beat)),
            &self.heartbeat,
            self.beat_every,
            answers,
        )
        .await;
        self.record_requests(&stats);
        let mut failed = Vec::new();
        for (r, t) in reports.iter().zip(&planned.plan.targets) {
            for s in &r.steps {
                match &s.outcome {
                    Outcome::Done | Outcome::Accepted(_) => {
                        let kind = s.kind.as_str().to_string();
                        self.metrics
                            .changes
                            .get_or_create(&KindLabel { kind })
                            .inc();
                    }
                    Outcome::Failed(why) => {
                        failed.push(format!("{}: {}: {why}", r.target, s.change))
                    }
                    Outcome::NotStarted => {
                        failed.push(format!("{}: {}: not started", r.target, s.change))
                    }
                }
            }
            self.set_pending(
                &t.target,
                (r.failed() + r.not_started() + t.held.len()) as i64,
            );
        }
        if !failed.is_empty() {
            anyhow::bail!("{} change(s) failed: {}", failed.len(), failed.join("; "));
        }
        Ok(summary)
    }

    fn set_pending(&self, target: &str, n: i64) {
        self.metrics
            .pending_drift
            .get_or_create(&TargetLabel {
                target: target.to_string(),
            })
            .set(n);
    }

    /// Adds the requests made since the last call to the counters.
    fn record_requests(&self, stats: &Stats) {
        for ((endpoint, status), n) in stats.take() {
            self.metrics
                .requests
                .get_or_create(&RequestLabel { endpoint, status })
                .inc_by(n);
        }
        self.metrics.retries.inc_by(stats.take_retries());
    }
}

fn changes_in(t: &TargetPlan) -> i64 {
    let s = Summary::of(std::slice::from_ref(t));
    (s.create + s.update + s.membership_changes + s.delete + s.deactivate) as i64
}

/// The status line's summary: the plan's counts.
fn plan_summary(targets: &[TargetPlan]) -> String {
    Summary::of(targets).counts()
}
