//! User manifests: find every `*.yaml`/`*.yml` file under `manifests` (`manifest/discover.rs`:
//! links followed once, only regular files), read them as one consistent snapshot
//! (`manifest/snapshot.rs`), and validate them into [`DesiredUser`]s per target, reporting
//! every problem with its location.
//!
//! Duplicates point at both places. Secrets are checked for presence, never read. Must not
//! touch the network.
//!
//! Complexity: O(bytes) to parse the files, O(n) to validate n users (ids through a hash map
//! of borrowed ids), O(n log n) to sort each target's users by key (duplicate keys are
//! neighbours then).

mod cache;
mod discover;
mod expiry;
mod file;
mod raw;
mod schema;
mod snapshot;
pub(crate) mod user;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diag::{self, Problem, Problems};
use crate::model::DesiredUser;

pub use cache::Cache;
pub use expiry::past as past_expiries;
pub use schema::schema as json_schema;

/// The desired state: every declared user, grouped by target name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desired {
    /// Each target's users, sorted by key; shared (the daemon's parsed-file cache holds them too).
    pub by_target: BTreeMap<String, Arc<Vec<DesiredUser>>>,
    /// The files read, as shown to people, sorted.
    pub files: Vec<String>,
}

/// Lists the manifest files: the path itself when it is a file, else every `*.yaml`/`*.yml`
/// below it, skipping hidden entries (`.git`, editors' `.swp` files, Kubernetes `..data`).
/// Paths are below `root` as given; links are followed once each (see `manifest/discover.rs`),
/// and a broken link, a FIFO or a device named as a manifest is a problem.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, Problems> {
    discover::scan(root).map(|found| found.into_iter().map(|f| f.logical).collect())
}

/// Whether a file name is one roster reads as a manifest.
pub fn is_manifest_name(name: &str) -> bool {
    !name.starts_with('.') && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// Reads every manifest, as one consistent snapshot of the folder, and validates it against
/// the config.
pub fn load(config: &Config) -> Result<Desired, Problems> {
    let partial = load_partial(config, None)?;
    partial.problems.into_result(partial.desired)
}

/// What a load found, valid or not: the users that validate, the target each file names (as
/// written, or the config's only target), and every problem, so that the daemon can hold back
/// only the targets a problem touches.
#[derive(Clone, Debug, Default)]
pub(crate) struct Partial {
    pub(crate) desired: Desired,
    pub(crate) file_targets: BTreeMap<String, String>,
    /// Files without a `target:` line.
    pub(crate) untargeted: Vec<String>,
    pub(crate) problems: Problems,
}

/// As [`load`], keeping what validates. `Err` when the folder cannot be read as a whole. With a
/// `cache`, the files whose bytes it knows are not parsed again.
pub(crate) fn load_partial(
    config: &Config,
    cache: Option<&mut Cache>,
) -> Result<Partial, Problems> {
    let root = &config.manifests;
    let files = snapshot::take(
        &snapshot::Disk(root),
        &diag::display_path(root),
        snapshot::PASSES,
        snapshot::PAUSE,
    )?;
    let only = (config.targets.len() == 1)
        .then(|| config.targets.keys().next().cloned())
        .flatten();
    let mut loader = Loader {
        problems: Problems::default(),
        by_target: BTreeMap::new(),
        files: Vec::new(),
        file_targets: BTreeMap::new(),
        untargeted: Vec::new(),
        only,
    };
    let none = files.is_empty();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let daemon = cache.is_some();
    let mut session = cache.map(|c| c.start(config));
    for parsed in parse(config, files, workers, session.as_mut()) {
        loader.file(parsed);
    }
    if workers > 1 && !daemon {
        // The parsing threads' arenas hold the located YAML trees, as large as the users.
        // (The daemon gives them back after the reconcile that follows, off the edit's path.)
        crate::memory::release_freed();
    }
    if none {
        loader.problems.push(Problem {
            origin: None,
            message: format!(
                "manifests {}: no *.yaml or *.yml files",
                diag::display_path(&config.manifests)
            ),
        });
    }
    let Loader {
        mut problems,
        by_target,
        files,
        file_targets,
        untargeted,
        ..
    } = loader;
    let by_target: BTreeMap<String, Arc<Vec<DesiredUser>>> = by_target
        .into_iter()
        .map(|(target, users)| {
            let users = unique(users, &mut problems);
            (target, Arc::new(users))
        })
        .collect();
    if let Some(session) = session {
        session.finish(&by_target);
    }
    let desired = Desired { by_target, files };
    problems.0.sort();
    Ok(Partial {
        desired,
        file_targets,
        untargeted,
        problems,
    })
}

/// Parses the files in order, taking from the cache's `session` those whose bytes it knows.
fn parse(
    config: &Config,
    files: Vec<snapshot::File>,
    workers: usize,
    session: Option<&mut cache::Session<'_>>,
) -> Vec<file::Parsed> {
    let Some(session) = session else {
        return file::parse_all(config, files, workers);
    };
    let mut out: Vec<Option<file::Parsed>> = Vec::with_capacity(files.len());
    let (mut todo, mut slots) = (Vec::new(), Vec::new());
    for (i, f) in files.into_iter().enumerate() {
        let hash = f.bytes.as_deref().ok().map(cache::hash);
        match hash.and_then(|h| session.get(&f.shown, h)) {
            Some(parsed) => out.push(Some(parsed)),
            None => {
                out.push(None);
                slots.push((i, hash));
                todo.push(f);
            }
        }
    }
    for ((i, hash), parsed) in slots
        .into_iter()
        .zip(file::parse_all(config, todo, workers))
    {
        if let Some(h) = hash {
            session.put(h, &parsed);
        }
        out[i] = Some(parsed);
    }
    out.into_iter().flatten().collect()
}

/// Keeps the first declaration of each `id` and of each key, and sorts by key; each later one
/// is a problem pointing at the first. "First" is in load order (files in order, users in file
/// order): ids are checked before the sort, keys after it (it is stable). O(n log n), and no
/// key or origin is copied for the check.
fn unique(mut users: Vec<DesiredUser>, problems: &mut Problems) -> Vec<DesiredUser> {
    let mut first_id: HashMap<&str, usize> = HashMap::new();
    let mut dropped = vec![false; users.len()];
    for (i, u) in users.iter().enumerate() {
        let Some(id) = u.id.as_deref() else { continue };
        match first_id.get(id) {
            Some(&j) => {
                dropped[i] = true;
                problems.push(Problem::at(
                    u.origin.clone(),
                    format!("id {id} bound twice (first at {})", users[j].origin),
                ));
            }
            None => {
                first_id.insert(id, i);
            }
        }
    }
    drop(first_id);
    retain_kept(&mut users, &dropped);
    users.sort_by(|a, b| a.key.cmp(&b.key));
    let mut dropped = vec![false; users.len()];
    let mut run = 0;
    for i in 1..users.len() {
        if users[i].key != users[run].key {
            run = i;
            continue;
        }
        dropped[i] = true;
        problems.push(Problem::at(
            users[i].origin.clone(),
            format!(
                "user {} declared twice (first at {})",
                users[i].key, users[run].origin
            ),
        ));
    }
    retain_kept(&mut users, &dropped);
    // Grown by doubling, up to half of it is empty; the daemon keeps it until the next load.
    users.shrink_to_fit();
    users
}

fn retain_kept(users: &mut Vec<DesiredUser>, dropped: &[bool]) {
    if dropped.contains(&true) {
        let mut keep = dropped.iter().map(|&d| !d);
        users.retain(|_| keep.next().unwrap_or(true));
    }
}

struct Loader {
    problems: Problems,
    by_target: BTreeMap<String, Vec<DesiredUser>>,
    files: Vec<String>,
    file_targets: BTreeMap<String, String>,
    untargeted: Vec<String>,
    /// The config's only target, when it has one.
    only: Option<String>,
}

impl Loader {
    fn file(&mut self, parsed: file::Parsed) {
        if let Some(named) = &parsed.named {
            if named.is_none() {
                self.untargeted.push(parsed.shown.clone());
            }
            if let Some(name) = named.clone().or_else(|| self.only.clone()) {
                self.file_targets.insert(parsed.shown.clone(), name);
            }
        }
        self.files.push(parsed.shown);
        self.problems.0.extend(parsed.problems);
        let Some(target) = parsed.target else { return };
        self.by_target
            .entry(target)
            .or_default()
            .extend(parsed.users);
    }
}

#[cfg(test)]
mod tests {
    use super::raw::RawManifest;
    use crate::diag;

    proptest::proptest! {
        /// Arbitrary text in a manifest gives a manifest or a located problem, never a panic.
        #[test]
        fn loader_never_panics(text in "(users:|target:|  - |email: |name: |workflows: |\\[|\\]|\\{|\\}|,|:|-|\\n|[a-z@.0-9 ]){0,60}") {
            if let Err(p) = diag::parse_yaml::<RawManifest>(&text, "f.yaml") {
                proptest::prop_assert!(p.origin.is_some());
            }
        }
    }
}
