//! A local simulator of Netex learningCloud's user web services
//! (`/integration/ws/management/rest/users…`): JSON in, JSON out, writes answered with the
//! vendor's per-platform envelope, a world seeded from YAML, optionally kept in a JSON state
//! file, and optional injected faults and platform failures.
//!
//! It shares no wire code with the roster client (`provider`): request and response shapes are
//! the simulator's own serde types. This file only checks its arguments and starts the vendor's
//! app on the shared `crate::sim::server`; each concern has its own submodule, and the
//! vendor-neutral plumbing (state file, world keeper, request counts, `/_sim` endpoints) is
//! shared from `crate::sim`.

mod app;
mod envelope;
mod gate;
mod handlers;
mod headers;
mod ids;
mod introspect;
mod ops;
mod render;
mod request;
mod roles;
mod routes;
mod seed;
mod store;
mod world;

#[cfg(test)]
mod http_tests;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::sim::faults::{FaultArgs, Faults};
use crate::sim::kept::Kept;
use crate::sim::server::{self, Server};
use envelope::Platform;

/// Serve a simulator of Netex learningCloud's user web services on a loopback address
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// address to listen on (loopback)
    #[arg(long, default_value = "127.0.0.1:8082")]
    pub listen: SocketAddr,
    /// JSON file holding the simulator's world; loaded at start if it exists, rewritten (atomically: temp file + rename) after every change
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// YAML seed (used when --state is absent or the state file does not exist yet)
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// the X-Cloud-Auth-Token the simulator accepts
    #[arg(
        long,
        default_value = "sim-token",
        env = "ROSTER_SIM_LC_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// a platform (training, social, play, management) whose writes fail with a platform error
    #[arg(long, value_name = "PLATFORM")]
    pub platform_fail: Option<String>,
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
/// else a default world (extended fields `costCenter` and `department`, no users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    server::ensure_loopback(args.listen)?;
    if args.token.is_empty() {
        anyhow::bail!("the simulator's token must not be empty");
    }
    let platform_fail = match args.platform_fail.as_deref() {
        None => None,
        Some(name) => Some(Platform::parse(name).with_context(|| {
            format!("unknown platform {name:?} for --platform-fail (expected training, social, play or management)")
        })?),
    };
    let world = Kept::open(args.state.clone(), args.seed.as_deref(), seed_yaml).await?;
    let app = Arc::new(app::App::new(
        world,
        args.token,
        platform_fail,
        Faults::new(args.faults),
    ));
    let server = Server::start("learningcloud", args.listen, routes::router(app)).await?;
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
