//! Who may apply a target now: etcd leases shared by several hosts (`etcd`).

#[cfg(feature = "etcd")]
pub mod etcd;
