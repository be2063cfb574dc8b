//! The contract between the shared simulator skeleton and one vendor's simulator: the
//! skeleton serves, gates (faults and counts), keeps and saves the world and answers
//! `/_sim/*`; a vendor says only what its world is, how a request is named and counted, and
//! how a refusal looks in its wire format. Its routes it hands to `launch::start`.
//!
//! To add a simulator: a folder `src/sim/<vendor>/` holding its world (implementing
//! `store::World`), its wire shapes, handlers and routes and one type implementing [`Vendor`]
//! (its settings and per-run state), and a root file `src/sim/<vendor>.rs` with its `Args`
//! and a `start` that calls `launch::start`. Nothing here, and nothing in a simulator, may
//! borrow (de)serialisation code from `crate::vendor`: a bug shared by client and
//! simulator would hide itself.

use std::fmt::Debug;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

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

impl Call {
    /// How `V` counts a request to `path`, and whether it is a write.
    pub(crate) fn of<V: Vendor>(method: &Method, path: &str) -> Self {
        let key = V::endpoint(method, path);
        let write = V::writes(method, &key);
        Self { key, write }
    }
}

/// Whether a request with `method` changes the world when it succeeds, as every method but
/// GET and HEAD does unless a vendor says otherwise.
pub(crate) fn changes_world(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD)
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

    /// What a request to `path` is counted under (see [`Call::key`]).
    fn endpoint(method: &Method, path: &str) -> String;

    /// Whether a request counted under `key` changes the world when it succeeds; by default
    /// [`changes_world`].
    fn writes(method: &Method, _key: &str) -> bool {
        changes_world(method)
    }

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
