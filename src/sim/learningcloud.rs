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

use anyhow::Context as _;

use crate::sim::faults::FaultArgs;
use crate::sim::launch::{self, Launch, WorldArgs};
use envelope::Platform;

pub use crate::sim::Running;

/// The token a simulator accepts unless told otherwise.
const DEFAULT_TOKEN: &str = "sim-token";

/// Serve a simulator of Netex learningCloud's user web services on a loopback address
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// address to listen on (loopback)
    #[arg(long, default_value = "127.0.0.1:8082")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub world: WorldArgs,
    /// the X-Cloud-Auth-Token the simulator accepts
    #[arg(
        long,
        default_value = DEFAULT_TOKEN,
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

impl Default for Args {
    /// What `roster sim learningcloud` runs with when given no options, but on any free port.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            world: WorldArgs::default(),
            token: DEFAULT_TOKEN.to_owned(),
            platform_fail: None,
            faults: FaultArgs::default(),
        }
    }
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.world.seed`, else
/// `seed_yaml`, else a default world (extended fields `costCenter` and `department`, no
/// users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    if args.token.is_empty() {
        anyhow::bail!("the simulator's token must not be empty");
    }
    let platform_fail = match args.platform_fail.as_deref() {
        None => None,
        Some(name) => Some(Platform::parse(name).with_context(|| {
            format!("unknown platform {name:?} for --platform-fail (expected training, social, play or management)")
        })?),
    };
    let launch = Launch {
        listen: args.listen,
        world: args.world,
        seed_yaml,
        faults: args.faults,
    };
    launch::start(launch, app::LearningCloud::new(args.token, platform_fail)).await
}

/// Starts the simulator, prints `listening on http://ADDR` on stdout, and serves until
/// SIGINT or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    start(args, None).await?.serve_until_signal().await
}
