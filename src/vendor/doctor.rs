//! What `roster doctor` and a vendor say to each other: a [`Check`] with its status and what
//! to do, the [`Probe`] a vendor is asked to run (read-only, or with a canary user), the
//! [`Diagnosis`] it answers with, and the [`Findings`] saved beside the lock files
//! (`state_dir/<target>.doctor.json`) that the clients read to confirm their strategy.
//!
//! Types and the findings file only: no vendor's knowledge, no network.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::DesiredUser;

/// How a check went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One line of doctor's table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked, e.g. `auth`, `paging`, `probe: update`.
    pub check: String,
    pub status: Status,
    /// What was seen, in one line; never a secret.
    pub detail: String,
    /// What to do, for a warn or a fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(check: &str, detail: impl Into<String>) -> Self {
        Check {
            check: check.to_string(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn warn(check: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Check {
            status: Status::Warn,
            fix: Some(fix.into()),
            ..Check::ok(check, detail)
        }
    }

    pub fn fail(check: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Check {
            status: Status::Fail,
            fix: Some(fix.into()),
            ..Check::ok(check, detail)
        }
    }
}

/// The check whose failure means nothing else of the target can be asked.
pub const AUTH: &str = "auth";

/// What a vendor's doctor is asked to do.
pub struct Probe<'a> {
    pub desired: &'a [DesiredUser],
    /// Create one canary user, change it and remove it again.
    pub write: bool,
    /// What earlier runs found.
    pub saved: &'a Findings,
}

/// A vendor's checks, and what they found (finding → value, e.g. `put` → `replaces`).
#[derive(Debug, Default)]
pub struct Diagnosis {
    pub checks: Vec<Check>,
    pub findings: BTreeMap<String, String>,
}

/// The user name of a canary: `roster-canary-` and 8 random hex digits. Its e-mail address,
/// where one is needed, is `<name>@invalid.example` (`.invalid` never delivers mail).
pub fn canary_name() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("roster-canary-{}", &id[..8])
}

pub fn canary_email(name: &str) -> String {
    format!("{name}@invalid.example")
}

/// One finding as saved: its value and when it was found (RFC 3339, UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub value: String,
    pub at: String,
}

/// Everything doctor found about one target, as saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub format_version: u32,
    pub target: String,
    pub provider: String,
    /// When doctor last ran against it.
    pub checked_at: String,
    pub findings: BTreeMap<String, Finding>,
    /// The checks of the last run.
    pub checks: Vec<Check>,
}

/// The largest findings file read: anything longer is not roster's.
const MAX_FILE: u64 = 1 << 20;
pub const FORMAT_VERSION: u32 = 1;

impl Findings {
    pub fn path(state_dir: &Path, target: &str) -> PathBuf {
        state_dir.join(format!("{target}.doctor.json"))
    }

    /// The saved findings of `target`; none when there is no file or it cannot be read
    /// (logged: a finding only confirms a strategy, it never decides one).
    pub fn load(state_dir: &Path, target: &str) -> Findings {
        let path = Findings::path(state_dir, target);
        let read = || -> Result<Findings, String> {
            let file = std::fs::File::open(&path).map_err(|e| e.kind().to_string())?;
            if !file.metadata().map_err(|e| e.to_string())?.is_file() {
                return Err("not a regular file".into());
            }
            let mut text = String::new();
            file.take(MAX_FILE + 1)
                .read_to_string(&mut text)
                .map_err(|e| e.kind().to_string())?;
            if text.len() as u64 > MAX_FILE {
                return Err("over 1 MiB".into());
            }
            let f: Findings = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if f.format_version != FORMAT_VERSION || f.target != target {
                return Err("of another format or target".into());
            }
            Ok(f)
        };
        match read() {
            Ok(f) => f,
            Err(why) => {
                if path.exists() {
                    tracing::warn!(file = %path.display(), %why, "doctor's findings are not read");
                }
                Findings::default()
            }
        }
    }

    /// The value found for `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Finding> {
        self.findings.get(key)
    }

    /// Writes the file atomically (a temporary file, then a rename).
    pub fn save(&self, state_dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(state_dir)?;
        let path = Findings::path(state_dir, &self.target);
        let tmp = state_dir.join(format!(".{}.doctor.json.tmp", self.target));
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_round_trip_and_junk_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let f = Findings {
            format_version: FORMAT_VERSION,
            target: "academy".into(),
            provider: "somevendor".into(),
            checked_at: "2025-01-01T00:00:00Z".into(),
            findings: BTreeMap::from([(
                "put".into(),
                Finding {
                    value: "replaces".into(),
                    at: "2025-01-01T00:00:00Z".into(),
                },
            )]),
            checks: vec![Check::warn("put", "d", "f")],
        };
        let path = f.save(dir.path()).unwrap();
        assert_eq!(path, dir.path().join("academy.doctor.json"));
        assert_eq!(Findings::load(dir.path(), "academy"), f);
        assert_eq!(Findings::load(dir.path(), "other"), Findings::default());
        for junk in ["", "{", "[]", &"x".repeat(2 << 20)] {
            std::fs::write(&path, junk).unwrap();
            assert_eq!(Findings::load(dir.path(), "academy"), Findings::default());
        }
        let other = serde_json::to_string(&Findings {
            target: "elsewhere".into(),
            ..f
        })
        .unwrap();
        std::fs::write(&path, other).unwrap();
        assert_eq!(Findings::load(dir.path(), "academy"), Findings::default());
    }

    #[test]
    fn canaries_are_named_as_documented() {
        let name = canary_name();
        assert!(
            name.starts_with("roster-canary-") && name.len() == 22,
            "{name}"
        );
        assert!(name[14..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(name, canary_name());
        assert_eq!(canary_email("x"), "x@invalid.example");
    }
}
