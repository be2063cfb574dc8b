//! Manifest files as written, with the location of every value, before validation. Users are
//! kept as located trees: their keys belong partly to the core and partly to the target's
//! vendor, and `manifest::user` reads them key by key.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::yaml::Node;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawManifest {
    pub target: Option<Spanned<String>>,
    pub users: Spanned<Vec<Spanned<Node>>>,
}
