//! Saved plans (`plan --out FILE`, `apply FILE`): the plan plus what it was made from, so that
//! applying it later can refuse when anything it depended on has changed.
//!
//! A saved plan holds no secret values (password references only) and is written with mode
//! 0600. Staleness is checked three ways: the config file, the manifest files, and the vendor's
//! record of every user the plan touches (and the absence of every user it creates).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::ActualUser;
use crate::plan::{Plan, TargetPlan};

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
    pub assumptions: BTreeMap<String, Assumptions>,
    pub plan: Plan,
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
            None => reasons.push(format!("target {target}: user id {id} is gone")),
            Some(a) if &record_digest(a) != digest => reasons.push(format!(
                "target {target}: user {} (id {id}) changed at the vendor",
                a.key
            )),
            Some(_) => {}
        }
    }
    for key in &assumed.absent {
        if actual.iter().any(|a| &a.key == key) {
            reasons.push(format!(
                "target {target}: user {key}, which the plan creates, now exists"
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

/// Reads a saved plan.
pub fn read(path: &Path) -> Result<SavedPlan, String> {
    let shown = crate::diag::display_path(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("read {shown}: {}", e.kind().to_string().to_lowercase()))?;
    let saved: SavedPlan = serde_json::from_str(&text)
        .map_err(|e| format!("{shown}: not a roster saved plan: {e}"))?;
    if saved.kind != KIND || saved.format_version != VERSION {
        return Err(format!(
            "{shown}: a {} version {} file, expected {KIND} version {VERSION}",
            saved.kind, saved.format_version
        ));
    }
    Ok(saved)
}
