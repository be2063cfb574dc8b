//! Coordination through etcd: which roster process may apply which target, across hosts.
//!
//! Everything rests on etcd's own primitives (leases, transactions, watches); roster runs no
//! consensus, election or lease algorithm of its own. The key layout, all below one prefix:
//!
//! - `PREFIX/daemons/<id>`: a live daemon (JSON: role, host, pid, since), under its lease.
//!   The id is the lease id in hex, unique in the cluster.
//! - `PREFIX/owners/<target>`: the one process that may apply the target, under its lease,
//!   created only when absent (`create_revision == 0`), deleted only by its holder.
//! - `PREFIX/fence/<target>`: written by every fence, so that the fence is a write and goes
//!   through the raft log (see [`ownership`]).
//! - `PREFIX/status/<target>`: the owner's last published reconcile result (no lease: it
//!   outlives its writer, for `roster status`).
//!
//! A [`Session`] is one process's lease, kept alive in the background, with a local deadline
//! that expires before etcd can expire the lease. A [`Coordinator`] is a daemon's claim loop:
//! membership, fair share, claims, releases and losses. `roster apply` uses a [`Session`]
//! without membership (through [`Claims`]); `roster status` only a [`Etcd`] connection. A
//! [`ClaimPermit`] is one claim as the executor's permit: proved by a fence before every write
//! batch, trusted no longer than the local deadline.
//!
//! This module must not know about vendors, plans or the daemon loop: it answers "may I
//! write to this target now?" and nothing else.

mod call;
pub mod coordinator;
pub mod error;
mod from_config;
pub mod identity;
mod keys;
mod lease;
pub mod ownership;
pub mod permit;
pub mod session;
pub mod settings;
pub mod share;
pub mod status;
mod watch;

pub use coordinator::{Coordinator, Step};
pub use error::{ClaimError, EtcdError, FenceError, LostWhy};
pub use identity::Holder;
pub use ownership::{Claim, Fence};
pub use permit::{ClaimPermit, Claims};
pub use session::{Member, Session};
pub use settings::{Etcd, EtcdSettings, TlsFiles};
pub use share::{Share, ShareView, fair_share};
pub use status::{Published, TargetStatus};
pub use watch::Changes;
