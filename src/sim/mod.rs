//! Vendor simulators: one module per vendor, each speaking that vendor's wire format on
//! loopback, on a skeleton they share.
//!
//! Simulators share no (de)serialisation code with the clients in `crate::vendor`: a bug shared by
//! both would hide itself. `vendor` is the contract a simulator implements; `launch`,
//! `server`, `gate`, `app`, `kept`, `store`, `introspect`, `counts` and `lock` are the vendor-neutral
//! skeleton it runs on, and `faults` the misbehaviour every simulator can inject.

mod app;
mod command;
mod counts;
pub mod demo;
pub mod faults;
mod gate;
mod introspect;
mod kept;
pub mod launch;
pub mod learningcloud;
mod lock;
mod problem;
mod refusal;
pub mod scim;
mod secret;
mod seed;
mod server;
mod store;
#[cfg(test)]
mod test_sim;
pub mod uipath;
mod unique;
mod vendor;
pub mod xtracta;

pub use command::SimCommand;
pub use server::Running;
