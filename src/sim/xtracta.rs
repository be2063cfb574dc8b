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
mod gate;
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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::sim::faults::{FaultArgs, Faults};
use crate::sim::kept::Kept;
use crate::sim::server::{self, Server};

/// Serve a simulator of Xtracta's user API on a loopback address
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// address to listen on (loopback)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// JSON file holding the simulator's world; loaded at start if it exists, rewritten (atomically: temp file + rename) after every change
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// YAML seed (used when --state is absent or the state file does not exist yet)
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// the API key the simulator accepts
    #[arg(
        long,
        default_value = "sim-key",
        env = "ROSTER_SIM_API_KEY",
        hide_env_values = true
    )]
    pub api_key: String,
    #[command(flatten)]
    pub faults: FaultArgs,
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
/// else a default world (group 12345, workflows 496553 and 496941, no users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    server::ensure_loopback(args.listen)?;
    if args.api_key.is_empty() {
        anyhow::bail!("the simulator's api key must not be empty");
    }
    let world = Kept::open(args.state.clone(), args.seed.as_deref(), seed_yaml).await?;
    let app = Arc::new(app::App::new(world, args.api_key, Faults::new(args.faults)));
    let server = Server::start("xtracta", args.listen, routes::router(app)).await?;
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
