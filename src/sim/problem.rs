//! A consistency problem in a simulator's world, how one reads in a message (`AT: WHAT`, or
//! `AT: WHAT (first at AT)` for a duplicate), and the tools a world's checks collect them
//! with.
//!
//! Generic over what a vendor's problems are about (its `Subject`); the vendor decides what
//! is a problem and how a subject is located (a YAML line:column, a JSON path).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// One thing wrong with a world, pointing at the entry it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem<S> {
    pub(crate) subject: S,
    pub(crate) message: String,
    /// For duplicates: the earlier occurrence.
    pub(crate) first: Option<S>,
}

impl<S: Copy> Problem<S> {
    /// The problem as one line, with `at` naming where a subject is.
    pub(crate) fn describe(&self, at: impl Fn(S) -> String) -> String {
        match self.first {
            Some(first) => format!(
                "{}: {} (first at {})",
                at(self.subject),
                self.message,
                at(first)
            ),
            None => format!("{}: {}", at(self.subject), self.message),
        }
    }
}

/// A world's problems, in the order its checks find them.
#[derive(Debug)]
pub(crate) struct Problems<S>(Vec<Problem<S>>);

impl<S> Default for Problems<S> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<S> Problems<S> {
    /// Something is wrong with `subject`.
    pub(crate) fn push(&mut self, subject: S, message: impl Into<String>) {
        let message = message.into();
        self.0.push(Problem {
            subject,
            message,
            first: None,
        });
    }

    /// `subject` repeats what `first` already has.
    pub(crate) fn twin(&mut self, subject: S, message: impl Into<String>, first: S) {
        let message = message.into();
        let first = Some(first);
        self.0.push(Problem {
            subject,
            message,
            first,
        });
    }

    /// A value that must be valid and unique: `subject` is refused for `invalid` when it
    /// says why, else as a twin of `first` (where the value's key was seen before) with the
    /// message `duplicate`.
    pub(crate) fn unique(
        &mut self,
        subject: S,
        invalid: Option<String>,
        first: Option<S>,
        duplicate: impl FnOnce() -> String,
    ) {
        match (invalid, first) {
            (Some(message), _) => self.push(subject, message),
            (None, Some(first)) => self.twin(subject, duplicate(), first),
            (None, None) => {}
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Problem<S>> {
        self.0
    }
}

/// Where each key was first seen, to find what must be unique.
#[derive(Debug)]
pub(crate) struct FirstSeen<K>(BTreeMap<K, usize>);

impl<K> Default for FirstSeen<K> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<K: Ord> FirstSeen<K> {
    /// Where `key` was seen before `at`, if it was; else remembers it at `at`.
    pub(crate) fn earlier(&mut self, key: K, at: usize) -> Option<usize> {
        match self.0.entry(key) {
            Entry::Occupied(seen) => Some(*seen.get()),
            Entry::Vacant(new) => {
                new.insert(at);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_name_both_places() {
        let at = |i: usize| format!("users[{i}]");
        let plain = Problem {
            subject: 2,
            message: "unknown group 5".to_owned(),
            first: None,
        };
        assert_eq!(plain.describe(at), "users[2]: unknown group 5");
        let twin = Problem {
            first: Some(0),
            ..plain
        };
        assert_eq!(
            twin.describe(at),
            "users[2]: unknown group 5 (first at users[0])"
        );
    }

    #[test]
    fn first_seen_remembers_the_first_place_only() {
        let mut seen = FirstSeen::default();
        assert_eq!(seen.earlier("a", 0), None);
        assert_eq!(seen.earlier("b", 1), None);
        assert_eq!(seen.earlier("a", 2), Some(0));
        assert_eq!(seen.earlier("a", 3), Some(0));
    }
}
