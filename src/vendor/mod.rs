//! The contract between roster's core and a vendor, and the registry of vendors.
//!
//! # Adding a vendor
//!
//! Everything roster knows about a vendor lives in one folder, `src/vendor/<name>/`:
//!
//! 1. A unit type implementing [`Vendor`]: its `provider:` name, the keys it takes on a target
//!    and on a manifest user (as [`KeyDoc`] tables: they drive unknown-key errors, the "key of
//!    another vendor" errors and `roster schema`), and [`Vendor::target`], which reads its own
//!    keys of one target (the common ones, such as `url`, `protect` or `timeout`, are read by
//!    the core) into a validated [`VendorTarget`].
//! 2. That [`VendorTarget`]: the field [`Schema`] (which fields exist, how each can change,
//!    whether and how a user is deactivated, membership wording), how `protect:` names users,
//!    [`VendorTarget::user`] (a manifest user's vendor keys into its identity and fields),
//!    [`VendorTarget::import`] (a live user back into manifest lines), and
//!    [`VendorTarget::connect`], which reads the credentials and returns the client.
//! 3. The client: a type implementing [`Provider`] (fetch, find, create, update, membership,
//!    delete), sending through [`http::Http`], with its wire types in its own module. Wire
//!    shapes never leave the folder.
//! 4. Its `pub mod` line and its entry in [`VENDORS`], below.
//! 5. A simulator in `src/sim/<name>/` (its own wire code: never the client's), its `mod`
//!    line in `src/sim/mod.rs` and its `roster sim <name>` variant in `src/sim/command.rs`.
//!
//! The core (config, manifests, planner, render, apply, daemon) never names a vendor.
//!
//! This file is the registry: the one list of vendors. Besides it, only the vendor folders and
//! the simulators name a vendor.

pub(crate) mod clean;
#[cfg(test)]
mod config_tests;
mod contract;
pub mod doctor;
mod error;
#[cfg(test)]
pub(crate) mod fake;
pub mod http;
#[cfg(test)]
pub(crate) mod mutate;
pub(crate) mod paging;
#[cfg(test)]
mod proptests;
pub mod read;
mod registry;
pub mod schema;
pub mod stop;

pub mod learningcloud;
pub mod scim;
pub mod uipath;
pub mod xtracta;

pub use contract::*;
pub use error::{Applied, ProviderError};
pub use registry::{find, names, target_key_owner, user_key_owner};

/// For the core's tests, which must not name a vendor: the section of target `name` (indented
/// under `targets:`) of a registered vendor that needs only its API base `url`, a secret (the
/// environment variable `PATH`, present everywhere) and a number `n`.
#[cfg(test)]
pub(crate) fn sample_target(name: &str, url: &str, n: u32) -> String {
    format!(
        "  {name}:\n    provider: xtracta\n    url: {url}\n    api_key: {{ env: PATH }}\n    group_id: {n}\n"
    )
}

/// Every vendor roster knows, in the order error messages list them.
pub static VENDORS: &[&dyn Vendor] = &[
    &xtracta::XTRACTA,
    &uipath::UIPATH,
    &learningcloud::LEARNINGCLOUD,
    &scim::SCIM,
];
