//! The shared state of one running simulator: its world (behind `kept`), its fault engine,
//! its request counts, and the vendor's own settings and state.
//!
//! Every change to the world goes through `Kept::write`, which saves before it commits, so
//! an answered write is on disk. It knows no HTTP shape and no vendor.

use super::counts::Counter;
use super::faults::Faults;
use super::kept::Kept;
use super::vendor::Vendor;

#[derive(Debug)]
pub(crate) struct App<V: Vendor> {
    pub(crate) world: Kept<V::World, V::Refusal>,
    pub(crate) faults: Faults,
    pub(crate) counts: Counter,
    pub(crate) vendor: V,
}

impl<V: Vendor> App<V> {
    pub(crate) fn new(world: Kept<V::World, V::Refusal>, faults: Faults, vendor: V) -> Self {
        Self {
            world,
            faults,
            counts: Counter::default(),
            vendor,
        }
    }
}
