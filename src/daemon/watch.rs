//! Watches the manifests and the config for changes and queues a reconcile.
//!
//! Directories are watched, never single files: editors' atomic saves (write a temporary file,
//! rename it over the old one), a `git checkout` swapping many files and a Kubernetes
//! ConfigMap's `..data` symlink swap all replace directory entries, which a file watch would
//! lose. Events are debounced (`notify-debouncer-full`), and `.git/`, editors' temporary
//! files and non-YAML files are ignored. This module only triggers; it never reads manifests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::trigger::{Queue, Trigger};

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

/// A running watch; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    pub plan: Plan,
}

/// Starts watching according to `plan`.
pub fn start(plan: Plan, debounce: Duration, queue: Queue) -> anyhow::Result<Watch> {
    let config_name = plan.config_name.clone();
    let mut debouncer =
        new_debouncer(
            debounce,
            None,
            move |result: DebounceEventResult| match result {
                Ok(events) => {
                    // Reading a file is an event too (roster reads the config on every reconcile):
                    // only changes count.
                    let hit = events
                        .iter()
                        .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                        .flat_map(|e| e.paths.iter())
                        .find(|p| relevant(p, &config_name));
                    if let Some(p) = hit {
                        tracing::info!(path = %p.display(), "change detected");
                        queue.push(Trigger::FileChange);
                    }
                }
                Err(errors) => {
                    for e in errors {
                        tracing::warn!(error = %e, "file watch error");
                    }
                    queue.push(Trigger::FileChange);
                }
            },
        )?;
    for (dir, recursive) in &plan.dirs {
        let mode = if *recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        if let Err(e) = debouncer.watch(dir, mode) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot watch folder");
        }
    }
    Ok(Watch {
        _debouncer: debouncer,
        plan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
