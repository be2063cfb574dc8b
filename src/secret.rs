//! Secret references (`{ env: NAME }` or `{ file: PATH }`) and their resolution.
//!
//! A reference is what configs, manifests and saved plans hold; the value is read only when it
//! is needed and kept in a [`SecretString`], which never prints. This module must not log.

use std::path::{Path, PathBuf};

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
                let text = std::fs::read_to_string(&path).map_err(|e| SecretError::File {
                    path: shown.clone(),
                    reason: e.kind().to_string().to_lowercase(),
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
