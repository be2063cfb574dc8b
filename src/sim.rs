//! Vendor simulators: one module per vendor, each speaking that vendor's wire format on loopback.
//!
//! Simulators share no (de)serialisation code with the clients in `provider`: a bug shared by
//! both would hide itself. `faults` holds the misbehaviour every simulator can inject; the
//! other private modules hold the vendor-neutral plumbing the simulators share.

mod counts;
pub mod faults;
mod introspect;
mod kept;
pub mod learningcloud;
mod problem;
mod secret;
mod seed;
mod server;
mod store;
pub mod uipath;
pub mod xtracta;
