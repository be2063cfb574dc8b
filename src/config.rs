//! `roster.yaml`: where it is, what it says, and validation into [`Config`].
//!
//! Every problem is reported with its `file:line:col`, all of them at once. Secrets are only
//! checked for presence here, never read into the config. Must not touch the network.

mod common;
pub mod coordination;
mod daemon;
mod parse;
mod raw;
mod schema;
mod target;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::diag::{self, Problem, Problems};
use crate::model::{Origin, Unmanaged};
use crate::vendor::{Vendor, VendorTarget};

pub(crate) use parse::vendor_url;
use raw::RawConfig;
pub use schema::schema as json_schema;

/// The validated config.
#[derive(Clone, Debug)]
pub struct Config {
    /// The config file, as shown to people.
    pub file: String,
    /// The folder relative paths start from.
    pub base_dir: PathBuf,
    pub manifests: PathBuf,
    pub state_dir: PathBuf,
    pub targets: BTreeMap<String, Target>,
    /// The time zone manifest dates are read in: `expires: 2027-03-31` ends when that day
    /// ends here (`timezone:`, default UTC).
    pub timezone: chrono_tz::Tz,
    pub daemon: DaemonConfig,
    /// How many targets are fetched, planned and applied at once (`parallel_targets`).
    pub parallel_targets: usize,
    /// How several roster processes share the targets; `None`: the file lock on one host.
    pub coordination: Option<coordination::Coordination>,
}

/// `parallel_targets` when the config does not say, and the most it may say.
pub const PARALLEL_TARGETS: (usize, usize) = (4, 256);

/// A config as far as it validates: every valid target, and the problems of each invalid
/// target's section by its name (problems outside a target's section make no partial config).
#[derive(Clone, Debug)]
pub(crate) struct PartialConfig {
    pub(crate) config: Config,
    pub(crate) held: BTreeMap<String, Vec<Problem>>,
}

/// One vendor account roster reconciles.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub origin: Origin,
    pub url: reqwest::Url,
    /// The vendor, from `provider:`.
    pub vendor: &'static dyn Vendor,
    /// The vendor's own settings of this target, validated.
    pub settings: Arc<dyn VendorTarget>,
    pub policy: Policy,
    pub limits: Limits,
}

impl Target {
    /// The vendor's name (`provider:`).
    pub fn provider(&self) -> &'static str {
        self.vendor.name()
    }

    /// The vendor's field schema for this target.
    pub fn schema(&self) -> &crate::model::Schema {
        self.settings.schema()
    }
}

/// What a target may do to users, and what it must refuse.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub unmanaged: Unmanaged,
    /// Normalised keys of users roster never updates or deletes.
    pub protect: BTreeSet<String>,
    pub max_delete: u64,
    pub max_delete_fraction: f64,
    /// Fields never changed on any user of this target.
    pub ignore: BTreeSet<String>,
    /// How long before an expiry `plan` lists it as a notice (`expiry_warning`, default 7d).
    pub expiry_warning: Duration,
}

/// `expiry_warning` when a target does not say.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(7 * 24 * 3600);

/// How hard roster may push a vendor.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub timeout: Duration,
    pub concurrency: usize,
    /// Requests per second, reads and writes together; `None` for no limit.
    pub rate_limit: Option<f64>,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The largest answer body read, in bytes.
    pub max_answer_size: u64,
}

/// The shortest and longest `timeout` a target may set.
pub(crate) const TIMEOUT: (Duration, Duration) =
    (Duration::from_millis(1), Duration::from_secs(3600));
/// The lowest and highest `rate_limit`, in requests per second.
pub(crate) const RATE_LIMIT: (f64, f64) = (0.001, 100_000.0);

/// `daemon:` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct DaemonConfig {
    pub schedule: String,
    pub timezone: Option<String>,
    pub apply: bool,
    pub listen: String,
    pub debounce: Duration,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            schedule: "*/15 * * * *".into(),
            timezone: None,
            apply: true,
            listen: "127.0.0.1:9464".into(),
            debounce: Duration::from_millis(500),
        }
    }
}

pub const DEFAULT_CONFIG: &str = "roster.yaml";

/// The config path: `--config`, else `$ROSTER_CONFIG`, else `./roster.yaml`.
pub fn locate(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match std::env::var_os("ROSTER_CONFIG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_CONFIG),
    }
}

/// Reads and validates the config file.
pub fn load(path: &Path) -> Result<Config, Problems> {
    let shown = diag::display_path(path);
    let text = diag::read_input(path, &shown).map_err(|p| Problems(vec![p]))?;
    from_text(&text, &shown, &base_of(path))
}

/// Reads the config file, keeping the targets that validate when only some target sections
/// have problems (the daemon holds back only those targets). `Err` for a problem elsewhere.
pub(crate) fn load_partial(path: &Path) -> Result<PartialConfig, Problems> {
    let shown = diag::display_path(path);
    let text = diag::read_input(path, &shown).map_err(|p| Problems(vec![p]))?;
    partial_from_text(&text, &shown, &base_of(path))
}

fn base_of(path: &Path) -> PathBuf {
    path.parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Validates config text read from `shown`; relative paths start from `base`.
pub(crate) fn from_text(text: &str, shown: &str, base: &Path) -> Result<Config, Problems> {
    let partial = partial_from_text(text, shown, base)?;
    Problems(partial.held.into_values().flatten().collect()).into_result(partial.config)
}

fn partial_from_text(text: &str, shown: &str, base: &Path) -> Result<PartialConfig, Problems> {
    let raw: RawConfig = diag::parse_yaml(text, shown).map_err(|p| Problems(vec![p]))?;
    Validator {
        file: &shown.into(),
        base,
        problems: Problems::default(),
        held: BTreeMap::new(),
    }
    .config(raw)
}

struct Validator<'a> {
    file: &'a Arc<str>,
    base: &'a Path,
    problems: Problems,
    /// Problems inside one target's section, by its name.
    held: BTreeMap<String, Vec<Problem>>,
}

impl Validator<'_> {
    fn at(&self, loc: &serde_saphyr::Location) -> Origin {
        diag::origin_of(self.file, loc)
    }

    fn err<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        let p = Problem::at(self.at(&s.referenced), message);
        self.problems.push(p);
    }

    fn config(mut self, raw: RawConfig) -> Result<PartialConfig, Problems> {
        let manifests = self.base.join(raw.manifests.value.trim());
        // Never from the environment: the daemon and a CLI run in a shell read the same config
        // and must lock the same files.
        let state_dir = match &raw.state_dir {
            Some(s) => self.base.join(s.value.trim()),
            None => self.base.join(".roster"),
        };
        if raw.targets.value.is_empty() {
            self.err(
                &raw.targets,
                "no targets: add at least one under `targets:`",
            );
        }
        let mut targets = BTreeMap::new();
        for (name, t) in &raw.targets.value {
            let (target, problems) = target::read(self.file, self.base, name, t);
            match target {
                Some(target) if problems.is_empty() => {
                    targets.insert(name.clone(), target);
                }
                _ => {
                    // A target without a usable section has a problem to say why.
                    let problems = if problems.is_empty() {
                        vec![Problem::at(
                            self.at(&t.referenced),
                            format!("target {name}: invalid"),
                        )]
                    } else {
                        problems
                    };
                    self.held.insert(name.clone(), problems);
                }
            }
        }
        let timezone = self.timezone(raw.timezone.as_ref());
        let daemon = self.daemon(raw.daemon.as_ref(), raw.timezone.as_ref());
        let parallel_targets = self.parallel_targets(raw.parallel_targets.as_ref());
        let coordination = raw.coordination.as_ref().and_then(|c| {
            let mut problems = Vec::new();
            let read = coordination::read(self.file, self.base, c, &mut problems);
            #[cfg(not(feature = "etcd"))]
            problems.push(Problem::at(
                self.at(&c.referenced),
                "coordination: this roster was built without etcd (cargo feature `etcd`)",
            ));
            self.problems.0.extend(problems);
            read
        });
        let config = Config {
            file: self.file.to_string(),
            base_dir: self.base.to_path_buf(),
            manifests,
            state_dir,
            targets,
            timezone,
            daemon,
            parallel_targets,
            coordination,
        };
        if !self.problems.is_empty() {
            self.problems.0.extend(self.held.into_values().flatten());
            return self.problems.into_result(PartialConfig {
                config,
                held: BTreeMap::new(),
            });
        }
        Ok(PartialConfig {
            config,
            held: self.held,
        })
    }

    fn parallel_targets(&mut self, raw: Option<&Spanned<u64>>) -> usize {
        let (default, max) = PARALLEL_TARGETS;
        match raw {
            Some(n) if n.value == 0 || n.value > max as u64 => {
                self.err(n, format!("`parallel_targets` must be 1 to {max}"));
                default
            }
            Some(n) => n.value as usize,
            None => default,
        }
    }

    /// The top-level `timezone`: an IANA name, default UTC.
    fn timezone(&mut self, raw: Option<&Spanned<String>>) -> chrono_tz::Tz {
        let Some(name) = raw else {
            return chrono_tz::Tz::UTC;
        };
        match name.value.trim().parse() {
            Ok(tz) => tz,
            Err(_) => {
                let shown: String = name.value.trim().chars().take(64).collect();
                self.err(
                    name,
                    format!(
                        "unknown time zone {shown:?} (expected an IANA name, e.g. Europe/Berlin)"
                    ),
                );
                chrono_tz::Tz::UTC
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> String {
        let target = crate::vendor::sample_target;
        format!(
            "manifests: users\ntargets:\n{}{}",
            target("a", "https://a.example/v1", 1),
            target("b", "https://b.example/v1", 2)
        )
    }

    fn problems(text: &str) -> Vec<String> {
        match from_text(text, "roster.yaml", Path::new(".")) {
            Ok(_) => Vec::new(),
            Err(p) => p.0.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn parallel_targets_defaults_to_4_and_is_range_checked_where_written() {
        let two = two();
        let c = from_text(&two, "roster.yaml", Path::new(".")).unwrap();
        assert_eq!(c.parallel_targets, 4);
        let c = from_text(
            &format!("parallel_targets: 256\n{two}"),
            "roster.yaml",
            Path::new("."),
        );
        assert_eq!(c.unwrap().parallel_targets, 256);
        for bad in ["0", "257", "100000000000"] {
            assert_eq!(
                problems(&format!("parallel_targets: {bad}\n{two}")),
                ["roster.yaml:1:19: `parallel_targets` must be 1 to 256"],
                "{bad}"
            );
        }
        let p = problems(&format!("parallel_targets: many\n{two}"));
        assert!(p.len() == 1 && p[0].starts_with("roster.yaml:1:"), "{p:?}");
    }

    #[test]
    fn a_problem_in_one_target_section_holds_only_that_target() {
        // b's section is the last one: the typo is in it.
        let text = format!("{}    nmae: x\n", two());
        let p = partial_from_text(&text, "roster.yaml", Path::new(".")).unwrap();
        assert_eq!(p.config.targets.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(p.held.keys().collect::<Vec<_>>(), ["b"]);
        assert!(p.held["b"][0].message.contains("nmae"), "{:?}", p.held);
        // One-shot runs still refuse the whole config.
        assert_eq!(problems(&text).len(), 1);
        // A problem outside every target's section holds them all.
        let text = format!("{text}daemon:\n  debounce: forever\n");
        let all = partial_from_text(&text, "roster.yaml", Path::new(".")).unwrap_err();
        assert_eq!(all.0.len(), 2, "{all}");
    }
}
