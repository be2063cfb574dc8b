//! Finding the manifest files under the `manifests` path, safely against whatever its links
//! do: the path is resolved once (so an atomic swap of a symlinked folder, as git-sync and
//! Kubernetes do, is seen whole or not at all), every folder is walked once by its identity
//! (device, inode), so link loops end; a broken link is a problem naming it, and so is a FIFO,
//! socket or device with a manifest's name. Never opens a file.
//!
//! Complexity: O(entries) stats; at most [`MAX_ENTRIES`] entries are looked at.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::diag::{self, Problem, Problems, Stamp, input};

/// Entries (files and folders, manifests or not) one discovery looks at before giving up: a
/// link to `/` must not make roster walk the whole machine.
pub(crate) const MAX_ENTRIES: usize = 1_000_000;

/// One manifest file found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// Where to read it: below the resolved root.
    pub real: PathBuf,
    /// Where it is as configured: below the `manifests` path as written, for people and for
    /// digests (which must not change when a symlinked root is swapped).
    pub logical: PathBuf,
    /// What it was when found (following links).
    pub stamp: Stamp,
}

/// Every manifest file below `root`, sorted by logical path, or every problem found.
pub(crate) fn scan(root: &Path) -> Result<Vec<Found>, Problems> {
    let shown = diag::display_path(root);
    let lmeta = std::fs::symlink_metadata(root).map_err(|e| {
        one(Problem {
            origin: None,
            message: format!("manifests {shown}: {}", kind_of(&e)),
        })
    })?;
    let real_root = std::fs::canonicalize(root).map_err(|e| {
        let message = if lmeta.file_type().is_symlink() {
            format!("manifests {shown}: {}", broken(root))
        } else {
            format!("manifests {shown}: {}", kind_of(&e))
        };
        one(Problem {
            origin: None,
            message,
        })
    })?;
    let meta = std::fs::metadata(&real_root).map_err(|e| {
        one(Problem {
            origin: None,
            message: format!("manifests {shown}: {}", kind_of(&e)),
        })
    })?;
    if meta.is_file() {
        return Ok(vec![Found {
            real: real_root,
            logical: root.to_path_buf(),
            stamp: Stamp::of(&meta),
        }]);
    }
    if !meta.is_dir() {
        return Err(one(Problem {
            origin: None,
            message: format!(
                "manifests {shown}: not a regular file or folder ({})",
                input::kind(meta.file_type())
            ),
        }));
    }
    let mut walk = Walk {
        seen: HashSet::from([(meta.dev(), meta.ino())]),
        entries: 0,
        found: Vec::new(),
        problems: Problems::default(),
    };
    let mut stack = vec![(real_root, root.to_path_buf())];
    while let Some((real, logical)) = stack.pop() {
        let Some(more) = walk.folder(&real, &logical) else {
            break;
        };
        // Depth first, in name order.
        stack.extend(more.into_iter().rev());
    }
    let Walk {
        mut found,
        problems,
        ..
    } = walk;
    found.sort_by(|a, b| a.logical.cmp(&b.logical));
    problems.into_result(found)
}

struct Walk {
    /// (device, inode) of every folder walked or queued.
    seen: HashSet<(u64, u64)>,
    entries: usize,
    found: Vec<Found>,
    problems: Problems,
}

impl Walk {
    /// Looks at one folder's entries; returns the folders to walk next, or `None` once the
    /// entry limit is reached.
    fn folder(&mut self, real: &Path, logical: &Path) -> Option<Vec<(PathBuf, PathBuf)>> {
        let entries = match std::fs::read_dir(real) {
            Ok(e) => e,
            Err(e) => {
                self.problems.push(Problem {
                    origin: None,
                    message: format!("read {}: {}", diag::display_path(logical), kind_of(&e)),
                });
                return Some(Vec::new());
            }
        };
        let mut listed = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => listed.push(entry),
                Err(e) => self.problems.push(Problem {
                    origin: None,
                    message: format!("read {}: {}", diag::display_path(logical), kind_of(&e)),
                }),
            }
        }
        // Real folders before links, then in name order: a folder reachable twice is always
        // found by the same path, and by its own rather than a link's when it can be.
        listed.sort_by_key(|e| (e.file_type().is_ok_and(|t| t.is_symlink()), e.file_name()));
        let mut next = Vec::new();
        for entry in listed {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            self.entries += 1;
            if self.entries > MAX_ENTRIES {
                self.problems.push(Problem {
                    origin: None,
                    message: format!(
                        "manifests: more than {MAX_ENTRIES} files and folders below the manifests path (does a link point outside it?)"
                    ),
                });
                return None;
            }
            let (real, logical) = (real.join(&*name), logical.join(&*name));
            if let Some(dir) = self.entry(&entry, &name, real, logical) {
                next.push(dir);
            }
        }
        Some(next)
    }

    /// One entry: a manifest is remembered, a folder not yet seen is returned to be walked.
    fn entry(
        &mut self,
        entry: &std::fs::DirEntry,
        name: &str,
        real: PathBuf,
        logical: PathBuf,
    ) -> Option<(PathBuf, PathBuf)> {
        let shown = diag::display_path(&logical);
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        let meta = match std::fs::metadata(&real) {
            Ok(m) => m,
            Err(_) if is_link => {
                self.problems.push(Problem::in_file(&shown, broken(&real)));
                return None;
            }
            Err(e) => {
                self.problems.push(Problem {
                    origin: None,
                    message: format!("read {shown}: {}", kind_of(&e)),
                });
                return None;
            }
        };
        if meta.is_dir() {
            if !self.seen.insert((meta.dev(), meta.ino())) {
                return None;
            }
            // A linked folder is resolved now, once, like the root.
            let real = if is_link {
                std::fs::canonicalize(&real).unwrap_or(real)
            } else {
                real
            };
            return Some((real, logical));
        }
        if !super::is_manifest_name(name) {
            return None;
        }
        if meta.is_file() {
            self.found.push(Found {
                real,
                logical,
                stamp: Stamp::of(&meta),
            });
        } else {
            self.problems.push(Problem::in_file(
                &shown,
                format!(
                    "not a regular file ({}); roster reads only regular files",
                    input::kind(meta.file_type())
                ),
            ));
        }
        None
    }
}

fn one(p: Problem) -> Problems {
    Problems(vec![p])
}

fn kind_of(e: &std::io::Error) -> String {
    e.kind().to_string().to_lowercase()
}

/// `broken link to "…"`, quoting where the link points (escaped: it may hold anything).
fn broken(link: &Path) -> String {
    match std::fs::read_link(link) {
        Ok(to) => format!("broken link to {:?}", to.display().to_string()),
        Err(_) => "broken link".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;
    use std::time::{Duration, Instant};

    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("users/team")).unwrap();
        std::fs::write(dir.path().join("users/a.yaml"), "users: []\n").unwrap();
        std::fs::write(dir.path().join("users/team/b.yml"), "users: []\n").unwrap();
        dir
    }

    /// The found files as paths below `root`, or the problems as text.
    fn found(root: &Path) -> Result<Vec<String>, String> {
        scan(root)
            .map(|f| {
                f.iter()
                    .map(|f| {
                        let rel = f.logical.strip_prefix(root).unwrap();
                        rel.display().to_string()
                    })
                    .collect()
            })
            .map_err(|p| p.to_string())
    }

    #[test]
    fn link_loops_end_and_every_folder_is_walked_once() {
        let dir = tree();
        let users = dir.path().join("users");
        // Two loops in each folder made the old walk exponential.
        for at in ["", "team"] {
            symlink("..", users.join(at).join("up")).unwrap();
            symlink(".", users.join(at).join("here")).unwrap();
        }
        symlink(users.join("team"), users.join("again")).unwrap();
        let started = Instant::now();
        assert_eq!(found(&users).unwrap(), ["a.yaml", "team/b.yml"]);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_broken_link_is_a_problem_naming_it() {
        let dir = tree();
        let users = dir.path().join("users");
        symlink("gone.yaml", users.join("c.yaml")).unwrap();
        symlink("/nowhere/team", users.join("more")).unwrap();
        let e = found(&users).unwrap_err();
        let shown = diag::display_path(&users);
        assert_eq!(
            e,
            format!(
                "{shown}/c.yaml:1:1: broken link to \"gone.yaml\"\n{shown}/more:1:1: broken link to \"/nowhere/team\""
            )
        );
    }

    #[test]
    fn fifos_and_devices_named_as_manifests_are_problems_and_are_never_opened() {
        let dir = tree();
        let users = dir.path().join("users");
        let made = std::process::Command::new("mkfifo")
            .arg(users.join("f.yaml"))
            .arg(users.join("control"))
            .status();
        assert!(made.unwrap().success());
        symlink("/dev/zero", users.join("z.yaml")).unwrap();
        symlink("/dev/null", users.join("null")).unwrap();
        let e = found(&users).unwrap_err();
        let shown = diag::display_path(&users);
        assert_eq!(
            e,
            format!(
                "{shown}/f.yaml:1:1: not a regular file (a fifo); roster reads only regular files\n{shown}/z.yaml:1:1: not a regular file (a character device); roster reads only regular files"
            )
        );
    }

    #[test]
    fn a_linked_root_is_resolved_once_and_shown_as_configured() {
        let dir = tree();
        let current = dir.path().join("current");
        symlink(dir.path().join("users"), &current).unwrap();
        let files = scan(&current).unwrap();
        let real_root = std::fs::canonicalize(dir.path().join("users")).unwrap();
        for f in &files {
            assert!(f.logical.starts_with(&current), "{f:?}");
            assert!(f.real.starts_with(&real_root), "{f:?}");
        }
        assert_eq!(found(&current).unwrap(), ["a.yaml", "team/b.yml"]);
        std::fs::remove_dir_all(dir.path().join("users")).unwrap();
        assert!(found(&current).unwrap_err().contains("broken link to"));
    }

    #[test]
    fn a_root_that_is_a_fifo_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("users");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        assert!(
            found(&fifo)
                .unwrap_err()
                .ends_with("not a regular file or folder (a fifo)")
        );
    }
}
