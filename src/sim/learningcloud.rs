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

use anyhow::Context as _;

use crate::sim::Running;
use crate::sim::launch::{self, SimArgs, VendorArgs};
use envelope::Platform;

/// The options of `roster sim learningcloud`.
pub type Args = SimArgs<Options>;

/// The token a simulator accepts unless told otherwise.
const DEFAULT_TOKEN: &str = "sim-token";

/// learningCloud's own options: the token, a failing platform, and the readings of a PUT and
/// of `startIndex`.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            token: DEFAULT_TOKEN.to_owned(),
            platform_fail: None,
            put_replaces: false,
            start_index: 0,
            page_by_number: false,
        }
    }
}

impl VendorArgs for Options {
    const LISTEN: &'static str = "127.0.0.1:8082";
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.world.seed`, else
/// `seed_yaml`, else a default world (extended fields `costCenter` and `department`, no
/// users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    let (options, launch) = args.split(seed_yaml);
    if options.token.is_empty() {
        anyhow::bail!("the simulator's token must not be empty");
    }
    let platform_fail = match options.platform_fail.as_deref() {
        None => None,
        Some(name) => Some(Platform::parse(name).with_context(|| {
            format!("unknown platform {name:?} for --platform-fail (expected training, social, play or management)")
        })?),
    };
    let readings = app::Readings {
        put: if options.put_replaces {
            ops::PutReading::Replace
        } else {
            ops::PutReading::Merge
        },
        paging: paging::Paging {
            first: usize::from(options.start_index),
            by_number: options.page_by_number,
        },
    };
    let vendor = app::LearningCloud::new(options.token, platform_fail, readings);
    launch::start(launch, vendor, routes::routes()).await
}
