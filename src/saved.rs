//! Saved plans (`plan --out FILE`, `apply FILE`): the plan plus what it was made from, so that
//! applying it later can refuse when anything it depended on has changed.
//!
//! A saved plan holds no secret values (password references only) and is written with mode
//! 0600. Staleness is checked three ways: the config file, the manifest files, and the vendor's
//! record of every user the plan touches (and the absence of every user it creates). Reading one
//! is bounded (size, nesting) and never quotes the file. It is not an authority: `apply FILE`
//! applies a fresh plan, and only when it equals the saved one ([`differences`] says how not).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::ActualUser;
use crate::plan::{Plan, TargetPlan};

mod compare;
pub use compare::differences;
pub(crate) use compare::shown;

pub const KIND: &str = "roster-saved-plan";
pub const VERSION: u32 = 1;

/// What a target's plan assumed about the vendor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assumptions {
    /// Vendor id → digest of the user's record, for every user the plan changes.
    pub existing: BTreeMap<String, String>,
    /// Keys of users the plan creates: they must still be absent.
    pub absent: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub kind: String,
    pub roster_version: String,
    pub config_digest: String,
    pub manifests_digest: String,
    /// The targets the plan covers, which `apply FILE` applies and no other (files written
    /// before it was recorded cover the targets of their plan).
    #[serde(default)]
    pub targets: Vec<String>,
    pub assumptions: BTreeMap<String, Assumptions>,
    pub plan: Plan,
}

impl SavedPlan {
    /// The targets `apply FILE` applies.
    pub fn covered(&self) -> Vec<String> {
        if self.targets.is_empty() {
            self.plan.targets.iter().map(|t| t.target.clone()).collect()
        } else {
            self.targets.clone()
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest of a file's bytes.
pub fn file_digest(path: &Path) -> std::io::Result<String> {
    Ok(hex(&Sha256::digest(std::fs::read(path)?)))
}

/// The digest of every manifest file: names and contents, in order.
pub fn manifests_digest(root: &Path) -> Result<String, String> {
    let files = crate::manifest::discover(root).map_err(|p| p.to_string())?;
    let mut h = Sha256::new();
    for f in files {
        let rel = f.strip_prefix(root).unwrap_or(&f);
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(std::fs::read(&f).map_err(|e| format!("read {}: {e}", f.display()))?);
        h.update([0]);
    }
    Ok(hex(&h.finalize()))
}

fn record_digest(a: &ActualUser) -> String {
    let text = serde_json::to_string(&a.fields).unwrap_or_default();
    hex(&Sha256::digest(format!("{}\n{}\n{text}", a.id, a.key)))
}

/// Ids of the existing users a target plan writes to.
fn touched(t: &TargetPlan) -> Vec<&str> {
    let mut ids: Vec<&str> = t
        .updates
        .iter()
        .chain(&t.deactivations)
        .map(|u| u.user.vendor_id())
        .chain(t.deletes.iter().map(|u| u.vendor_id()))
        .chain(
            t.memberships
                .iter()
                .flat_map(|m| m.join.iter().chain(&m.leave))
                .map(|u| u.vendor_id()),
        )
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// What `t` assumes about `actual`.
pub fn assumptions(t: &TargetPlan, actual: &[ActualUser]) -> Assumptions {
    let by_id: BTreeMap<&str, &ActualUser> = actual.iter().map(|a| (a.id.as_str(), a)).collect();
    Assumptions {
        existing: touched(t)
            .into_iter()
            .filter_map(|id| by_id.get(id).map(|a| (id.to_string(), record_digest(a))))
            .collect(),
        absent: t.creates.iter().map(|c| c.user.key.clone()).collect(),
    }
}

/// Why the vendor's state no longer matches what a target's plan assumed.
pub fn vendor_changes(target: &str, assumed: &Assumptions, actual: &[ActualUser]) -> Vec<String> {
    let by_id: BTreeMap<&str, &ActualUser> = actual.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut reasons = Vec::new();
    for (id, digest) in &assumed.existing {
        match by_id.get(id.as_str()) {
            None => reasons.push(format!("target {target}: user id {} is gone", shown(id))),
            Some(a) if &record_digest(a) != digest => reasons.push(format!(
                "target {target}: user {} (id {}) changed at the vendor",
                shown(&a.key),
                shown(id)
            )),
            Some(_) => {}
        }
    }
    let keys: std::collections::HashSet<&str> = actual.iter().map(|a| a.key.as_str()).collect();
    for key in &assumed.absent {
        if keys.contains(key.as_str()) {
            reasons.push(format!(
                "target {target}: user {}, which the plan creates, now exists",
                shown(key)
            ));
        }
    }
    reasons
}

/// Writes `plan` to `path`, readable only by its owner.
pub fn write(path: &Path, saved: &SavedPlan) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(
        serde_json::to_string_pretty(saved)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    f.write_all(b"\n")
}

/// The largest saved plan `apply FILE` reads (a plan of 200,000 updates is about 150 MB).
pub const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file is not a saved plan roster will look at. The messages never quote the file's
/// content: it may be any file, secrets included.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path}: not a regular file")]
    NotAFile { path: String },
    #[error("{path}: over the {} MiB limit for a saved plan", MAX_PLAN_BYTES >> 20)]
    TooLarge { path: String },
    #[error("{path}: not a roster saved plan: {reason}")]
    Malformed { path: String, reason: String },
    #[error("{path}: not a roster saved plan (its kind is not {KIND})")]
    WrongKind { path: String },
    #[error("{path}: a saved plan of format version {found}; this roster reads version {VERSION}")]
    WrongVersion { path: String, found: u32 },
}

/// Just enough of a file to tell whether it is a saved plan this roster reads.
#[derive(Deserialize)]
struct Header {
    format_version: u32,
    kind: String,
}

/// Reads a saved plan: a regular file within [`MAX_PLAN_BYTES`], the right kind and version.
pub fn read(path: &Path) -> Result<SavedPlan, ReadError> {
    use std::io::Read;
    let shown = crate::diag::display_path(path);
    let io = |e: std::io::Error| ReadError::Io {
        path: shown.clone(),
        reason: e.kind().to_string().to_lowercase(),
    };
    // Before opening: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile { path: shown });
    }
    if meta.len() > MAX_PLAN_BYTES {
        return Err(ReadError::TooLarge { path: shown });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_PLAN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        return Err(ReadError::TooLarge { path: shown });
    }
    let malformed = |e: serde_json::Error| ReadError::Malformed {
        path: shown.clone(),
        reason: json_reason(&e),
    };
    let header: Header = serde_json::from_slice(&bytes).map_err(malformed)?;
    if header.kind != KIND {
        return Err(ReadError::WrongKind { path: shown });
    }
    if header.format_version != VERSION {
        return Err(ReadError::WrongVersion {
            path: shown,
            found: header.format_version,
        });
    }
    serde_json::from_slice(&bytes).map_err(malformed)
}

/// serde_json's message for broken syntax names only the position; its message for a value of
/// the wrong shape may quote the value, so that one is left out.
fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!("invalid JSON: {e}"),
        Category::Data => format!(
            "its content does not have the saved plan's shape (line {} column {})",
            e.line(),
            e.column()
        ),
    }
}

#[cfg(test)]
mod tests;
