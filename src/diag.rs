//! Problems found in the user's input, each with the place it was found, and the one function
//! that reads an input file (a regular file, with a size limit: `diag/input.rs`) and parses
//! YAML with locations.
//!
//! It must not know what configs or manifests mean; it only reads, parses and reports.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::model::Origin;

mod budget;
pub(crate) mod input;

pub(crate) use budget::USERS_PER_FILE;

use input::ReadError;
pub(crate) use input::Stamp;

/// Input files larger than this are refused rather than read.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// One problem in the input, with its location when it has one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub origin: Option<Origin>,
    pub message: String,
}

impl Problem {
    pub fn at(origin: Origin, message: impl Into<String>) -> Self {
        Problem {
            origin: Some(origin),
            message: message.into(),
        }
    }

    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        Problem {
            origin: Some(Origin {
                file: file.into(),
                line: 1,
                column: 1,
            }),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(o) => write!(f, "{o}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Every problem found, sorted by place; displayed one per line.
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl Problems {
    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(mut self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

/// A path as shown to people: relative to the working directory when it is below it.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    let s = shown.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Reads a UTF-8 input file: a regular file only, at most [`MAX_INPUT_BYTES`] read.
pub fn read_input(path: &Path, shown: &str) -> Result<String, Problem> {
    read_input_bytes(path, shown).and_then(|(bytes, _)| decode(bytes, shown))
}

/// The bytes of an input file (as [`read_input`] reads it), with what the file was when it was
/// opened.
pub(crate) fn read_input_bytes(path: &Path, shown: &str) -> Result<(Vec<u8>, Stamp), Problem> {
    let read = input::read_regular(path, MAX_INPUT_BYTES).map_err(|e| match e {
        ReadError::Io(kind) => Problem {
            origin: None,
            message: format!("read {shown}: {kind}"),
        },
        other => Problem::in_file(shown, other.to_string()),
    })?;
    Ok((read.bytes, read.stamp))
}

/// An input file's bytes as text; invalid UTF-8 is a problem at the first bad byte.
pub(crate) fn decode(bytes: Vec<u8>, shown: &str) -> Result<String, Problem> {
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        Problem::at(
            Origin {
                file: shown.into(),
                line,
                column,
            },
            "file is not valid UTF-8",
        )
    })
}

fn line_col(prefix: &[u8]) -> (u64, u64) {
    let line = prefix.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let col = prefix.iter().rev().take_while(|b| **b != b'\n').count() as u64 + 1;
    (line, col)
}

/// Parses YAML text into `T`, turning a parse error into a located [`Problem`].
pub fn parse_yaml<T: DeserializeOwned>(text: &str, shown: &str) -> Result<T, Problem> {
    let limits = &budget::LIMITS;
    serde_saphyr::from_str_with_options::<T>(text, budget::options(limits)).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line().max(1), l.column().max(1)))
            .unwrap_or((1, 1));
        let message = budget::message(&e, limits).unwrap_or_else(|| {
            let mut message = e.to_string();
            if let Some(cut) = message.rfind(" at line ") {
                message.truncate(cut);
            }
            message
        });
        Problem::at(
            Origin {
                file: shown.into(),
                line,
                column,
            },
            message,
        )
    })
}

/// The origin of a spanned YAML value in `file` (whose name it shares).
pub fn origin_of(file: &Arc<str>, loc: &serde_saphyr::Location) -> Origin {
    Origin {
        file: Arc::clone(file),
        line: loc.line().max(1),
        column: loc.column().max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn yaml_error_has_location_and_short_message() {
        let p = parse_yaml::<T>("a: 1\nb: 2\n", "x.yaml").unwrap_err();
        assert_eq!(
            p.to_string(),
            "x.yaml:2:1: unknown field `b`, expected one of a"
        );
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col(b"ab\ncd"), (2, 3));
        assert_eq!(line_col(b""), (1, 1));
    }
}
