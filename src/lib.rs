//! roster: declarative reconciliation of SaaS user accounts from YAML manifests.
//!
//! The library holds everything; `main.rs` only calls [`cli::run`]. Functional core
//! (`config`, `manifest`, `plan`, `render`), imperative shell (`provider`, `apply`,
//! `reconcile`, `cli`).

pub mod apply;
pub mod cli;
pub mod commands;
pub mod config;
pub mod coordination;
pub mod daemon;
pub mod diag;
pub mod exit;
pub mod import;
pub mod manifest;
mod memory;
pub mod model;
pub mod plan;
pub mod reconcile;
pub mod render;
pub mod saved;
pub mod schedule;
pub mod secret;
pub mod sim;
pub mod vendor;
pub mod yaml;
