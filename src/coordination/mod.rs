//! Who may apply a target now: one roster process at a time per target, whichever process it
//! is (the daemon, a CLI `apply` in a shell, a timer's one-shot run).
//!
//! A [`Coordinator`] hands out an [`Ownership`] of one target; the holder keeps it while it
//! plans and applies and gives it up by dropping it. Before writing, the holder calls
//! [`Ownership::fence`] to prove it still owns the target, so that a backend whose ownership can
//! lapse (an etcd lease) stops a process that lost it; inside the executor, a [`Permit`]
//! proves it again before every write batch.
//!
//! The backends: [`local`], an advisory file lock in the config's `state_dir`, shared by every
//! process that reads the same config and never dependent on its environment; and [`etcd`]
//! (cargo feature `etcd`, on by default), leases in an etcd cluster shared by several hosts.
//!
//! This module holds only the contract: the traits and the error. It must not touch the vendor.

#[cfg(feature = "etcd")]
pub mod etcd;
pub(crate) mod local;
pub mod permit;

pub use permit::{Denied, Permit, Unfenced};

use std::fmt;
use std::future::Future;

/// Hands out ownership of targets.
pub(crate) trait Coordinator {
    type Ownership: Ownership;

    /// Takes `target` without waiting. Errors: [`CoordinationError::Held`] when another process
    /// owns it (retrying later can help); [`CoordinationError::StateDir`] when the backend's
    /// storage cannot be used (retrying cannot help until the config changes).
    fn acquire(
        &self,
        target: &str,
    ) -> impl Future<Output = Result<Self::Ownership, CoordinationError>> + Send;
}

/// One held target; dropping it gives the target up.
pub(crate) trait Ownership: Send + Sync {
    /// Proves the target is still owned; called before every write batch. An error means the
    /// ownership is gone and nothing more may be written.
    fn fence(&self) -> impl Future<Output = Result<(), CoordinationError>> + Send;
}

/// The process that owns a target, as far as the backend knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub host: String,
    pub pid: String,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {} on {}", self.pid, self.host)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoordinationError {
    #[error(
        "target {target} is being applied by another roster process ({holder}); try again when it has finished"
    )]
    Held { target: String, holder: Holder },
    #[error(
        "lock folder {path}: {reason}; set `state_dir:` in the config to a folder roster may write"
    )]
    StateDir { path: String, reason: String },
    #[error("lock {path}: {reason}")]
    Io { path: String, reason: String },
    /// The coordination service could not be asked (etcd down, no quorum): retrying can help.
    #[error("target {target}: cannot take ownership: {reason}")]
    Unavailable { target: String, reason: String },
    /// The ownership was taken but is gone now (the lease lapsed, another process owns it).
    #[error("target {target}: ownership lost: {reason}")]
    Lost { target: String, reason: String },
}
