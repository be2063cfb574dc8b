//! The permission to write to one target's vendor, proved again before every write batch.
//!
//! The executor (`apply`) holds a [`Permit`] as a trait object and asks it to [`Permit::prove`]
//! before it starts a batch; the answer says until when writes may start without asking
//! again. A file lock cannot lapse, so its permit ([`Unfenced`]) always answers "forever"; an
//! etcd claim proves itself with a write transaction and its lease's local deadline.
//!
//! Only the contract lives here: no I/O, no vendor, no etcd.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

/// A future a permit answers with.
pub type Proof<'a> = Pin<Box<dyn Future<Output = Result<Instant, Denied>> + Send + 'a>>;

/// The right to write to one target, as the executor sees it.
pub trait Permit: Send + Sync {
    /// Proves the right to write now: `Ok(until)` lets write requests start until `until`
    /// without asking again; an error means nothing more may be written.
    fn prove(&self) -> Proof<'_>;

    /// Whether the last proof may still be trusted, asked before every single change (cheap,
    /// no I/O): `false` makes the executor prove again first. An etcd claim answers from its
    /// lease's local deadline, which also sees time the host spent suspended.
    fn valid(&self) -> bool {
        true
    }
}

/// Why writing must stop (typed, so that the caller can tell a loss from a pause).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The ownership is gone for good (another process owns the target now, or the lease
    /// lapsed): give the target up.
    #[error("target {target}: ownership lost: {reason}")]
    Lost { target: String, reason: String },
    /// Ownership could not be proved now (the coordination service did not answer): write
    /// nothing, try again later.
    #[error("target {target}: cannot prove ownership: {reason}")]
    Unproven { target: String, reason: String },
}

/// The permit of a backend whose ownership cannot lapse while its holder lives (the file
/// lock): every proof holds for a long while.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unfenced;

/// How long an [`Unfenced`] proof holds: long enough that it is never asked again in a run.
const FOREVER: Duration = Duration::from_secs(365 * 24 * 3600);

impl Permit for Unfenced {
    fn prove(&self) -> Proof<'_> {
        Box::pin(async { Ok(Instant::now() + FOREVER) })
    }
}
