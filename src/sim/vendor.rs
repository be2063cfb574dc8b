//! The contract between the shared simulator skeleton and one vendor's simulator: the
//! skeleton serves, gates (faults and counts), keeps and saves the world and answers
//! `/_sim/*`; a vendor says only what its world is, how a request is named and counted, how
//! a refusal looks in its wire format, and which routes it has.
//!
//! To add a simulator: a folder `src/sim/<vendor>/` holding its world (implementing
//! `store::World`), its wire shapes and handlers and one type implementing [`Vendor`] (its
//! settings and per-run state), and a root file `src/sim/<vendor>.rs` with its `Args` and a
//! `start` that calls `launch::start`. Nothing here, and nothing in a simulator, may borrow
//! (de)serialisation code from `crate::provider`: a bug shared by client and simulator
//! would hide itself.

use std::fmt::Debug;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

use super::app::App;
use super::kept::Unsaved;
use super::store::World;

/// One request to the vendor API as the skeleton sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// What the request is counted under in `GET /_sim/requests`, e.g. `/v1/user` or
    /// `PUT /users/{id}`.
    pub(crate) key: String,
    /// Whether it changes the world when it succeeds: only writes are left ambiguous.
    pub(crate) write: bool,
}

/// One vendor's simulator, plugged into the shared skeleton.
pub(crate) trait Vendor: Debug + Send + Sync + Sized + 'static {
    /// Names the simulator in logs and errors, e.g. `xtracta`.
    const NAME: &'static str;

    /// The vendor's world, as the state file and `/_sim/state` hold it.
    type World: World + Clone + Debug + Send + Sync + 'static;

    /// How the vendor's handlers refuse a change (the world keeper answers an unsaved
    /// change with it).
    type Refusal: From<Unsaved> + 'static;

    /// The vendor API's routes, with the vendor's fallback and its own `/_sim/*` endpoints.
    fn routes() -> Router<Arc<App<Self>>>;

    /// How a request to `path` is counted, and whether it is a write.
    fn call(method: &Method, path: &str) -> Call;

    /// A refusal with `status` and `message` in the vendor's error shape, for the request
    /// counted under `key` (an injected fault, or a write whose answer was lost).
    fn failure(key: &str, status: StatusCode, message: &str) -> Response;

    /// A 200 answer that is not what it should be; `variant` picks the breakage.
    fn malformed(key: &str, variant: u64) -> Response;

    /// Sees every vendor request's headers before it is judged; by default nothing.
    fn observe(&self, _call: &Call, _headers: &HeaderMap) {}

    /// Forgets what `observe` recorded, when the request counts are reset.
    fn forget_requests(&self) {}
}
