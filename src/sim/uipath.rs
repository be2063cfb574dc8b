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
mod auth;
mod body;
mod clock;
mod gate;
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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::sim::faults::{FaultArgs, Faults};
use crate::sim::kept::Kept;
use crate::sim::server::{self, Server};

/// Serve a simulator of UiPath's Identity user and group API on a loopback address
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// address to listen on (loopback)
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// JSON file holding the simulator's world; loaded at start if it exists, rewritten (atomically: temp file + rename) after every change
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// YAML seed (used when --state is absent or the state file does not exist yet)
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// the external application's client id
    #[arg(long, default_value = "sim-client")]
    pub client_id: String,
    /// the external application's client secret
    #[arg(
        long,
        default_value = "sim-secret",
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
    #[arg(long, default_value = "PM.User PM.Group")]
    pub grant_scopes: String,
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// Which UiPath product the simulator behaves like where they differ.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    /// Automation Cloud: a user's e-mail address cannot be changed
    Cloud,
    /// Automation Suite or standalone: e-mail addresses can be changed
    Onprem,
}

/// A simulator serving in the background. Dropping it also shuts the server down.
#[derive(Debug)]
pub struct Running {
    /// The address actually bound (the real port when asked for port 0).
    pub addr: SocketAddr,
    server: Server,
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits (briefly) for open requests to finish.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.seed`, else `seed_yaml`,
/// else a default world (organisation `acme`, partition
/// `6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11`, groups Everyone and Administrators, no users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    server::ensure_loopback(args.listen)?;
    if args.client_id.is_empty() || args.client_secret.is_empty() {
        anyhow::bail!("the simulator's client id and secret must not be empty");
    }
    if args.grant_scopes.split_whitespace().next().is_none() {
        anyhow::bail!("the simulator must grant at least one scope");
    }
    let world = Kept::open(args.state.clone(), args.seed.as_deref(), seed_yaml).await?;
    let config = app::Config {
        client: auth::Client::new(args.client_id, args.client_secret, &args.grant_scopes),
        deployment: args.deployment,
        token_ttl: Duration::from_secs(args.token_ttl),
    };
    let app = Arc::new(app::App::new(world, config, Faults::new(args.faults)));
    let server = Server::start("uipath", args.listen, routes::router(app)).await?;
    Ok(Running {
        addr: server.addr(),
        server,
    })
}

/// Starts the simulator, prints `listening on http://ADDR` on stdout, and serves until
/// SIGINT or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    start(args, None).await?.server.serve_until_signal().await
}
