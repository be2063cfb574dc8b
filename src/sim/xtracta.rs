//! A local simulator of Xtracta's user API (`/v1/user*`, `/v1/workflow/update`): form POSTs
//! in, XML out, with a world seeded from YAML, optionally kept in a JSON state file, and
//! optional injected faults.
//!
//! It shares no wire code with the roster client (`provider`): XML is written here with
//! `quick_xml::Writer` and forms are read into the simulator's own types. This file only checks
//! its arguments and starts the vendor's app on the shared `crate::sim::server`; each concern
//! has its own submodule, and the vendor-neutral plumbing (state file, world keeper, request
//! counts, `/_sim` endpoints) is shared from `crate::sim`.

mod app;
mod handlers;
mod ops;
mod params;
mod routes;
mod seed;
mod store;
mod world;
mod xml;

#[cfg(test)]
mod http_tests;

use crate::sim::Running;
use crate::sim::launch::{self, SimArgs, VendorArgs};

/// The options of `roster sim xtracta`.
pub type Args = SimArgs<Options>;

/// The API key a simulator accepts unless told otherwise.
const DEFAULT_API_KEY: &str = "sim-key";

/// Xtracta's own options: the key, and the group it belongs to.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// the API key the simulator accepts
    #[arg(
        long,
        default_value = DEFAULT_API_KEY,
        env = "ROSTER_SIM_API_KEY",
        hide_env_values = true
    )]
    pub api_key: String,
    /// the API key's own group: an add with workflow_ids but no group_id joins it, and a list with neither group_id nor workflow_id lists it (without it: an add needs group_id, and such a list shows the first group)
    #[arg(long, value_name = "ID")]
    pub key_group: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_owned(),
            key_group: None,
        }
    }
}

impl VendorArgs for Options {
    const LISTEN: &'static str = "127.0.0.1:8080";
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.world.seed`, else
/// `seed_yaml`, else a default world (group 12345, workflows 496553 and 496941, no users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    let (options, launch) = args.split(seed_yaml);
    if options.api_key.is_empty() {
        anyhow::bail!("the simulator's api key must not be empty");
    }
    let vendor = app::Xtracta::new(options.api_key, options.key_group);
    launch::start(launch, vendor, routes::routes()).await
}
