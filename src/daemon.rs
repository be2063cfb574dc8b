//! `roster daemon`: one independent reconcile loop per target ([`worker`]), fed by triggers
//! that reach every target (start-up, file changes, the schedule, an `expires` instant,
//! SIGHUP) and by each target's
//! own retries, running the same reconcile as `apply`.
//!
//! This module loads the desired state on each trigger and hands each target its part: an
//! invalid config or manifest is logged with its location and holds back only the targets it
//! touches (they keep their last good state; see `reconcile::attribute`), a problem elsewhere in
//! the config holds back every target. Targets reconcile concurrently, `parallel_targets` at a
//! time; a failing target retries on its own backoff and never delays the others. A tripped
//! mass-change guard holds the guarded removals back and applies the rest. SIGTERM/SIGINT let
//! in-flight requests finish, then exit 0 (with etcd: after releasing every target).
//!
//! With `coordination.etcd` (read at start; a reload does not change it), the claim loop of
//! [`owners`] shares the targets with the other daemons and each worker reconciles only the
//! targets this daemon owns.

pub mod expiry;
pub mod health;
pub mod metrics;
pub mod owners;
pub mod schedule;
pub mod systemd;
pub mod trigger;
pub mod watch;
mod worker;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::apply::Stop;
use crate::config::Config;
use crate::diag::Problems;
use crate::exit;
use crate::reconcile::attribute::{self, Attributed, FileTargets};

use metrics::Metrics;
use trigger::{Queue, Trigger};
use worker::{Handle, Shared, Snapshot};

struct Daemon {
    config_path: PathBuf,
    queue: Queue,
    shared: Arc<Shared>,
    workers: BTreeMap<String, Handle>,
    watch: Option<watch::Watch>,
    /// `daemon.mode` of the latest valid config.
    apply: bool,
    /// Permits of `shared.permits`: the latest valid `parallel_targets`.
    parallel: usize,
    /// Beaten while every target is idle or progressing; the watchdog pings while it is fresh.
    heartbeat: systemd::Heartbeat,
    /// `WatchdogSec=`, when systemd asked for pings.
    watchdog: Option<Duration>,
    /// Wakes the loop at each `expires` instant of the adopted state.
    ends: expiry::Ends,
    /// The manifest files parsed by the last load, reused while their bytes stay the same.
    cache: crate::manifest::Cache,
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(config_path: &Path) -> anyhow::Result<u8> {
    let mut cache = crate::manifest::Cache::default();
    let first = match attribute::load(config_path, &FileTargets::new(), &mut cache) {
        Ok(a)
            if a.loaded
                .config
                .targets
                .keys()
                .any(|t| !a.held.contains_key(t)) =>
        {
            a
        }
        Ok(a) => {
            eprintln!("{}", Problems(a.held.into_values().flatten().collect()));
            eprintln!("error: no valid config and manifests to start from");
            return Ok(exit::ERROR);
        }
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("error: no valid config and manifests to start from");
            return Ok(exit::ERROR);
        }
    };
    let settings = first.loaded.config.daemon.clone();
    let schedule = schedule::Schedule::parse(&settings.schedule, settings.timezone.as_deref())
        .map_err(anyhow::Error::msg)?;
    let metrics = Metrics::new();
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
    let watchdog = systemd::watchdog_interval();
    let beat_every = watchdog.map(systemd::beat_period);
    tokio::spawn(systemd::watchdog(heartbeat.clone()));

    let ends = expiry::Ends::start(schedule::SystemClock, queue.clone(), metrics.clone());
    let parallel = first.loaded.config.parallel_targets;
    let (grants, claims) = coordinate(&first.loaded.config, &metrics, &stop)?;
    let mut d = Daemon {
        config_path: config_path.to_path_buf(),
        queue,
        shared: Arc::new(Shared {
            metrics,
            stop,
            permits: Arc::new(Semaphore::new(parallel)),
            beat_every,
            grants,
            bursts: watch::Bursts::default(),
        }),
        workers: BTreeMap::new(),
        watch: None,
        apply: settings.apply,
        parallel,
        heartbeat,
        watchdog,
        ends,
        cache,
    };
    d.adopt(Ok(first));
    systemd::ready();
    d.dispatch(Trigger::Startup);

    let mut idle = beat_every.map(|every| {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        tick
    });
    loop {
        d.beat();
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
        tracing::info!(trigger = trigger.as_str(), "reloading the desired state");
        let loaded = attribute::load(&d.config_path, &d.file_targets(), &mut d.cache);
        d.adopt(loaded);
        d.dispatch(trigger);
        if trigger == Trigger::Signal {
            systemd::ready();
        }
    }
    for (_, w) in std::mem::take(&mut d.workers) {
        w.stop().await;
    }
    if let Some(claims) = claims {
        // Releases every target and revokes the lease, so that the others take over at once.
        let _ = tokio::time::timeout(Duration::from_secs(10), claims).await;
    }
    systemd::stopping();
    tracing::info!("daemon stopped");
    Ok(exit::OK)
}

type Coordinated = (
    Option<Arc<owners::Grants>>,
    Option<tokio::task::JoinHandle<()>>,
);

/// With `coordination.etcd` (read once, at start): the grants the workers need, and the claim
/// loop that hands them out.
fn coordinate(config: &Config, metrics: &Arc<Metrics>, stop: &Stop) -> anyhow::Result<Coordinated> {
    let Some(c) = &config.coordination else {
        return Ok((None, None));
    };
    #[cfg(feature = "etcd")]
    {
        let settings =
            crate::coordination::etcd::EtcdSettings::from_config(&c.etcd, &config.base_dir)?;
        let grants = Arc::new(owners::Grants::default());
        tracing::info!(prefix = %settings.prefix, "sharing the targets with other daemons through etcd");
        let task = tokio::spawn(owners::claims::run(
            settings,
            grants.clone(),
            metrics.clone(),
            stop.clone(),
        ));
        Ok((Some(grants), Some(task)))
    }
    #[cfg(not(feature = "etcd"))]
    {
        let _ = (c, metrics, stop);
        anyhow::bail!("coordination: this roster was built without etcd (cargo feature `etcd`)")
    }
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
    /// Beats the heartbeat unless a target's reconcile made no progress within half of
    /// `WatchdogSec=`: one stuck target stops the pings, so that systemd restarts roster.
    fn beat(&self) {
        let Some(interval) = self.watchdog else {
            return;
        };
        if self.workers.values().all(|w| w.progressing(interval / 2)) {
            self.heartbeat.beat();
        }
    }

    /// Queues a reconcile of every target; an expiry's only of the targets whose access ended.
    fn dispatch(&self, trigger: Trigger) {
        let due = (trigger == Trigger::Expiry).then(|| self.ends.take_due());
        for (name, w) in &self.workers {
            if due
                .as_ref()
                .is_none_or(|d| d.is_empty() || d.contains(name))
            {
                w.push(trigger);
            }
        }
    }

    /// The files each target's last good users come from, to attribute the next load's problems.
    fn file_targets(&self) -> FileTargets {
        let users: Vec<(&str, Arc<Vec<crate::model::DesiredUser>>)> = self
            .workers
            .iter()
            .map(|(n, w)| (n.as_str(), w.users()))
            .collect();
        attribute::file_targets(users.iter().map(|(n, u)| (*n, u.as_slice())))
    }

    /// Hands each target its part of a load: a valid part replaces its state, a problem that
    /// touches it keeps its last good one. Starts workers for new targets and ends those of
    /// targets that left the config.
    fn adopt(&mut self, loaded: Result<Attributed, Problems>) {
        let m = self.shared.metrics.clone();
        let a = match loaded {
            Ok(a) => a,
            Err(problems) => {
                m.manifests_valid.set(0);
                for p in &problems.0 {
                    tracing::error!(
                        "invalid desired state, keeping every target's last good one: {p}"
                    );
                }
                for w in self.workers.values() {
                    w.hold(self.apply);
                }
                return;
            }
        };
        m.manifests_valid.set(i64::from(a.held.is_empty()));
        for (target, problems) in &a.held {
            for p in problems {
                tracing::error!(target = %target, "invalid desired state, keeping target {target}'s last good one: {p}");
            }
        }
        let config = Arc::new(a.loaded.config);
        self.apply = config.daemon.apply;
        self.resize(config.parallel_targets);
        self.rewatch(&config);
        let gone: Vec<String> = self
            .workers
            .keys()
            .filter(|n| !config.targets.contains_key(*n) && !a.held.contains_key(*n))
            .cloned()
            .collect();
        for name in gone {
            if let Some(w) = self.workers.remove(&name) {
                tracing::info!(target = %name, "target left the config");
                m.forget(&name);
                tokio::spawn(w.stop());
            }
        }
        let mut users = a.loaded.desired.by_target;
        let names: std::collections::BTreeSet<&String> =
            config.targets.keys().chain(a.held.keys()).collect();
        for name in names {
            if a.held.contains_key(name) {
                match self.workers.get(name) {
                    Some(w) => w.hold(self.apply),
                    None => {
                        tracing::warn!(target = %name, "target {name} has no valid desired state yet; not reconciled")
                    }
                }
                continue;
            }
            let snapshot = Snapshot {
                config: config.clone(),
                users: users.remove(name).unwrap_or_default(),
                current: true,
                apply: self.apply,
            };
            match self.workers.get(name) {
                Some(w) => w.update(snapshot),
                None => {
                    let w = Handle::spawn(name, snapshot, self.shared.clone());
                    self.workers.insert(name.clone(), w);
                }
            }
        }
        let users: Vec<(String, Arc<Vec<crate::model::DesiredUser>>)> = self
            .workers
            .iter()
            .map(|(n, w)| (n.clone(), w.users()))
            .collect();
        self.ends
            .set(users.iter().map(|(n, u)| (n.as_str(), u.as_slice())));
    }

    /// Makes `parallel_targets` permits available, however many there were.
    fn resize(&mut self, parallel: usize) {
        let permits = self.shared.permits.clone();
        if parallel > self.parallel {
            permits.add_permits(parallel - self.parallel);
        } else if parallel < self.parallel {
            let fewer = u32::try_from(self.parallel - parallel).unwrap_or(u32::MAX);
            // Taken as reconciles end, then forgotten.
            tokio::spawn(async move {
                if let Ok(p) = permits.acquire_many_owned(fewer).await {
                    p.forget();
                }
            });
        }
        self.parallel = parallel;
    }

    /// Watches the manifests and the config, again when their folders moved.
    fn rewatch(&mut self, config: &Config) {
        let plan = watch::Plan::new(&self.config_path, &config.manifests);
        if self.watch.as_ref().is_none_or(|w| w.plan != plan) {
            let bursts = self.shared.bursts.clone();
            match watch::start(plan, config.daemon.debounce, self.queue.clone(), bursts) {
                Ok(w) => self.watch = Some(w),
                Err(e) => tracing::error!(error = %e, "cannot watch the manifests"),
            }
        }
    }
}
