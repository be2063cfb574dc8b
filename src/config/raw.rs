//! The config file as written, with the location of every value, before validation.
//!
//! One struct per YAML mapping; `deny_unknown_fields` everywhere so that a typo is an error.
//! Vendor-specific keys all live on [`RawTarget`]; `config` checks which ones a provider takes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub manifests: Spanned<String>,
    pub state_dir: Option<Spanned<String>>,
    pub targets: Spanned<BTreeMap<String, Spanned<RawTarget>>>,
    pub daemon: Option<Spanned<RawDaemon>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSecret {
    pub env: Option<String>,
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    pub provider: Spanned<String>,
    pub url: Option<Spanned<String>>,
    // policy, every vendor
    pub unmanaged: Option<Spanned<String>>,
    pub protect: Option<Vec<Spanned<String>>>,
    pub max_delete: Option<Spanned<u64>>,
    pub max_delete_fraction: Option<Spanned<f64>>,
    pub timeout: Option<Spanned<String>>,
    pub concurrency: Option<Spanned<u32>>,
    pub rate_limit: Option<Spanned<f64>>,
    pub max_attempts: Option<Spanned<u32>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    // xtracta
    pub api_key: Option<Spanned<RawSecret>>,
    pub group_id: Option<Spanned<u64>>,
    // uipath
    pub token_url: Option<Spanned<String>>,
    pub client_id: Option<Spanned<RawSecret>>,
    pub client_secret: Option<Spanned<RawSecret>>,
    pub scope: Option<Spanned<String>>,
    pub partition_global_id: Option<Spanned<String>>,
    pub deployment: Option<Spanned<String>>,
    // learningcloud
    pub token: Option<Spanned<RawSecret>>,
    pub synchronization: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDaemon {
    pub schedule: Option<Spanned<String>>,
    pub timezone: Option<Spanned<String>>,
    pub mode: Option<Spanned<String>>,
    pub listen: Option<Spanned<String>>,
    pub debounce: Option<Spanned<String>>,
}
