//! The file-lock backend: one exclusive advisory lock per target, `state_dir/<target>.lock`,
//! where `state_dir` comes from the config (default `.roster` beside the config file). Every
//! process that reads the same config locks the same file, whatever its environment.
//!
//! The operating system drops a lock when its holder dies, so a crash leaves no stale lock
//! behind. The file keeps the last holder's PID and host so that a refusal can name them. It
//! coordinates processes on one host only; several hosts need a shared backend (issue 16).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{CoordinationError, Coordinator, Holder, Ownership};

/// Locks in one folder.
#[derive(Clone, Debug)]
pub(crate) struct LocalLocks {
    dir: PathBuf,
}

impl LocalLocks {
    pub(crate) fn new(dir: &Path) -> Self {
        LocalLocks {
            dir: dir.to_path_buf(),
        }
    }
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub(crate) struct LocalOwnership {
    _file: File,
}

impl Coordinator for LocalLocks {
    type Ownership = LocalOwnership;

    async fn acquire(&self, target: &str) -> Result<LocalOwnership, CoordinationError> {
        lock(&self.dir, target)
    }
}

impl Ownership for LocalOwnership {
    /// A file lock cannot lapse while its holder lives.
    async fn fence(&self) -> Result<(), CoordinationError> {
        Ok(())
    }
}

fn reason(e: &std::io::Error) -> String {
    e.kind().to_string().to_lowercase()
}

fn lock(dir: &Path, target: &str) -> Result<LocalOwnership, CoordinationError> {
    let shown = dir.display().to_string();
    // Config validation refuses such names too; a lock must never land outside its folder.
    if target.is_empty() || target == "." || target == ".." || target.contains(['/', '\0']) {
        return Err(CoordinationError::Io {
            path: shown,
            reason: format!("target name {target:?} is not a safe file name"),
        });
    }
    let path = dir.join(format!("{target}.lock"));
    let unwritable = |e: std::io::Error| CoordinationError::StateDir {
        path: shown.clone(),
        reason: reason(&e),
    };
    let io = |e: std::io::Error| CoordinationError::Io {
        path: path.display().to_string(),
        reason: reason(&e),
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(unwritable)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = (&mut file).take(256).read_to_string(&mut text);
            return Err(CoordinationError::Held {
                target: target.to_string(),
                holder: holder_from(&text),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{} {}", std::process::id(), hostname()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(LocalOwnership { _file: file })
}

/// Who holds `target`'s lock now, if anyone (for `roster status`). Probes with a shared lock
/// that is dropped at once; a file that does not exist is a free target.
pub(crate) fn holder(dir: &Path, target: &str) -> Option<String> {
    let path = dir.join(format!("{target}.lock"));
    let mut file = OpenOptions::new().read(true).open(path).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = (&mut file).take(256).read_to_string(&mut text);
            Some(holder_from(&text).to_string())
        }
        Err(TryLockError::Error(e)) => Some(format!("unknown ({})", reason(&e))),
    }
}

/// The holder a lock file names: `PID HOST` (older files: `PID` alone).
fn holder_from(text: &str) -> Holder {
    let mut words = text.split_whitespace().map(clean);
    let mut next = || words.next().filter(|w| !w.is_empty());
    Holder {
        pid: next().unwrap_or_else(|| "unknown".into()),
        host: next().unwrap_or_else(|| "an unknown host".into()),
    }
}

/// The file is anyone's to write: keep only what a PID or a host name can hold.
fn clean(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-._".contains(*c))
        .take(64)
        .collect()
}

fn hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name = clean(name.trim());
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_naming_pid_and_host_and_release_frees() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path(), "acme").unwrap();
        let err = lock(dir.path(), "acme").unwrap_err();
        let msg = err.to_string();
        let holder = format!("(pid {} on {})", std::process::id(), hostname());
        assert!(msg.contains(&holder), "{msg}");
        assert!(matches!(err, CoordinationError::Held { .. }));
        drop(first);
        assert!(lock(dir.path(), "acme").is_ok());
        // Other targets are independent.
        let _a = lock(dir.path(), "a").unwrap();
        assert!(lock(dir.path(), "b").is_ok());
    }

    #[tokio::test]
    async fn the_trait_acquires_and_fences() {
        let dir = tempfile::tempdir().unwrap();
        let locks = LocalLocks::new(&dir.path().join("nested/state"));
        let held = locks.acquire("acme").await.unwrap();
        held.fence().await.unwrap();
        assert!(matches!(
            locks.acquire("acme").await,
            Err(CoordinationError::Held { .. })
        ));
    }

    #[test]
    fn an_unwritable_folder_is_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let err = lock(&blocker.join("state"), "acme").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CoordinationError::StateDir { .. }), "{msg}");
        assert!(
            msg.contains(&blocker.join("state").display().to_string()),
            "{msg}"
        );
        assert!(msg.contains("set `state_dir:`"), "{msg}");
    }

    #[test]
    fn unsafe_target_names_never_become_paths() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["", ".", "..", "../x", "a/b"] {
            assert!(lock(dir.path(), name).is_err(), "{name:?}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_lock_file_names_its_holder_and_nothing_else() {
        assert_eq!(
            holder_from("123 host-a.example\n"),
            Holder {
                pid: "123".into(),
                host: "host-a.example".into()
            }
        );
        assert_eq!(holder_from("77").host, "an unknown host");
        assert_eq!(holder_from("").pid, "unknown");
        assert_eq!(holder_from("1\x1b[31m2 h\x07x").pid, "131m2");
        assert_eq!(holder_from("1\x1b[31m2 h\x07x").host, "hx");
    }
}
