//! What every simulator's YAML seed has in common: reading the text into the vendor's raw
//! seed type, building the world from it, and refusing a seed with every problem listed at
//! its line and column, in the seed's order. A vendor says only what its raw seed is, which
//! world it describes and where each entry stands ([`FromSeed`]).
//!
//! It knows no vendor's seed shape and reads no files (that is `store.rs`'s job).

use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Spanned};

use super::problem::{Problem, Problems};
use super::store::World;

/// A seed that cannot be used; the message lists every problem found.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SeedError {
    #[error("{0}")]
    Syntax(String),
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

/// A world that can be read from a YAML seed.
pub(crate) trait Seeded: Sized {
    /// Reads a YAML seed, reporting every problem with its line and column.
    fn from_seed(text: &str) -> Result<Self, SeedError>;
}

/// A world read from a YAML seed of its own raw shape; implementing it makes the world
/// [`Seeded`].
pub(crate) trait FromSeed: World {
    /// The seed as written: serde types that keep where each entry stands.
    type Raw: DeserializeOwned;

    /// The world the seed describes, in seed order (so that its positions are the seed's),
    /// adding to `problems` what only a seed can get wrong.
    fn build(raw: &Self::Raw, problems: &mut Problems<Self::Subject>) -> Self;

    /// Where in the seed the entry `subject` stands for is.
    fn location(raw: &Self::Raw, subject: Self::Subject) -> Location;
}

impl<W: FromSeed> Seeded for W {
    fn from_seed(text: &str) -> Result<Self, SeedError> {
        let raw = read(text)?;
        let mut problems = Problems::default();
        let world = W::build(&raw, &mut problems);
        finish(world, problems.into_vec(), |subject| {
            W::location(&raw, subject)
        })
    }
}

/// Where entry `i` of a seed's list stands; unknown for one the seed does not have (an entry
/// the world adds itself).
pub(crate) fn entry<T>(list: &[Spanned<T>], i: usize) -> Location {
    list.get(i)
        .map_or(Location::UNKNOWN, |entry| entry.referenced)
}

/// Reads YAML into a vendor's raw seed type; syntax and shape errors carry their location.
pub(crate) fn read<T: DeserializeOwned>(text: &str) -> Result<T, SeedError> {
    serde_saphyr::from_str(text).map_err(|e| SeedError::Syntax(e.to_string()))
}

/// Checks a world built from a seed in seed order (so that its positions are the seed's):
/// completes it, refuses it with `extra` (what only a seed can get wrong) and the world's own
/// problems, each at `where_is` its subject is, or else normalises it.
pub(crate) fn finish<W: World>(
    mut world: W,
    extra: Vec<Problem<W::Subject>>,
    where_is: impl Fn(W::Subject) -> Location,
) -> Result<W, SeedError> {
    world.complete();
    let mut problems = extra;
    problems.extend(world.problems());
    problems.sort_by_key(|p| {
        let at = where_is(p.subject);
        (at.line(), at.column())
    });
    check(&problems, where_is)?;
    world.normalise();
    Ok(world)
}

/// Refuses the seed if there are problems, each described at `where_is` its subject is.
fn check<S: Copy>(
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

/// How every vendor's seed is refused, for each vendor's tests.
#[cfg(test)]
pub(crate) mod checks {
    use super::Seeded;

    /// Why `text` is refused as a seed: one problem a line.
    pub(crate) fn refused<W: Seeded>(text: &str) -> Vec<String> {
        match W::from_seed(text) {
            Ok(_) => panic!("seed accepted: {text}"),
            Err(err) => err.to_string().lines().map(str::to_owned).collect(),
        }
    }

    /// Checks that `text` is refused for `what` at line `line`, as a YAML syntax or shape
    /// error says it.
    pub(crate) fn assert_refused_at<W: Seeded>(text: &str, line: usize, what: &str) {
        let err = refused::<W>(text).join("\n");
        assert!(err.contains(&format!("line {line}")), "{err}");
        assert!(err.contains(what), "{err}");
    }
}
