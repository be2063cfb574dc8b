//! Loading for the daemon, which holds back only the targets an invalid edit touches: every
//! problem is attributed to targets. A problem in a target's config section holds that target;
//! a problem in a manifest holds the target the file names (`target:`, or the config's only
//! target) and every target the file fed in the last good state (an edit can move a file or
//! break its `target:` line). A problem nothing ties to a known target (the rest of the config,
//! the manifests folder as a whole, a new file naming an unknown target) holds every target.
//!
//! Touches no network; the valid part it returns is never partial for a target it does not hold.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{Problem, Problems};
use crate::model::DesiredUser;

use super::Loaded;

/// For each manifest file, the targets it fed.
pub type FileTargets = BTreeMap<String, BTreeSet<String>>;

/// What the daemon may adopt from one load.
#[derive(Clone, Debug)]
pub struct Attributed {
    /// The valid targets of the config, and the users of every target not held.
    pub loaded: Loaded,
    /// Problems by the target they hold back; such a target keeps its last good state.
    pub held: BTreeMap<String, Vec<Problem>>,
}

/// The files each target's users come from, for the next load's attribution.
pub fn file_targets<'a>(
    targets: impl IntoIterator<Item = (&'a str, &'a [DesiredUser])>,
) -> FileTargets {
    let mut out = FileTargets::new();
    for (target, users) in targets {
        let mut last: Option<&str> = None;
        for u in users {
            let file: &str = u.origin.file.as_ref();
            // Users are sorted by key, not by file: look the file up only when it changes.
            if last == Some(file) {
                continue;
            }
            last = Some(file);
            match out.get_mut(file) {
                Some(targets) => {
                    if !targets.contains(target) {
                        targets.insert(target.to_string());
                    }
                }
                None => {
                    out.insert(file.to_string(), BTreeSet::from([target.to_string()]));
                }
            }
        }
    }
    out
}

/// Reads the config and the manifests as [`super::load`] does, attributing problems to targets.
/// `Err` holds every target. `before` is [`file_targets`] of the last good state; `cache`
/// keeps the files parsed, so that the next load parses only those that changed.
pub fn load(
    path: &Path,
    before: &FileTargets,
    cache: &mut crate::manifest::Cache,
) -> Result<Attributed, Problems> {
    let (partial, mut manifests) = super::while_still(path, || {
        let partial = crate::config::load_partial(path)?;
        if partial.config.targets.is_empty() {
            return Err(Problems(all(&partial.held)));
        }
        match crate::manifest::load_partial(&partial.config, Some(&mut *cache)) {
            Ok(m) => Ok((partial, m)),
            Err(p) => Err(Problems([all(&partial.held), p.0].concat())),
        }
    })?;
    let mut known: BTreeSet<String> = partial.config.targets.keys().cloned().collect();
    known.extend(partial.held.keys().cloned());
    if known.len() > 1 && partial.config.targets.len() == 1 {
        // The config names more targets than validate: a file without `target:` is as
        // invalid as it is with the whole config, not the valid target's.
        for file in &manifests.untargeted {
            manifests.problems.push(Problem::in_file(
                file,
                "missing `target:` (the config has more than one target)",
            ));
        }
    }
    let from_manifests = match attribute(
        manifests.problems.0,
        &manifests.file_targets,
        before,
        &known,
    ) {
        Ok(h) => h,
        Err(p) => return Err(Problems([all(&partial.held), p.0].concat())),
    };
    let mut held = partial.held;
    for (target, problems) in from_manifests {
        held.entry(target).or_default().extend(problems);
    }
    let mut desired = manifests.desired;
    desired.by_target.retain(|t, _| !held.contains_key(t));
    Ok(Attributed {
        loaded: Loaded {
            config: partial.config,
            desired,
        },
        held,
    })
}

/// Every problem of `held`, whatever target it holds.
fn all(held: &BTreeMap<String, Vec<Problem>>) -> Vec<Problem> {
    held.values().flatten().cloned().collect()
}

/// Manifest problems by the targets they hold; `Err` when one holds every target.
fn attribute(
    problems: Vec<Problem>,
    now: &BTreeMap<String, String>,
    before: &FileTargets,
    known: &BTreeSet<String>,
) -> Result<BTreeMap<String, Vec<Problem>>, Problems> {
    let mut held: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    let mut everything = Vec::new();
    for p in problems {
        let touched: BTreeSet<&String> = match &p.origin {
            Some(o) => now
                .get(&*o.file)
                .into_iter()
                .chain(before.get(&*o.file).into_iter().flatten())
                .filter(|t| known.contains(*t))
                .collect(),
            None => BTreeSet::new(),
        };
        if touched.is_empty() {
            everything.push(p);
            continue;
        }
        for t in touched {
            held.entry(t.clone()).or_default().push(p.clone());
        }
    }
    if everything.is_empty() {
        Ok(held)
    } else {
        everything.extend(held.into_values().flatten());
        Err(Problems(everything))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(file: &str) -> Problem {
        Problem::in_file(file, "bad")
    }

    fn known() -> BTreeSet<String> {
        ["a", "b", "c"].iter().map(|s| s.to_string()).collect()
    }

    fn names(m: &BTreeMap<String, Vec<Problem>>) -> Vec<&str> {
        m.keys().map(String::as_str).collect()
    }

    #[test]
    fn a_problem_holds_the_target_its_file_names() {
        let now = BTreeMap::from([("users/a.yaml".to_string(), "a".to_string())]);
        let held = attribute(
            vec![problem("users/a.yaml")],
            &now,
            &FileTargets::new(),
            &known(),
        );
        assert_eq!(names(&held.unwrap()), ["a"]);
    }

    #[test]
    fn and_the_targets_the_file_fed_before() {
        // users/x.yaml fed b; its `target:` now names a typo, so b would lose its users.
        let now = BTreeMap::from([("users/x.yaml".to_string(), "bb".to_string())]);
        let before = FileTargets::from([(
            "users/x.yaml".to_string(),
            BTreeSet::from(["b".to_string()]),
        )]);
        let held = attribute(vec![problem("users/x.yaml")], &now, &before, &known()).unwrap();
        assert_eq!(names(&held), ["b"]);
        // A syntax error: the file names nothing now; what it fed before is held.
        let held = attribute(
            vec![problem("users/x.yaml")],
            &BTreeMap::new(),
            &before,
            &known(),
        );
        assert_eq!(names(&held.unwrap()), ["b"]);
    }

    #[test]
    fn a_problem_tied_to_no_known_target_holds_every_target() {
        let now = BTreeMap::from([("users/new.yaml".to_string(), "zz".to_string())]);
        assert!(
            attribute(
                vec![problem("users/new.yaml")],
                &now,
                &FileTargets::new(),
                &known()
            )
            .is_err()
        );
        let nowhere = Problem {
            origin: None,
            message: "manifests users: no *.yaml or *.yml files".into(),
        };
        let err = attribute(
            vec![nowhere],
            &BTreeMap::new(),
            &FileTargets::new(),
            &known(),
        );
        assert_eq!(err.unwrap_err().0.len(), 1);
    }

    #[test]
    fn file_targets_come_from_the_users_origins() {
        let user = |file: &str| DesiredUser {
            key: "k".into(),
            id: None,
            fields: crate::model::Fields::new(),
            password: None,
            ignore: BTreeSet::new(),
            expiry: Default::default(),
            origin: crate::model::Origin {
                file: file.into(),
                line: 1,
                column: 1,
            },
        };
        let a = [user("users/a.yaml"), user("users/shared.yaml")];
        let b = [user("users/shared.yaml")];
        let files = file_targets([("a", &a[..]), ("b", &b[..])]);
        assert_eq!(files["users/shared.yaml"].len(), 2);
        assert_eq!(files["users/a.yaml"].len(), 1);
    }
}
