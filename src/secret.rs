//! Secret references (`{ env: NAME }` or `{ file: PATH }`) and their resolution.
//!
//! A reference is what configs, manifests and saved plans hold; the value is read only when it
//! is needed and kept in a [`SecretString`], which never prints. A secret file is read as any
//! input is (a regular file only, never a FIFO or a device), at most [`MAX_SECRET_BYTES`]. The
//! one thing this module says is a warning naming a file others may read; never a value.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Where a secret lives. Never the secret itself.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SecretRef {
    /// An environment variable's name.
    Env(String),
    /// A file's path, absolute or relative to the config file; a leading
    /// `$CREDENTIALS_DIRECTORY/` is systemd's `LoadCredential=` folder.
    File(PathBuf),
}

impl std::fmt::Display for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env {name}"),
            SecretRef::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// Why a secret could not be read. The message names the reference, never a value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("environment variable {0} is not set")]
    EnvMissing(String),
    #[error("environment variable {0} is empty")]
    EnvEmpty(String),
    #[error("secret file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("secret file {0}: $CREDENTIALS_DIRECTORY is not set")]
    NoCredentialsDirectory(String),
}

/// Secret files larger than this are refused: a key or a token is a few hundred bytes.
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

const CRED_PREFIXES: [&str; 2] = ["$CREDENTIALS_DIRECTORY/", "${CREDENTIALS_DIRECTORY}/"];

impl SecretRef {
    /// The file this reference points at, with `$CREDENTIALS_DIRECTORY` expanded and relative
    /// paths taken from `base` (the config file's folder).
    fn path(&self, base: &Path, creds: Option<&str>) -> Result<Option<PathBuf>, SecretError> {
        let SecretRef::File(path) = self else {
            return Ok(None);
        };
        let text = path.to_string_lossy();
        for prefix in CRED_PREFIXES {
            if let Some(rest) = text.strip_prefix(prefix) {
                let dir = creds
                    .filter(|d| !d.is_empty())
                    .ok_or_else(|| SecretError::NoCredentialsDirectory(text.to_string()))?;
                return Ok(Some(Path::new(dir).join(rest)));
            }
        }
        Ok(Some(if path.is_absolute() {
            path.clone()
        } else {
            base.join(path)
        }))
    }

    /// Reads the secret. `base` is the folder relative file paths start from.
    pub fn resolve(&self, base: &Path) -> Result<SecretString, SecretError> {
        let creds = std::env::var("CREDENTIALS_DIRECTORY").ok();
        match self {
            SecretRef::Env(name) => match std::env::var(name) {
                Ok(v) if v.is_empty() => Err(SecretError::EnvEmpty(name.clone())),
                Ok(v) => Ok(SecretString::from(v)),
                Err(_) => Err(SecretError::EnvMissing(name.clone())),
            },
            SecretRef::File(_) => {
                let path = self.path(base, creds.as_deref())?.unwrap_or_default();
                let shown = path.display().to_string();
                let read =
                    crate::diag::input::read_regular(&path, MAX_SECRET_BYTES).map_err(|e| {
                        SecretError::File {
                            path: shown.clone(),
                            reason: e.to_string(),
                        }
                    })?;
                if let Some(warning) = lax_mode_warning(&shown, read.mode) {
                    warn_once(&path, &warning);
                }
                let text = String::from_utf8(read.bytes).map_err(|_| SecretError::File {
                    path: shown.clone(),
                    reason: "file is not valid UTF-8".into(),
                })?;
                let trimmed = text.trim_end_matches(['\n', '\r']);
                if trimmed.is_empty() {
                    return Err(SecretError::File {
                        path: shown,
                        reason: "file is empty".into(),
                    });
                }
                Ok(SecretString::from(trimmed.to_string()))
            }
        }
    }
}

/// The warning for a secret file whose mode lets its group or others at it, if it does.
fn lax_mode_warning(shown: &str, mode: u32) -> Option<String> {
    (mode & 0o077 != 0).then(|| {
        format!(
            "secret file {shown} is readable by its group or others (mode {:04o}); `chmod 600` it",
            mode & 0o7777
        )
    })
}

/// Says `warning` once per file and process (secrets are read at every reconcile): through
/// the log when it shows warnings, else straight to stderr, so that it is always seen once.
fn warn_once(path: &Path, warning: &str) {
    static WARNED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let first = WARNED
        .lock()
        .map_or(true, |mut warned| warned.insert(path.to_path_buf()));
    if !first {
        return;
    }
    if tracing::enabled!(tracing::Level::WARN) {
        tracing::warn!("{warning}");
    } else {
        eprintln!("warning: {warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn file_relative_to_base_and_trailing_newline_dropped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k"), "s3cret\n").unwrap();
        let s = SecretRef::File("k".into()).resolve(dir.path()).unwrap();
        assert_eq!(s.expose_secret(), "s3cret");
    }

    #[test]
    fn credentials_directory_prefix_expands() {
        let r = SecretRef::File("$CREDENTIALS_DIRECTORY/acme.key".into());
        let p = r
            .path(Path::new("/etc"), Some("/run/creds/roster"))
            .unwrap();
        assert_eq!(p.unwrap(), PathBuf::from("/run/creds/roster/acme.key"));
        assert!(matches!(
            r.path(Path::new("/etc"), None),
            Err(SecretError::NoCredentialsDirectory(_))
        ));
    }

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).unwrap();
        std::fs::write(dir.path().join("big"), vec![b'k'; 64 * 1024 + 1]).unwrap();
        std::fs::write(dir.path().join("max"), vec![b'k'; 64 * 1024]).unwrap();
        let err = |name: &str| {
            SecretRef::File(name.into())
                .resolve(dir.path())
                .unwrap_err()
                .to_string()
        };
        assert!(
            err("fifo")
                .ends_with("fifo: not a regular file (a fifo); roster reads only regular files")
        );
        assert!(err("zero").ends_with(
            "zero: not a regular file (a character device); roster reads only regular files"
        ));
        assert!(err("big").ends_with("big: file is 65537 bytes, over the 64 KiB limit"));
        assert!(SecretRef::File("max".into()).resolve(dir.path()).is_ok());
    }

    #[test]
    fn a_file_others_may_read_is_named_in_a_warning() {
        assert_eq!(lax_mode_warning("k", 0o600), None);
        assert_eq!(lax_mode_warning("k", 0o400), None);
        assert_eq!(
            lax_mode_warning("/etc/roster/k", 0o644).unwrap(),
            "secret file /etc/roster/k is readable by its group or others (mode 0644); `chmod 600` it"
        );
        assert!(lax_mode_warning("k", 0o620).is_some());
        assert!(lax_mode_warning("k", 0o601).is_some());
    }

    #[test]
    fn missing_file_names_path_not_value() {
        let err = SecretRef::File("/nonexistent/roster.key".into())
            .resolve(Path::new("/"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "secret file /nonexistent/roster.key: entity not found"
        );
    }
}
