//! What every simulator's YAML seed has in common: reading the text into the vendor's raw
//! seed type, and refusing a seed with every problem listed at its line and column.
//!
//! It knows no vendor's seed shape and reads no files (that is `store.rs`'s job).

use serde::de::DeserializeOwned;
use serde_saphyr::Location;

use super::problem::Problem;

/// A seed that cannot be used; the message lists every problem found.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SeedError {
    #[error("{0}")]
    Syntax(String),
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

/// Reads YAML into a vendor's raw seed type; syntax and shape errors carry their location.
pub(crate) fn read<T: DeserializeOwned>(text: &str) -> Result<T, SeedError> {
    serde_saphyr::from_str(text).map_err(|e| SeedError::Syntax(e.to_string()))
}

/// Refuses the seed if there are problems, each described at `where_is` its subject is.
pub(crate) fn check<S: Copy>(
    problems: &[Problem<S>],
    where_is: impl Fn(S) -> Location,
) -> Result<(), SeedError> {
    if problems.is_empty() {
        return Ok(());
    }
    let at = |subject| {
        let location = where_is(subject);
        format!("{}:{}", location.line(), location.column())
    };
    let lines = problems.iter().map(|p| p.describe(at)).collect();
    Err(SeedError::Invalid(lines))
}
