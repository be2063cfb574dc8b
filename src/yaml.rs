//! Located YAML trees, for input whose keys only a vendor knows: [`node`] holds a parsed
//! value with the place of every part, [`keys`] reads a mapping key by key into problems and
//! typed values. Nothing here knows what a config, a manifest or a vendor is.

pub mod keys;
pub mod node;
pub mod text;

pub use keys::{Keys, Located, Val};
pub use node::Node;
