//! Watches the manifests and the config for changes and queues a reconcile.
//!
//! Directories are watched, never single files: editors' atomic saves (write a temporary file,
//! rename it over the old one), a `git checkout` swapping many files and a Kubernetes
//! ConfigMap's `..data` symlink swap all replace directory entries, which a file watch would
//! lose. `notify`'s watcher (inotify; re-exported by `notify-debouncer-full`) sends its events
//! to one thread that blocks on them and debounces (`debounce`): no timer ticks at rest.
//! `.git/`, editors' temporary files, non-YAML files and reads are ignored. This module only
//! triggers; it never reads manifests. When a burst of changes begins it also tells
//! [`Bursts`], so that the workers may fetch their vendor lists while the debounce waits.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use notify_debouncer_full::notify::{
    self, Event, EventHandler, EventKind, RecommendedWatcher, RecursiveMode, Watcher,
};

mod debounce;

/// Tells the workers that a burst of file changes began: a reconcile will follow once the
/// debounce has passed. Cheap to clone; a worker [`subscribe`](Bursts::subscribe)s once.
#[derive(Clone, Debug)]
pub(crate) struct Bursts(std::sync::Arc<tokio::sync::watch::Sender<u64>>);

impl Default for Bursts {
    fn default() -> Self {
        Bursts(std::sync::Arc::new(tokio::sync::watch::channel(0).0))
    }
}

impl Bursts {
    /// A burst began.
    pub(crate) fn began(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes each time a burst begins after this call.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.0.subscribe()
    }
}

use super::trigger::{Queue, Trigger};
use debounce::Channel;

/// What to watch: folders, and which of their entries matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// (folder, recursive)
    pub dirs: Vec<(PathBuf, bool)>,
    /// The config file's name, relevant in its folder.
    pub config_name: String,
}

impl Plan {
    /// The manifests folder (recursively), the folder holding it (to see it replaced through a
    /// symlink), and the config's folder.
    pub fn new(config: &Path, manifests: &Path) -> Plan {
        let mut dirs = Vec::new();
        let parent = |p: &Path| match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if manifests.is_dir() {
            // The real folder: when `manifests` is a symlink that gets swapped, the plan
            // changes and the daemon watches the new folder.
            let real = std::fs::canonicalize(manifests).unwrap_or_else(|_| manifests.to_path_buf());
            dirs.push((real, true));
        }
        dirs.push((parent(manifests), false));
        let config_dir = parent(config);
        if !dirs.iter().any(|(d, _)| d == &config_dir) {
            dirs.push((config_dir, false));
        }
        Plan {
            dirs,
            config_name: config
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

/// Whether a changed path can change the desired state.
pub fn relevant(path: &Path, config_name: &str) -> bool {
    if path.components().any(|c| c.as_os_str() == ".git") {
        return false;
    }
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    if name == config_name || name == "..data" {
        return true;
    }
    let temp = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with(".#")
        || name == "4913";
    if temp {
        return false;
    }
    // A YAML file, or something without an extension (a folder created, removed or swapped).
    crate::manifest::is_manifest_name(&name)
        || (!name.contains('.') && !name.starts_with('.'))
        || name.starts_with("..")
}

/// What the debounce thread hears.
enum Heard {
    Event(notify::Result<Event>),
    /// The [`Watch`] was dropped.
    Stop,
}

/// Events the watcher queues for the debounce thread; a full queue holds the watcher back.
const BACKLOG: usize = 4096;

struct Forward(mpsc::SyncSender<Heard>);

impl EventHandler for Forward {
    fn handle_event(&mut self, event: notify::Result<Event>) {
        let _ = self.0.send(Heard::Event(event));
    }
}

/// What an event changed that can matter, for the log; `None` when nothing did.
fn change(heard: &Heard, config_name: &str) -> Option<String> {
    let event = match heard {
        Heard::Stop => return None,
        Heard::Event(Err(e)) => {
            tracing::warn!(error = %e, "file watch error");
            return Some("a file watch error".to_string());
        }
        Heard::Event(Ok(event)) => event,
    };
    if event.need_rescan() {
        // The kernel dropped events: anything may have changed.
        return Some("events lost by the watch".to_string());
    }
    // Reading a file is an event too (roster reads the config on every reconcile): only
    // changes count.
    if matches!(event.kind, EventKind::Access(_)) {
        return None;
    }
    event
        .paths
        .iter()
        .find(|p| relevant(p, config_name))
        .map(|p| p.display().to_string())
}

/// A source that closes on [`Heard::Stop`].
struct Until(Channel<Heard>);

impl debounce::Source for Until {
    type Event = Heard;

    fn now(&self) -> std::time::Instant {
        self.0.now()
    }

    fn next(&mut self, deadline: Option<std::time::Instant>) -> debounce::Next<Heard> {
        match self.0.next(deadline) {
            debounce::Next::Event(Heard::Stop) => debounce::Next::Closed,
            other => other,
        }
    }
}

/// A running watch; dropping it stops watching and ends its thread.
pub struct Watch {
    _watcher: RecommendedWatcher,
    stop: mpsc::SyncSender<Heard>,
    thread: Option<JoinHandle<()>>,
    pub plan: Plan,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.stop.send(Heard::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts watching according to `plan`.
pub(crate) fn start(
    plan: Plan,
    debounce: Duration,
    queue: Queue,
    bursts: Bursts,
) -> anyhow::Result<Watch> {
    let (tx, rx) = mpsc::sync_channel(BACKLOG);
    let mut watcher = RecommendedWatcher::new(Forward(tx.clone()), notify::Config::default())?;
    for (dir, recursive) in &plan.dirs {
        let mode = if *recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        if let Err(e) = watcher.watch(dir, mode) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot watch folder");
        }
    }
    let config_name = plan.config_name.clone();
    let thread = std::thread::Builder::new()
        .name("roster watch".to_string())
        .spawn(move || {
            let in_burst = std::cell::Cell::new(false);
            debounce::run(
                &mut Until(Channel(rx)),
                debounce,
                |heard| {
                    let changed = change(heard, &config_name);
                    if changed.is_some() && !in_burst.replace(true) {
                        bursts.began();
                    }
                    changed
                },
                |what| {
                    in_burst.set(false);
                    tracing::info!(path = %what, "change detected");
                    queue.push(Trigger::FileChange);
                },
            );
        })?;
    Ok(Watch {
        _watcher: watcher,
        stop: tx,
        thread: Some(thread),
        plan,
    })
}

#[cfg(test)]
mod tests {
    use notify::event::{AccessKind, AccessMode, CreateKind, Flag, ModifyKind};

    use super::*;

    fn event(kind: EventKind, path: &str) -> Heard {
        Heard::Event(Ok(Event::new(kind).add_path(PathBuf::from(path))))
    }

    #[test]
    fn changes_count_reads_and_ignored_paths_do_not() {
        let c = "roster.yaml";
        let created = event(EventKind::Create(CreateKind::File), "users/a.yaml");
        assert_eq!(change(&created, c).as_deref(), Some("users/a.yaml"));
        let swapped = event(EventKind::Modify(ModifyKind::Any), "cm/..data");
        assert_eq!(change(&swapped, c).as_deref(), Some("cm/..data"));
        let read = event(
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            "roster.yaml",
        );
        assert_eq!(change(&read, c), None);
        let git = event(EventKind::Modify(ModifyKind::Any), "users/.git/index");
        assert_eq!(change(&git, c), None);
        let lost = Heard::Event(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)));
        assert!(
            change(&lost, c).is_some(),
            "events lost: anything may have changed"
        );
        let failed = Heard::Event(Err(notify::Error::generic("inotify broke")));
        assert!(change(&failed, c).is_some());
        assert_eq!(change(&Heard::Stop, c), None);
    }

    #[test]
    fn a_change_queues_a_reconcile_and_dropping_the_watch_ends_its_thread() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan {
            dirs: vec![(dir.path().to_path_buf(), true)],
            config_name: "roster.yaml".to_string(),
        };
        let (queue, mut rx) = Queue::new();
        let bursts = Bursts::default();
        let began = bursts.subscribe();
        let watch = start(plan, Duration::from_millis(20), queue, bursts).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "users: []\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match rx.try_recv() {
                Ok(t) => {
                    assert!(began.has_changed().unwrap(), "the burst was told first");
                    break assert_eq!(t, Trigger::FileChange);
                }
                Err(e) => assert!(
                    std::time::Instant::now() < deadline,
                    "no reconcile queued: {e}"
                ),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(watch);
        // The thread held the queue's last sender: it is gone once the thread has ended (after
        // a trigger it may have queued meanwhile).
        let after = std::iter::from_fn(|| Some(rx.try_recv()))
            .find(|r| *r != Ok(Trigger::FileChange))
            .unwrap();
        assert_eq!(
            after,
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected)
        );
    }

    #[test]
    fn relevance() {
        let c = "roster.yaml";
        assert!(relevant(Path::new("users/a.yaml"), c));
        assert!(relevant(Path::new("users/a.yml"), c));
        assert!(relevant(Path::new("etc/roster.yaml"), c));
        assert!(relevant(Path::new("cm/..data"), c));
        assert!(relevant(Path::new("cm/..2026_11_24_10_00_00.123"), c));
        assert!(relevant(Path::new("users/team"), c));
        assert!(!relevant(Path::new("users/.git/index"), c));
        assert!(!relevant(Path::new("users/.a.yaml.swp"), c));
        assert!(!relevant(Path::new("users/a.yaml~"), c));
        assert!(!relevant(Path::new("users/4913"), c));
        assert!(!relevant(Path::new("users/README.md"), c));
        assert!(!relevant(Path::new("users/.#a.yaml"), c));
    }
}
