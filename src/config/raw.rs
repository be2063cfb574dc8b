//! The config file as written, with the location of every value, before validation.
//!
//! One struct per YAML mapping whose keys roster itself owns, with `deny_unknown_fields` so
//! that a typo is an error. A target is kept as a located tree: its keys belong partly to the
//! core and partly to its vendor, and `config::target` reads them key by key.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::yaml::Node;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    #[schemars(with = "String")]
    pub manifests: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub state_dir: Option<Spanned<String>>,
    /// Each target's keys; the common ones are read by `config::target`, the rest by the vendor.
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub targets: Spanned<BTreeMap<String, Spanned<Node>>>,
    /// The IANA time zone manifest dates (`expires: 2027-03-31`) are read in (default UTC).
    #[schemars(with = "Option<String>")]
    pub timezone: Option<Spanned<String>>,
    #[schemars(with = "Option<RawDaemon>")]
    pub daemon: Option<Spanned<RawDaemon>>,
    /// targets fetched, planned and applied at once, 1 to 256 (default 4)
    #[schemars(with = "Option<u64>", range(min = 1, max = 256))]
    pub parallel_targets: Option<Spanned<u64>>,
    /// Several roster processes sharing the targets (`etcd:`); read by `config::coordination`.
    #[schemars(with = "Option<serde_json::Value>")]
    pub coordination: Option<Spanned<Node>>,
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
