//! `roster.yaml`: where it is, what it says, and validation into [`Config`].
//!
//! Every problem is reported with its `file:line:col`, all of them at once. Secrets are only
//! checked for presence here, never read into the config. Must not touch the network.

mod daemon;
mod learningcloud;
mod parse;
mod raw;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::diag::{self, Problem, Problems};
use crate::model::{Origin, Unmanaged, normalise_key};
use crate::secret::SecretRef;

pub(crate) use parse::is_uuid;
pub(crate) use parse::secret as parse_secret;
pub(crate) use raw::RawSecret as RawSecretRef;
/// The config file's shape, for `roster schema config`.
pub(crate) type RawConfigSchema = raw::RawConfig;
use raw::{RawConfig, RawSecret, RawTarget};

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
    pub daemon: DaemonConfig,
}

/// One vendor account roster reconciles.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub origin: Origin,
    pub url: reqwest::Url,
    pub provider: ProviderConfig,
    pub policy: Policy,
    pub limits: Limits,
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
}

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

/// Vendor-specific settings.
#[derive(Clone, Debug, PartialEq)]
pub enum ProviderConfig {
    Xtracta {
        api_key: SecretRef,
        group_id: u64,
    },
    Uipath {
        token_url: reqwest::Url,
        client_id: SecretRef,
        client_secret: SecretRef,
        scope: String,
        partition_global_id: String,
        /// Automation Cloud: e-mail addresses cannot be changed through the API.
        cloud: bool,
    },
    /// `synchronous`: `X-Cloud-Synchronization: synchronous` on writes (else asynchronous).
    LearningCloud {
        token: SecretRef,
        synchronous: bool,
    },
}

impl ProviderConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderConfig::Xtracta { .. } => "xtracta",
            ProviderConfig::Uipath { .. } => "uipath",
            ProviderConfig::LearningCloud { .. } => "learningcloud",
        }
    }
}

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
    let base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    from_text(&text, &shown, &base_dir)
}

/// Validates config text read from `shown`; relative paths start from `base`.
pub(crate) fn from_text(text: &str, shown: &str, base: &Path) -> Result<Config, Problems> {
    let raw: RawConfig = diag::parse_yaml(text, shown).map_err(|p| Problems(vec![p]))?;
    Validator {
        file: shown,
        base,
        problems: Problems::default(),
    }
    .config(raw)
}

struct Validator<'a> {
    file: &'a str,
    base: &'a Path,
    problems: Problems,
}

impl Validator<'_> {
    fn at(&self, loc: &serde_saphyr::Location) -> Origin {
        diag::origin_of(self.file, loc)
    }

    fn err<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        let p = Problem::at(self.at(&s.referenced), message);
        self.problems.push(p);
    }

    fn config(mut self, raw: RawConfig) -> Result<Config, Problems> {
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
            if let Some(target) = self.target(name, t) {
                targets.insert(name.clone(), target);
            }
        }
        let daemon = self.daemon(raw.daemon.as_ref());
        let config = Config {
            file: self.file.to_string(),
            base_dir: self.base.to_path_buf(),
            manifests,
            state_dir,
            targets,
            daemon,
        };
        self.problems.into_result(config)
    }

    fn secret(
        &mut self,
        field: &str,
        s: Option<&Spanned<RawSecret>>,
        anchor: &Spanned<String>,
    ) -> Option<SecretRef> {
        let Some(s) = s else {
            self.err(
                anchor,
                format!("missing `{field}` (e.g. `{field}: {{ env: NAME }}`)"),
            );
            return None;
        };
        match parse::secret(&s.value) {
            Ok(r) => {
                if let Err(e) = r.resolve(self.base) {
                    self.err(s, format!("{field}: {e}"));
                }
                Some(r)
            }
            Err(e) => {
                self.err(s, format!("{field}: {e}"));
                None
            }
        }
    }

    fn target(&mut self, name: &str, t: &Spanned<RawTarget>) -> Option<Target> {
        let r = &t.value;
        let origin = self.at(&t.referenced);
        if let Err(e) = parse::target_name(name) {
            self.err(t, e);
        }
        let url = match &r.url {
            Some(u) => match parse::vendor_url(&u.value) {
                Ok(url) => Some(url),
                Err(e) => {
                    self.err(u, format!("target {name}: {e}"));
                    None
                }
            },
            None => {
                self.err(&r.provider, format!("target {name}: missing `url`"));
                None
            }
        };
        let provider = match r.provider.value.as_str() {
            "xtracta" => self.xtracta(name, r),
            "uipath" => url.as_ref().and_then(|u| self.uipath(name, r, u)),
            "learningcloud" => self.learningcloud(name, r),
            other => {
                self.err(
                    &r.provider,
                    format!(
                        "target {name}: unknown provider {other:?} (expected xtracta, uipath or learningcloud)"
                    ),
                );
                None
            }
        };
        let policy = self.policy(name, r, &r.provider.value);
        let limits = self.limits(name, r);
        Some(Target {
            name: name.to_string(),
            origin,
            url: url?,
            provider: provider?,
            policy,
            limits,
        })
    }

    fn xtracta(&mut self, name: &str, r: &RawTarget) -> Option<ProviderConfig> {
        self.reject_foreign(name, "xtracta", r, &["api_key", "group_id"]);
        let api_key = self.secret("api_key", r.api_key.as_ref(), &r.provider);
        let group_id = match &r.group_id {
            Some(g) => Some(g.value),
            None => {
                self.err(&r.provider, format!("target {name}: missing `group_id`"));
                None
            }
        };
        Some(ProviderConfig::Xtracta {
            api_key: api_key?,
            group_id: group_id?,
        })
    }

    /// Keys of other providers on this target: each is a located error.
    fn reject_foreign(&mut self, name: &str, provider: &str, r: &RawTarget, allowed: &[&str]) {
        let loc = |s: Option<&serde_saphyr::Location>| s.copied();
        let present = [
            ("api_key", loc(r.api_key.as_ref().map(|s| &s.referenced))),
            ("group_id", loc(r.group_id.as_ref().map(|s| &s.referenced))),
            (
                "token_url",
                loc(r.token_url.as_ref().map(|s| &s.referenced)),
            ),
            (
                "client_id",
                loc(r.client_id.as_ref().map(|s| &s.referenced)),
            ),
            (
                "client_secret",
                loc(r.client_secret.as_ref().map(|s| &s.referenced)),
            ),
            ("scope", loc(r.scope.as_ref().map(|s| &s.referenced))),
            (
                "partition_global_id",
                loc(r.partition_global_id.as_ref().map(|s| &s.referenced)),
            ),
            (
                "deployment",
                loc(r.deployment.as_ref().map(|s| &s.referenced)),
            ),
            ("token", loc(r.token.as_ref().map(|s| &s.referenced))),
            (
                "synchronization",
                loc(r.synchronization.as_ref().map(|s| &s.referenced)),
            ),
        ];
        for (key, at) in present {
            if let Some(at) = at
                && !allowed.contains(&key)
            {
                let p = Problem::at(
                    self.at(&at),
                    format!("target {name}: `{key}` is not a {provider} setting"),
                );
                self.problems.push(p);
            }
        }
    }

    fn uipath(&mut self, name: &str, r: &RawTarget, url: &reqwest::Url) -> Option<ProviderConfig> {
        self.reject_foreign(
            name,
            "uipath",
            r,
            &[
                "token_url",
                "client_id",
                "client_secret",
                "scope",
                "partition_global_id",
                "deployment",
            ],
        );
        let token_url = match &r.token_url {
            Some(t) => match parse::vendor_url(&t.value) {
                Ok(u) => Some(u),
                Err(e) => {
                    self.err(t, format!("target {name}: token_url: {e}"));
                    None
                }
            },
            None => Some(parse::uipath_token_url(url)),
        };
        let client_id = self.secret("client_id", r.client_id.as_ref(), &r.provider);
        let client_secret = self.secret("client_secret", r.client_secret.as_ref(), &r.provider);
        let pgid = match &r.partition_global_id {
            Some(p) if parse::is_uuid(&p.value) => Some(p.value.trim().to_lowercase()),
            Some(p) => {
                self.err(p, format!("target {name}: partition_global_id must be the organisation's GUID, not {:?}", p.value));
                None
            }
            None => {
                self.err(
                    &r.provider,
                    format!("target {name}: missing `partition_global_id`"),
                );
                None
            }
        };
        let cloud = match &r.deployment {
            None => true,
            Some(d) => {
                match d.value.as_str() {
                    "cloud" => true,
                    "onprem" => false,
                    other => {
                        self.err(d, format!("target {name}: unknown deployment {other:?} (expected cloud or onprem)"));
                        true
                    }
                }
            }
        };
        let scope = r.scope.as_ref().map_or_else(
            || "PM.User PM.Group".to_string(),
            |s| s.value.trim().to_string(),
        );
        Some(ProviderConfig::Uipath {
            token_url: token_url?,
            client_id: client_id?,
            client_secret: client_secret?,
            scope,
            partition_global_id: pgid?,
            cloud,
        })
    }

    fn policy(&mut self, name: &str, r: &RawTarget, provider: &str) -> Policy {
        let unmanaged = match &r.unmanaged {
            None => Unmanaged::Report,
            Some(s) => match s.value.as_str() {
                "report" => Unmanaged::Report,
                "delete" => Unmanaged::Delete,
                "deactivate" if provider != "xtracta" => Unmanaged::Deactivate,
                "deactivate" => {
                    self.err(s, format!("target {name}: xtracta users cannot be deactivated (use report or delete)"));
                    Unmanaged::Report
                }
                other => {
                    self.err(s, format!("target {name}: unknown `unmanaged` value {other:?} (expected report, deactivate or delete)"));
                    Unmanaged::Report
                }
            },
        };
        let mut protect = BTreeSet::new();
        for p in r.protect.iter().flatten() {
            if learningcloud::protects_emails(&r.provider.value) && !p.value.contains('@') {
                self.err(
                    p,
                    format!(
                        "target {name}: `protect` entry {:?} is not an e-mail",
                        p.value
                    ),
                );
            }
            protect.insert(normalise_key(&p.value));
        }
        let max_delete_fraction = match &r.max_delete_fraction {
            Some(f) if !(0.0..=1.0).contains(&f.value) => {
                self.err(
                    f,
                    format!("target {name}: `max_delete_fraction` must be between 0 and 1"),
                );
                0.25
            }
            Some(f) => f.value,
            None => 0.25,
        };
        let known = crate::manifest::provider_fields_by_name(provider);
        let mut ignore = BTreeSet::new();
        for s in r.ignore.iter().flatten() {
            let field = s.value.trim();
            if !known.is_empty() && !known.contains(&field) {
                self.err(
                    s,
                    format!(
                        "target {name}: unknown field {field:?} in `ignore` (fields: {})",
                        known.join(", ")
                    ),
                );
            }
            ignore.insert(field.to_string());
        }
        Policy {
            unmanaged,
            protect,
            max_delete: r.max_delete.as_ref().map_or(5, |s| s.value),
            max_delete_fraction,
            ignore,
        }
    }

    fn limits(&mut self, name: &str, r: &RawTarget) -> Limits {
        let timeout = match &r.timeout {
            Some(s) => parse::duration_in(&s.value, TIMEOUT.0, TIMEOUT.1).unwrap_or_else(|e| {
                self.err(s, format!("target {name}: timeout: {e}"));
                Duration::from_secs(30)
            }),
            None => Duration::from_secs(30),
        };
        let concurrency = match &r.concurrency {
            Some(c) if c.value == 0 || c.value > 64 => {
                self.err(c, format!("target {name}: `concurrency` must be 1 to 64"));
                4
            }
            Some(c) => c.value as usize,
            None => 4,
        };
        let rate_limit = match &r.rate_limit {
            Some(s) if !(RATE_LIMIT.0..=RATE_LIMIT.1).contains(&s.value) => {
                self.err(
                    s,
                    format!(
                        "target {name}: `rate_limit` must be {} to {} requests per second",
                        RATE_LIMIT.0, RATE_LIMIT.1
                    ),
                );
                None
            }
            Some(s) => Some(s.value),
            None => None,
        };
        let max_attempts = match &r.max_attempts {
            Some(s) if s.value == 0 || s.value > 20 => {
                self.err(s, format!("target {name}: `max_attempts` must be 1 to 20"));
                5
            }
            Some(s) => s.value,
            None => 5,
        };
        let max_answer_size = match &r.max_answer_size {
            Some(s) => parse::size(&s.value).unwrap_or_else(|e| {
                self.err(s, format!("target {name}: max_answer_size: {e}"));
                parse::DEFAULT_ANSWER_SIZE
            }),
            None => parse::DEFAULT_ANSWER_SIZE,
        };
        Limits {
            timeout,
            concurrency,
            rate_limit,
            max_attempts,
            max_answer_size,
        }
    }
}
