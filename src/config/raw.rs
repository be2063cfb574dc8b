//! The config file as written, with the location of every value, before validation.
//!
//! One struct per YAML mapping; `deny_unknown_fields` everywhere so that a typo is an error.
//! Vendor-specific keys all live on [`RawTarget`]; `config` checks which ones a provider takes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    #[schemars(with = "String")]
    pub manifests: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub state_dir: Option<Spanned<String>>,
    #[schemars(with = "BTreeMap<String, RawTarget>")]
    pub targets: Spanned<BTreeMap<String, Spanned<RawTarget>>>,
    #[schemars(with = "Option<RawDaemon>")]
    pub daemon: Option<Spanned<RawDaemon>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSecret {
    pub env: Option<String>,
    pub file: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    #[schemars(with = "String")]
    pub provider: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub url: Option<Spanned<String>>,
    // policy, every vendor
    #[schemars(with = "Option<String>")]
    pub unmanaged: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub protect: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<u64>")]
    pub max_delete: Option<Spanned<u64>>,
    #[schemars(with = "Option<f64>")]
    pub max_delete_fraction: Option<Spanned<f64>>,
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    #[schemars(with = "Option<u32>")]
    pub concurrency: Option<Spanned<u32>>,
    #[schemars(with = "Option<f64>")]
    pub rate_limit: Option<Spanned<f64>>,
    #[schemars(with = "Option<u32>")]
    pub max_attempts: Option<Spanned<u32>>,
    #[schemars(with = "Option<String>")]
    pub max_answer_size: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub ignore: Option<Vec<Spanned<String>>>,
    // xtracta
    #[schemars(with = "Option<RawSecret>")]
    pub api_key: Option<Spanned<RawSecret>>,
    #[schemars(with = "Option<u64>")]
    pub group_id: Option<Spanned<u64>>,
    // uipath
    #[schemars(with = "Option<String>")]
    pub token_url: Option<Spanned<String>>,
    #[schemars(with = "Option<RawSecret>")]
    pub client_id: Option<Spanned<RawSecret>>,
    #[schemars(with = "Option<RawSecret>")]
    pub client_secret: Option<Spanned<RawSecret>>,
    #[schemars(with = "Option<String>")]
    pub scope: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub partition_global_id: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub deployment: Option<Spanned<String>>,
    // learningcloud
    #[schemars(with = "Option<RawSecret>")]
    pub token: Option<Spanned<RawSecret>>,
    #[schemars(with = "Option<String>")]
    pub synchronization: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDaemon {
    #[schemars(with = "Option<String>")]
    pub schedule: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub timezone: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub mode: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub listen: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub debounce: Option<Spanned<String>>,
}
