//! One applier per target: an exclusive advisory lock on `state_dir/<target>.lock`.
//!
//! The operating system drops the lock when its holder dies, so a crash leaves no stale lock
//! behind; the file keeps the last holder's PID so that a refusal can name it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct TargetLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "target {target} is being applied by another roster process (pid {pid}); try again when it has finished"
    )]
    Held { target: String, pid: String },
    #[error("lock {path}: {reason}")]
    Io { path: String, reason: String },
}

/// Takes the lock for `target` without waiting.
pub fn acquire(state_dir: &Path, target: &str) -> Result<TargetLock, LockError> {
    let path = state_dir.join(format!("{target}.lock"));
    let io = |e: std::io::Error| LockError::Io {
        path: path.display().to_string(),
        reason: e.kind().to_string().to_lowercase(),
    };
    std::fs::create_dir_all(state_dir).map_err(io)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(LockError::Held {
                target: target.to_string(),
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.to_string()
                },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    write!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(TargetLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_pid_and_release_frees() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "acme").unwrap();
        let err = acquire(dir.path(), "acme").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        assert!(acquire(dir.path(), "acme").is_ok());
        // Other targets are independent.
        let _a = acquire(dir.path(), "a").unwrap();
        assert!(acquire(dir.path(), "b").is_ok());
    }
}
