//! The errors of the etcd coordination layer, shaped for the callers' branches.
//!
//! [`EtcdError`] is "etcd could not answer or the setup is wrong"; [`ClaimError`] adds "someone
//! else holds it"; [`FenceError`] separates "you lost it, stop and give it up" from "cannot prove
//! it right now, do not write and try again later". No message carries a password or token.

use super::identity::Holder;

/// etcd did not do what was asked, or the settings cannot work.
#[derive(Debug, thiserror::Error)]
pub enum EtcdError {
    /// The settings are unusable (permanent: fix the config).
    #[error("coordination.etcd: {0}")]
    Settings(String),
    /// A TLS file named by the settings could not be read (permanent).
    #[error("read {path}: {reason}")]
    File { path: String, reason: String },
    /// etcd did not answer in time or refused (temporary: retrying can help).
    #[error("etcd {op}: {reason}")]
    Unavailable { op: &'static str, reason: String },
    /// etcd refused for a reason that retrying will not change (permissions, authentication).
    #[error("etcd {op}: refused: {reason}")]
    Refused { op: &'static str, reason: String },
    /// This process's lease is gone: nothing it held is held any more.
    #[error("etcd lease lost: {0}")]
    LeaseLost(LostWhy),
}

impl EtcdError {
    /// Whether trying again later can succeed without a change of config.
    pub fn is_temporary(&self) -> bool {
        matches!(self, EtcdError::Unavailable { .. })
    }
}

/// Why a lease or an ownership is gone for good.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LostWhy {
    /// No renewal succeeded within the lease's TTL (less a margin): etcd may already have
    /// expired the lease, so this process must behave as if it had.
    #[error("no lease renewal within its ttl of {ttl_secs}s")]
    DeadlinePassed { ttl_secs: i64 },
    /// etcd answered that the lease no longer exists (expired or revoked).
    #[error("etcd no longer knows lease {lease:x}")]
    LeaseGone { lease: i64 },
    /// The ownership key now belongs to another lease.
    #[error("now owned by {0}")]
    TakenBy(Box<Holder>),
    /// The ownership key is gone (released, or deleted by hand).
    #[error("its ownership key is gone")]
    KeyGone,
}

/// A target could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Another process holds it; `holder` says who, for the refusal message.
    #[error("target {target} is owned by {holder}")]
    Held { target: String, holder: Box<Holder> },
    #[error("claim target {target}: {source}")]
    Etcd {
        target: String,
        #[source]
        source: EtcdError,
    },
}

/// A fence did not prove ownership: the caller must not write to the target's vendor.
#[derive(Debug, thiserror::Error)]
pub enum FenceError {
    /// Ownership is gone for good: stop, drop the claim, report.
    #[error("target {target}: ownership lost: {why}")]
    Lost { target: String, why: LostWhy },
    /// etcd could not confirm in time; the claim may still hold, so try again later.
    #[error("target {target}: cannot prove ownership: {source}")]
    Unproven {
        target: String,
        #[source]
        source: EtcdError,
    },
}

impl FenceError {
    /// Whether the claim is gone for good (as opposed to unproven for now).
    pub fn is_lost(&self) -> bool {
        matches!(self, FenceError::Lost { .. })
    }
}
