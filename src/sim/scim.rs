//! A local simulator of a SCIM 2.0 service provider (RFC 7643, RFC 7644): `/Users` and
//! `/Groups` under `/scim/v2` with filters (`eq`, `and`), PATCH, paging, ETags and SCIM's
//! error messages; discovery (`/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`); a
//! world seeded from YAML, optionally kept in a JSON state file; the shared injected faults;
//! and switches for the quirks real servers have: no PATCH, no filters, a small `maxResults`,
//! no discovery, groups listed without members, `count` ignored, `If-Match` required,
//! PascalCase names,
//! booleans as strings, numeric error statuses.
//!
//! It shares no wire code with the roster client (`crate::vendor::scim`): every request and
//! answer shape is read and written here. This file only checks its arguments and starts the
//! vendor's app on the shared skeleton.

mod app;
mod discovery;
mod error;
mod filter;
mod handlers;
mod introspect;
mod listing;
mod ops;
mod patch;
mod render;
mod request;
mod routes;
mod schema;
mod seed;
mod store;
mod world;

#[cfg(test)]
mod http_tests;

use crate::sim::Running;
use crate::sim::launch::{self, SimArgs, VendorArgs};

/// The options of `roster sim scim`.
pub type Args = SimArgs<Options>;

/// The bearer token a simulator accepts unless told otherwise.
const DEFAULT_TOKEN: &str = "sim-scim-token";
/// The most resources one answer holds unless told otherwise.
const DEFAULT_MAX_RESULTS: u32 = 200;

/// SCIM's own options: the token, and the quirks of real servers to play.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// the bearer token the simulator accepts
    #[arg(
        long,
        default_value = DEFAULT_TOKEN,
        env = "ROSTER_SIM_SCIM_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// no PATCH: PATCH answers 501 and /ServiceProviderConfig says patch.supported false
    #[arg(long)]
    pub no_patch: bool,
    /// no filters: a filter answers 400 invalidFilter and /ServiceProviderConfig says filter.supported false
    #[arg(long)]
    pub no_filter: bool,
    /// the most resources one answer holds (filter.maxResults); a larger count is cut to it
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_RESULTS, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_results: u32,
    /// no discovery: /ServiceProviderConfig, /Schemas and /ResourceTypes answer 404
    #[arg(long)]
    pub no_discovery: bool,
    /// list groups without their members (as servers do for large groups); GET /Groups/{id} has them
    #[arg(long)]
    pub groups_without_members: bool,
    /// answer lists with --max-results resources whatever count asks
    #[arg(long)]
    pub ignore_count: bool,
    /// refuse (428) PUT, PATCH and DELETE without If-Match
    #[arg(long)]
    pub require_if_match: bool,
    /// attribute names in answers in PascalCase (UserName, Emails, TotalResults …)
    #[arg(long)]
    pub pascal_case: bool,
    /// booleans in answers as strings ("True", "False")
    #[arg(long)]
    pub bool_strings: bool,
    /// the status of error messages as a number, not the RFC's string
    #[arg(long)]
    pub numeric_status: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            token: DEFAULT_TOKEN.to_owned(),
            no_patch: false,
            no_filter: false,
            max_results: DEFAULT_MAX_RESULTS,
            no_discovery: false,
            groups_without_members: false,
            ignore_count: false,
            require_if_match: false,
            pascal_case: false,
            bool_strings: false,
            numeric_status: false,
        }
    }
}

impl VendorArgs for Options {
    const LISTEN: &'static str = "127.0.0.1:8083";
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.world.seed`, else
/// `seed_yaml`, else an empty world.
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    let (o, launch) = args.split(seed_yaml);
    if o.token.trim().is_empty() {
        anyhow::bail!("the simulator's token must not be empty");
    }
    let config = app::Config {
        token: o.token,
        patch: !o.no_patch,
        filter: !o.no_filter,
        max_results: usize::try_from(o.max_results).unwrap_or(usize::MAX),
        discovery: !o.no_discovery,
        members_in_lists: !o.groups_without_members,
        ignore_count: o.ignore_count,
        require_if_match: o.require_if_match,
        numeric_status: o.numeric_status,
        style: render::Style {
            pascal: o.pascal_case,
            bool_strings: o.bool_strings,
        },
    };
    launch::start(launch, app::Scim::new(config), routes::routes()).await
}
