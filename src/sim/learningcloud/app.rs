//! learningCloud's side of the shared skeleton: the settings and per-run state of one
//! simulator (the accepted token, the failing platform, how it reads a PUT and `startIndex`,
//! the last headers seen), and how its
//! requests are counted (method and path template) and refused (the envelope).
//!
//! It knows no world operation and no request body.

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

use super::envelope::{self, Envelope, Platform, Refusal, SyncMode, write_envelope};
use super::introspect::{SeenHeaders, endpoint_key};
use super::ops::PutReading;
use super::paging::Paging;
use super::world::World;
use crate::sim::lock::Locked;
use crate::sim::secret;
use crate::sim::vendor::{Call, Vendor};

/// The state every handler reaches through `State`.
pub(crate) type App = crate::sim::app::App<LearningCloud>;

/// How the simulator reads what the vendor's documents leave open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Readings {
    pub(crate) put: PutReading,
    pub(crate) paging: Paging,
}

#[derive(Debug)]
pub(crate) struct LearningCloud {
    token: String,
    platform_fail: Option<Platform>,
    pub(crate) readings: Readings,
    pub(crate) headers: Locked<SeenHeaders>,
}

impl LearningCloud {
    pub(crate) fn new(token: String, platform_fail: Option<Platform>, readings: Readings) -> Self {
        Self {
            token,
            platform_fail,
            readings,
            headers: Locked::default(),
        }
    }

    pub(crate) fn token_matches(&self, given: &str) -> bool {
        secret::matches(&self.token, given)
    }

    /// The envelope of a performed write, with the configured platform failure if any.
    pub(crate) fn written(&self, mode: SyncMode, location: Option<String>) -> Envelope {
        write_envelope(mode, self.platform_fail, location)
    }
}

impl Vendor for LearningCloud {
    const NAME: &'static str = "learningcloud";
    type World = World;
    type Refusal = Refusal;

    /// Counted by method and path template; every method but GET and HEAD writes.
    fn endpoint(method: &Method, path: &str) -> String {
        endpoint_key(method, path)
    }

    fn failure(_key: &str, status: StatusCode, message: &str) -> Response {
        envelope::refused(Refusal::new(status, message))
    }

    fn malformed(key: &str, variant: u64) -> Response {
        envelope::malformed(key == "GET /users", variant)
    }

    /// Remembers the headers for `GET /_sim/headers`.
    fn observe(&self, call: &Call, headers: &HeaderMap) {
        self.headers.lock().record(&call.key, call.write, headers);
    }

    /// The headers seen are forgotten with the counts.
    fn forget_requests(&self) {
        *self.headers.lock() = SeenHeaders::default();
    }
}
