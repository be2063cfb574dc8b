//! A local simulator of UiPath's Identity (Platform Management) user and group API: the
//! client-credentials token endpoint at `/identity_/connect/token` and the org-scoped
//! `/{org}/identity_/api/User*` and `/api/Group/{partitionGlobalId}` endpoints, JSON in and
//! out, with a world seeded from YAML, optionally kept in a JSON state file, and optional
//! injected faults.
//!
//! It shares no wire code with the roster client (`provider`): every request and answer shape
//! is defined here (`body.rs`, `wire.rs`). This file only checks its arguments and starts the
//! vendor's app on the shared `crate::sim::server`; each concern has its own submodule, and the
//! vendor-neutral plumbing (state file, world keeper, request counts, `/_sim` endpoints) is
//! shared from `crate::sim`.

mod app;
mod as_text;
mod auth;
mod body;
mod clock;
mod handlers;
mod ids;
mod introspect;
mod json_path;
mod listing;
mod ops;
mod query;
mod reply;
mod routes;
mod seed;
mod store;
mod token;
mod wire;
mod world;

#[cfg(test)]
mod http_tests;

use std::time::Duration;

use crate::sim::Running;
use crate::sim::launch::{self, SimArgs, VendorArgs};

/// The options of `roster sim uipath`.
pub type Args = SimArgs<Options>;

/// The external application a simulator accepts unless told otherwise.
const DEFAULT_CLIENT_ID: &str = "sim-client";
const DEFAULT_CLIENT_SECRET: &str = "sim-secret";
const DEFAULT_SCOPES: &str = "PM.User PM.Group";

/// UiPath's own options: the external application, its tokens and rights, and the product.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// the external application's client id
    #[arg(long, default_value = DEFAULT_CLIENT_ID)]
    pub client_id: String,
    /// the external application's client secret
    #[arg(
        long,
        default_value = DEFAULT_CLIENT_SECRET,
        env = "ROSTER_SIM_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: String,
    /// cloud: e-mail changes refused (as UiPath documents for Automation Cloud); onprem: allowed
    #[arg(long, value_enum, default_value = "cloud")]
    pub deployment: Deployment,
    /// lifetime of issued access tokens, seconds
    #[arg(long, default_value_t = 3600)]
    pub token_ttl: u64,
    /// scopes granted to the client (space separated); a token request may ask for a subset
    #[arg(long, default_value = DEFAULT_SCOPES)]
    pub grant_scopes: String,
    /// refuse (403) creating a user in a group and changing a user's groups, as for an external application without partition-administrator rights
    #[arg(long)]
    pub deny_partition_admin: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            deployment: Deployment::Cloud,
            token_ttl: 3600,
            grant_scopes: DEFAULT_SCOPES.to_owned(),
            deny_partition_admin: false,
        }
    }
}

impl VendorArgs for Options {
    const LISTEN: &'static str = "127.0.0.1:8081";
}

/// Which UiPath product the simulator behaves like where they differ.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    /// Automation Cloud: a user's e-mail address cannot be changed
    Cloud,
    /// Automation Suite or standalone: e-mail addresses can be changed
    Onprem,
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.world.seed`, else
/// `seed_yaml`, else a default world (organisation `acme`, partition
/// `6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11`, groups Everyone and Administrators, no users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    let (options, launch) = args.split(seed_yaml);
    if options.client_id.is_empty() || options.client_secret.is_empty() {
        anyhow::bail!("the simulator's client id and secret must not be empty");
    }
    if options.grant_scopes.split_whitespace().next().is_none() {
        anyhow::bail!("the simulator must grant at least one scope");
    }
    let client = auth::Client::new(
        options.client_id,
        options.client_secret,
        &options.grant_scopes,
    );
    let config = app::Config {
        client,
        deployment: options.deployment,
        token_ttl: Duration::from_secs(options.token_ttl),
        deny_partition_admin: options.deny_partition_admin,
    };
    launch::start(launch, app::UiPath::new(config), routes::routes()).await
}
