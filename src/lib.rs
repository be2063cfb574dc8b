//! roster: declarative reconciliation of SaaS user accounts from YAML manifests.
//!
//! The library holds everything; `main.rs` only calls [`cli::run`].

pub mod sim;
