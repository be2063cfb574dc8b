//! What a long-running process (the daemon) keeps between two loads of the manifests: for each
//! file, the SHA-256 of its bytes (and of the parts of the config that parsing reads: the
//! targets, the base folder, the timezone) and where its users are in the last load's result,
//! so that a load parses only the files that changed. The users themselves are not copied:
//! the cache shares each target's user list with whoever holds the last load (the daemon's
//! targets), and keeps only the positions of each file's users in it. Validation across files
//! (duplicates, unknown targets, the folder as a whole) is not cached: `manifest::load_partial`
//! runs it on every load.
//!
//! A file parsed with a problem, whose users name a secret (`password:`, checked for presence
//! outside the file), or whose users did not all reach the load's result (a duplicate), is
//! parsed again every time: its result depends on more than its bytes. Pure: the caller hands
//! it the bytes; it reads nothing itself.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::model::DesiredUser;

use super::file::Parsed;

pub(super) type Hash = [u8; 32];

/// The files of the last load.
#[derive(Debug, Default)]
pub struct Cache {
    config: Option<Hash>,
    files: HashMap<String, Entry>,
}

/// One file as the last load read it.
#[derive(Debug)]
struct Entry {
    hash: Hash,
    target: String,
    named: Option<Option<String>>,
    /// The target's users in the last load, shared.
    users: Arc<Vec<DesiredUser>>,
    /// The positions of this file's users in `users`, in the file's order.
    at: Box<[u32]>,
}

/// A file parsed fresh in this load, to be kept if its users all reach the result.
pub(super) struct Fresh {
    pub(super) shown: String,
    pub(super) hash: Hash,
    pub(super) target: String,
    pub(super) named: Option<Option<String>>,
    pub(super) count: usize,
}

/// A cache in use for one load: what it had, and the files this load takes from it or parsed.
pub(super) struct Session<'c> {
    cache: &'c mut Cache,
    config: Hash,
    reused: HashMap<String, Fresh>,
    fresh: Vec<Fresh>,
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
            reused: HashMap::new(),
            fresh: Vec::new(),
        }
    }

    /// How many files it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether every file it holds points into `users` rather than holding a copy.
    #[cfg(test)]
    pub(crate) fn shares(&self, users: &Arc<Vec<DesiredUser>>) -> bool {
        self.files.values().all(|e| Arc::ptr_eq(&e.users, users))
    }
}

impl Session<'_> {
    /// The file as last read, when `hash` (of its bytes) is that of the last load.
    pub(super) fn get(&mut self, shown: &str, hash: Hash) -> Option<Parsed> {
        let e = self.cache.files.get(shown).filter(|e| e.hash == hash)?;
        let users: Vec<DesiredUser> =
            e.at.iter()
                .filter_map(|&i| e.users.get(i as usize).cloned())
                .collect();
        self.reused.insert(
            shown.to_string(),
            Fresh {
                shown: shown.to_string(),
                hash,
                target: e.target.clone(),
                named: e.named.clone(),
                count: users.len(),
            },
        );
        Some(Parsed {
            shown: shown.to_string(),
            target: Some(e.target.clone()),
            named: e.named.clone(),
            users,
            problems: Vec::new(),
        })
    }

    /// Notes a file just parsed from bytes of `hash`, unless its result depends on more.
    pub(super) fn put(&mut self, hash: Hash, parsed: &Parsed) {
        let reusable =
            parsed.problems.is_empty() && parsed.users.iter().all(|u| u.password.is_none());
        if let (true, Some(target)) = (reusable, &parsed.target) {
            self.fresh.push(Fresh {
                shown: parsed.shown.clone(),
                hash,
                target: target.clone(),
                named: parsed.named.clone(),
                count: parsed.users.len(),
            });
        }
    }

    /// Ends the load, whose result is `by_target`: the cache now holds the files of this one
    /// whose users all reached it, each as positions in its target's list.
    pub(super) fn finish(self, by_target: &BTreeMap<String, Arc<Vec<DesiredUser>>>) {
        let Session {
            cache,
            config,
            reused,
            fresh,
        } = self;
        let mut keep: HashMap<String, Fresh> = reused;
        keep.extend(fresh.into_iter().map(|f| (f.shown.clone(), f)));
        let mut at: HashMap<&str, Vec<u32>> = HashMap::with_capacity(keep.len());
        for (target, users) in by_target {
            for (i, u) in users.iter().enumerate() {
                let file: &str = u.origin.file.as_ref();
                if keep.get(file).is_some_and(|f| &f.target == target)
                    && let Ok(i) = u32::try_from(i)
                {
                    at.entry(file).or_default().push(i);
                }
            }
        }
        let mut files = HashMap::with_capacity(keep.len());
        for (shown, f) in keep {
            let users = by_target.get(&f.target).cloned().unwrap_or_default();
            let mut at = at.remove(shown.as_str()).unwrap_or_default();
            if at.len() != f.count {
                continue;
            }
            at.sort_by_key(|&i| {
                let o = &users[i as usize].origin;
                (o.line, o.column)
            });
            files.insert(
                shown,
                Entry {
                    hash: f.hash,
                    target: f.target,
                    named: f.named,
                    users,
                    at: at.into_boxed_slice(),
                },
            );
        }
        cache.files = files;
        cache.config = Some(config);
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
    fn the_cache_shares_the_loaded_users_and_keeps_no_file_with_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "roster.yaml", CONFIG);
        let a = format!("users:\n{}{}", user("b@x.io", "B"), user("a@x.io", "A"));
        write(root, "users/a.yaml", &a);
        write(
            root,
            "users/b.yaml",
            &format!("users:\n{}", user("c@x.io", "C")),
        );
        let mut cache = Cache::default();
        let first = load(root, Some(&mut cache));
        let users = &first.desired.by_target["acme"];
        assert_eq!(cache.len(), 2);
        assert!(cache.shares(users));
        // Taken from the cache, a file's users come back in the file's order: the same load.
        write(
            root,
            "users/b.yaml",
            &format!("users:\n{}", user("d@x.io", "D")),
        );
        let second = load(root, Some(&mut cache));
        assert_eq!(seen(&second), seen(&load(root, None)));
        assert!(cache.shares(&second.desired.by_target["acme"]));
        // A duplicate inside a file: reported on every load, the file never kept.
        let twice = format!("users:\n{}{}", user("e@x.io", "E"), user("e@x.io", "F"));
        write(root, "users/b.yaml", &twice);
        for _ in 0..2 {
            let (_, problems) = seen(&load(root, Some(&mut cache)));
            assert_eq!(problems.len(), 1, "{problems:?}");
            let p = &problems[0];
            assert!(
                p.contains("b.yaml:4:5: user e@x.io declared twice (first at "),
                "{p}"
            );
            assert!(p.ends_with("b.yaml:2:5)"), "{p}");
            assert_eq!(cache.len(), 1);
        }
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
