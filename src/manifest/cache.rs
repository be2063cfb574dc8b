//! What a long-running process (the daemon) keeps between two loads of the manifests: each
//! file's parsed users, by the SHA-256 of its bytes and of the parts of the config that parsing
//! reads (the targets, the base folder, the timezone), so that a load parses only the files
//! that changed. Validation across files (duplicates, unknown targets, the folder as a whole)
//! is not cached: `manifest::load_partial` runs it on every load.
//!
//! A file parsed with a problem, or whose users name a secret (`password:`, checked for
//! presence outside the file), is parsed again every time: its result depends on more than
//! its bytes. Pure: the caller hands it the bytes; it reads nothing itself.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::config::Config;

use super::file::Parsed;

pub(super) type Hash = [u8; 32];

/// The parsed files of the last load.
#[derive(Debug, Default)]
pub struct Cache {
    config: Option<Hash>,
    files: HashMap<String, (Hash, Parsed)>,
}

/// A cache in use for one load: what it had, and what this load puts in it.
pub(super) struct Session<'c> {
    cache: &'c mut Cache,
    config: Hash,
    next: HashMap<String, (Hash, Parsed)>,
}

impl Cache {
    /// Starts a load with `config`; a different config than the last load's forgets everything.
    pub(super) fn start(&mut self, config: &Config) -> Session<'_> {
        let config = config_hash(config);
        if self.config != Some(config) {
            self.files.clear();
        }
        Session {
            cache: self,
            config,
            next: HashMap::new(),
        }
    }

    /// How many files it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }
}

impl Session<'_> {
    /// The file as last parsed, when `hash` (of its bytes) is that of the last load.
    pub(super) fn get(&mut self, shown: &str, hash: Hash) -> Option<Parsed> {
        let (cached, parsed) = self.cache.files.remove(shown)?;
        if cached != hash {
            return None;
        }
        let out = parsed.clone();
        self.next.insert(shown.to_string(), (hash, parsed));
        Some(out)
    }

    /// Keeps a file just parsed from bytes of `hash`, unless its result depends on more.
    pub(super) fn put(&mut self, hash: Hash, parsed: &Parsed) {
        let reusable =
            parsed.problems.is_empty() && parsed.users.iter().all(|u| u.password.is_none());
        if reusable {
            self.next
                .insert(parsed.shown.clone(), (hash, parsed.clone()));
        }
    }

    /// Ends the load: the cache now holds the files of this one only.
    pub(super) fn finish(self) {
        self.cache.files = self.next;
        self.cache.config = Some(self.config);
    }
}

/// The hash a file's bytes are known by.
pub(super) fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// What parsing a file reads of the config, as a hash: its `Debug` text, which names every
/// setting (secrets only by reference) and is never shown.
fn config_hash(config: &Config) -> Hash {
    let text = format!(
        "{:?}\n{:?}\n{:?}",
        config.targets, config.base_dir, config.timezone
    );
    Sha256::digest(text.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Cache;
    use crate::manifest::{Partial, load_partial};

    const CONFIG: &str = "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: https://api-app.xtracta.com/v1\n    api_key: { env: PATH }\n    group_id: 1\n";

    fn write(dir: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
    }

    fn user(email: &str, name: &str) -> String {
        format!("  - email: {email}\n    name: {name}\n")
    }

    fn load(dir: &Path, cache: Option<&mut Cache>) -> Partial {
        let config = crate::config::load(&dir.join("roster.yaml")).unwrap();
        load_partial(&config, cache).unwrap()
    }

    /// The users of every target and the problems, as displayed.
    fn seen(p: &Partial) -> (Vec<(String, String)>, Vec<String>) {
        let users = p
            .desired
            .by_target
            .iter()
            .flat_map(|(t, us)| us.iter().map(move |u| (t.clone(), u.key.clone())))
            .collect();
        (users, p.problems.0.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn a_cached_load_is_a_fresh_load_and_keeps_only_clean_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "roster.yaml", CONFIG);
        write(
            root,
            "users/a.yaml",
            &format!("users:\n{}", user("a@x.io", "A")),
        );
        write(
            root,
            "users/b.yaml",
            &format!("users:\n{}", user("b@x.io", "B")),
        );
        let mut cache = Cache::default();
        let check = |cache: &mut Cache| {
            let cached = load(root, Some(cache));
            assert_eq!(seen(&cached), seen(&load(root, None)));
            assert_eq!(cached.desired, load(root, None).desired);
        };
        check(&mut cache);
        assert_eq!(cache.len(), 2);
        check(&mut cache);
        // An edit is seen, and so is a duplicate across a cached file and an edited one.
        write(
            root,
            "users/b.yaml",
            &format!("users:\n{}", user("a@x.io", "B")),
        );
        check(&mut cache);
        assert!(!seen(&load(root, Some(&mut cache))).1.is_empty());
        // A file with a problem is not kept; a removed file leaves the cache.
        write(root, "users/b.yaml", "users:\n  - email: nope\n");
        check(&mut cache);
        assert_eq!(cache.len(), 1);
        std::fs::remove_file(root.join("users/b.yaml")).unwrap();
        check(&mut cache);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_config_change_parses_every_file_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "roster.yaml", CONFIG);
        let text = "users:\n  - email: a@x.io\n    name: A\n    expires: 2027-03-31\n";
        write(root, "users/a.yaml", text);
        let mut cache = Cache::default();
        let utc = load(root, Some(&mut cache)).desired;
        // The same bytes, read in another timezone, end at another instant.
        write(
            root,
            "roster.yaml",
            &format!("timezone: Europe/Paris\n{CONFIG}"),
        );
        let paris = load(root, None).desired;
        assert_ne!(paris, utc);
        assert_eq!(load(root, Some(&mut cache)).desired, paris);
    }

    #[test]
    fn a_file_naming_a_secret_is_parsed_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "roster.yaml", CONFIG);
        let text = "users:\n  - email: a@x.io\n    name: A\n    password: { file: pw }\n";
        write(root, "users/a.yaml", text);
        let mut cache = Cache::default();
        assert_eq!(seen(&load(root, Some(&mut cache))).1.len(), 1);
        assert_eq!(cache.len(), 0);
        write(root, "pw", "secret");
        assert!(seen(&load(root, Some(&mut cache))).1.is_empty());
        assert_eq!(cache.len(), 0);
    }
}
