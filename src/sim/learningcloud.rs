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
mod paging;
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
    /// PUT /users/{id} replaces the whole record: what the body leaves out is cleared or reset to a new user's default, roles included (default: what it leaves out stays)
    #[arg(long)]
    pub put_replaces: bool,
    /// the startIndex of the first user: 0 or 1 (a startIndex below it reads as it)
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=1))]
    pub start_index: u8,
    /// startIndex numbers pages of `count` users, counted from --start-index, instead of users
    #[arg(long)]
    pub page_by_number: bool,
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
            put_replaces: false,
            start_index: 0,
            page_by_number: false,
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
    let readings = app::Readings {
        put: if args.put_replaces {
            ops::PutReading::Replace
        } else {
            ops::PutReading::Merge
        },
        paging: paging::Paging {
            first: usize::from(args.start_index),
            by_number: args.page_by_number,
        },
    };
    let vendor = app::LearningCloud::new(args.token, platform_fail, readings);
    launch::start(launch, vendor).await
}

/// Starts the simulator, prints `listening on http://ADDR` on stdout, and serves until
/// SIGINT or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    start(args, None).await?.serve_until_signal().await
}
