//! User manifests: find every `*.yaml`/`*.yml` file under `manifests` (`manifest/discover.rs`:
//! links followed once, only regular files), read them as one consistent snapshot
//! (`manifest/snapshot.rs`), and validate them into [`DesiredUser`]s per target, reporting
//! every problem with its location.
//!
//! Duplicates point at both places. Secrets are checked for presence, never read. Must not
//! touch the network.
//!
//! Complexity: O(bytes) to parse the files, O(n) to validate n users (duplicates through hash
//! maps), O(n log n) to sort each target's users by key.

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

use crate::config::Config;
use crate::diag::{self, Problem, Problems};
use crate::model::{DesiredUser, Origin};

pub use cache::Cache;
pub use expiry::past as past_expiries;
pub use schema::schema as json_schema;

/// The desired state: every declared user, grouped by target name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desired {
    pub by_target: BTreeMap<String, Vec<DesiredUser>>,
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
        desired: Desired::default(),
        file_targets: BTreeMap::new(),
        untargeted: Vec::new(),
        only,
        seen_keys: HashMap::new(),
        seen_ids: HashMap::new(),
    };
    let none = files.is_empty();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    for parsed in parse(config, files, workers, cache) {
        loader.file(parsed);
    }
    if workers > 1 {
        // The parsing threads' arenas hold the located YAML trees, as large as the users.
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
        mut desired,
        file_targets,
        untargeted,
        ..
    } = loader;
    for users in desired.by_target.values_mut() {
        users.sort_by(|a, b| a.key.cmp(&b.key));
        // Grown by doubling, up to half of it is empty; the daemon keeps it until the next load.
        users.shrink_to_fit();
    }
    problems.0.sort();
    Ok(Partial {
        desired,
        file_targets,
        untargeted,
        problems,
    })
}

/// Parses the files in order, taking from `cache` those whose bytes it knows.
fn parse(
    config: &Config,
    files: Vec<snapshot::File>,
    workers: usize,
    cache: Option<&mut Cache>,
) -> Vec<file::Parsed> {
    let Some(cache) = cache else {
        return file::parse_all(config, files, workers);
    };
    let mut session = cache.start(config);
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
    session.finish();
    out.into_iter().flatten().collect()
}

struct Loader {
    problems: Problems,
    desired: Desired,
    file_targets: BTreeMap<String, String>,
    untargeted: Vec<String>,
    /// The config's only target, when it has one.
    only: Option<String>,
    /// (target, key) → where it was first declared.
    seen_keys: HashMap<(String, String), Origin>,
    seen_ids: HashMap<(String, String), Origin>,
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
        self.desired.files.push(parsed.shown);
        self.problems.0.extend(parsed.problems);
        let Some(target) = parsed.target else { return };
        for user in parsed.users {
            self.remember(&target, user);
        }
    }

    fn remember(&mut self, target: &str, user: DesiredUser) {
        let k = (target.to_string(), user.key.clone());
        if let Some(first) = self.seen_keys.get(&k) {
            self.problems.push(Problem::at(
                user.origin.clone(),
                format!("user {} declared twice (first at {first})", user.key),
            ));
            return;
        }
        if let Some(id) = &user.id {
            let k = (target.to_string(), id.clone());
            if let Some(first) = self.seen_ids.get(&k) {
                self.problems.push(Problem::at(
                    user.origin.clone(),
                    format!("id {id} bound twice (first at {first})"),
                ));
                return;
            }
            self.seen_ids.insert(k, user.origin.clone());
        }
        self.seen_keys.insert(k, user.origin.clone());
        self.desired
            .by_target
            .entry(target.to_string())
            .or_default()
            .push(user);
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
