//! Reads a located YAML mapping key by key: typed getters that turn a wrong type into a located
//! problem, remember which keys were read, and at the end report every key nobody read.
//!
//! This is how the core and each vendor read their share of one target or one user without a
//! struct listing every vendor's keys. It collects problems and never stops at the first; it
//! knows nothing of what the keys mean.

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::node::Node;
use super::text;
use crate::diag::{self, Problem};
use crate::model::Origin;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub origin: Origin,
}

/// One value of a mapping, with the file it came from.
#[derive(Clone, Copy, Debug)]
pub struct Val<'a> {
    file: &'a Arc<str>,
    node: &'a Spanned<Node>,
}

impl<'a> Val<'a> {
    pub fn new(file: &'a Arc<str>, node: &'a Spanned<Node>) -> Self {
        Val { file, node }
    }

    pub fn node(&self) -> &'a Node {
        &self.node.value
    }

    pub fn origin(&self) -> Origin {
        diag::origin_of(self.file, &self.node.referenced)
    }

    pub fn problem(&self, message: impl Into<String>) -> Problem {
        Problem::at(self.origin(), message)
    }

    fn wrong(&self, key: &str, expected: &str) -> Problem {
        self.problem(format!(
            "`{key}` must be {expected}, not {}",
            self.node.value.kind()
        ))
    }

    /// Text as written (numbers and booleans are not text).
    pub fn text(&self, key: &str) -> Result<&'a str, Problem> {
        match &self.node.value {
            Node::Str(s) => Ok(s),
            _ => Err(self.wrong(key, "text")),
        }
    }

    /// Text, or a number read as its digits (ids may be written either way).
    pub fn scalar(&self, key: &str) -> Result<String, Problem> {
        match &self.node.value {
            Node::Str(s) => Ok(s.clone()),
            Node::Int(i) => Ok(i.to_string()),
            Node::UInt(u) => Ok(u.to_string()),
            _ => Err(self.wrong(key, "text or a number")),
        }
    }

    pub fn bool(&self, key: &str) -> Result<bool, Problem> {
        match &self.node.value {
            Node::Bool(b) => Ok(*b),
            _ => Err(self.wrong(key, "true or false")),
        }
    }

    /// A whole number from 0 up.
    pub fn u64(&self, key: &str) -> Result<u64, Problem> {
        match &self.node.value {
            Node::Int(i) => u64::try_from(*i).map_err(|_| {
                self.problem(format!("`{key}` must be a whole number from 0, not {i}"))
            }),
            Node::UInt(u) => Ok(*u),
            _ => Err(self.wrong(key, "a whole number")),
        }
    }

    /// A number, possibly `.inf` or `.nan`: the caller checks its range (NaN is in none).
    pub fn f64(&self, key: &str) -> Result<f64, Problem> {
        match &self.node.value {
            Node::Int(i) => Ok(*i as f64),
            Node::UInt(u) => Ok(*u as f64),
            Node::Float(f) => Ok(*f),
            _ => Err(self.wrong(key, "a number")),
        }
    }

    /// The items of a list.
    pub fn list(&self, key: &str) -> Result<Vec<Val<'a>>, Problem> {
        match &self.node.value {
            Node::Seq(items) => Ok(items.iter().map(|n| Val::new(self.file, n)).collect()),
            _ => Err(self.wrong(key, "a list")),
        }
    }

    /// A mapping, to be read key by key.
    pub fn keys(&self, key: &str) -> Result<Keys<'a>, Problem> {
        Keys::new(self.file, self.node).map_err(|_| self.wrong(key, "a mapping"))
    }
}

/// A mapping being read; see the module doc.
#[derive(Debug)]
pub struct Keys<'a> {
    file: &'a Arc<str>,
    origin: Origin,
    entries: &'a [(Spanned<String>, Spanned<Node>)],
    used: Vec<bool>,
    problems: Vec<Problem>,
}

/// What an unread key may be instead: e.g. another vendor's key. Returns the message.
pub type Foreign<'f> = &'f dyn Fn(&str) -> Option<String>;

impl<'a> Keys<'a> {
    /// Starts reading `node`, which must be a mapping (an empty document counts as an empty one).
    pub fn new(file: &'a Arc<str>, node: &'a Spanned<Node>) -> Result<Self, Problem> {
        let origin = diag::origin_of(file, &node.referenced);
        let entries: &'a [_] = match &node.value {
            Node::Map(entries) => entries,
            Node::Null => &[],
            other => {
                return Err(Problem::at(
                    origin,
                    format!("expected a mapping of keys, not {}", other.kind()),
                ));
            }
        };
        Ok(Keys {
            file,
            origin,
            entries,
            used: vec![false; entries.len()],
            problems: Vec::new(),
        })
    }

    /// The file being read, as shown to people.
    pub fn file(&self) -> &'a str {
        self.file.as_ref()
    }

    /// Where the mapping starts: missing keys are reported here.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Records a problem found while reading.
    pub fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// Whether `key` is present, without reading it.
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.value == key)
    }

    /// The value of `key`, marking it read. A `null` value counts as absent.
    pub fn get(&mut self, key: &str) -> Option<Val<'a>> {
        let i = self.entries.iter().position(|(k, _)| k.value == key)?;
        self.used[i] = true;
        let node = &self.entries[i].1;
        (!matches!(node.value, Node::Null)).then(|| Val::new(self.file, node))
    }

    /// Where `key` itself is written, when present.
    pub fn key_origin(&self, key: &str) -> Option<Origin> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(k, _)| diag::origin_of(self.file, &k.referenced))
    }

    fn typed<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(&Val<'a>) -> Result<T, Problem>,
    ) -> Option<Located<T>> {
        let v = self.get(key)?;
        match read(&v) {
            Ok(value) => Some(Located {
                value,
                origin: v.origin(),
            }),
            Err(p) => {
                self.problems.push(p);
                None
            }
        }
    }

    /// Text, trimmed, of at most [`text::MAX_TEXT`] characters and without control
    /// characters. An empty value is a problem (`` `name` is empty ``).
    pub fn text(&mut self, key: &str) -> Option<Located<String>> {
        self.text_of(key, text::MAX_TEXT)
    }

    /// A name (of a person, a user, a group): as [`Keys::text`], at most [`text::MAX_NAME`].
    pub fn name(&mut self, key: &str) -> Option<Located<String>> {
        self.text_of(key, text::MAX_NAME)
    }

    fn text_of(&mut self, key: &str, max: usize) -> Option<Located<String>> {
        let t = self.raw_text_of(key, max)?;
        let value = t.value.trim();
        if value.is_empty() {
            self.problems
                .push(Problem::at(t.origin, format!("`{key}` is empty")));
            return None;
        }
        Some(Located {
            value: value.to_string(),
            origin: t.origin,
        })
    }

    /// Text as written, untrimmed and possibly empty, without control characters.
    pub fn raw_text(&mut self, key: &str) -> Option<Located<String>> {
        self.raw_text_of(key, text::MAX_TEXT)
    }

    fn raw_text_of(&mut self, key: &str, max: usize) -> Option<Located<String>> {
        self.typed(key, |v| {
            let s = v.text(key)?;
            match text::problem(key, s, max) {
                None => Ok(s.to_string()),
                Some(why) => Err(v.problem(why)),
            }
        })
    }

    /// Text that must be there: `missing field` at the mapping when absent.
    pub fn required_text(&mut self, key: &str) -> Option<Located<String>> {
        if self.get(key).is_none() {
            self.missing(key);
            return None;
        }
        self.text(key)
    }

    /// A name that must be there.
    pub fn required_name(&mut self, key: &str) -> Option<Located<String>> {
        if self.get(key).is_none() {
            self.missing(key);
            return None;
        }
        self.name(key)
    }

    /// Reports `key` as missing, at the mapping.
    pub fn missing(&mut self, key: &str) {
        let p = Problem::at(self.origin.clone(), format!("missing field `{key}`"));
        self.problems.push(p);
    }

    pub fn scalar(&mut self, key: &str) -> Option<Located<String>> {
        self.typed(key, |v| v.scalar(key))
    }

    pub fn bool(&mut self, key: &str) -> Option<Located<bool>> {
        self.typed(key, |v| v.bool(key))
    }

    pub fn u64(&mut self, key: &str) -> Option<Located<u64>> {
        self.typed(key, |v| v.u64(key))
    }

    pub fn f64(&mut self, key: &str) -> Option<Located<f64>> {
        self.typed(key, |v| v.f64(key))
    }

    /// The items of a list, with the list's own place.
    pub fn list(&mut self, key: &str) -> Option<Located<Vec<Val<'a>>>> {
        self.typed(key, |v| v.list(key))
    }

    /// A list of names (at most [`text::MAX_NAME`] each), each trimmed and located; wrong items
    /// are problems.
    pub fn text_list(&mut self, key: &str) -> Option<Located<Vec<Located<String>>>> {
        let list = self.list(key)?;
        let mut out = Vec::with_capacity(list.value.len());
        for item in &list.value {
            let checked =
                item.text(key)
                    .and_then(|s| match text::problem(key, s, text::MAX_NAME) {
                        None => Ok(s),
                        Some(why) => Err(item.problem(why)),
                    });
            match checked {
                Ok(s) => out.push(Located {
                    value: s.trim().to_string(),
                    origin: item.origin(),
                }),
                Err(p) => self.problems.push(p),
            }
        }
        Some(Located {
            value: out,
            origin: list.origin,
        })
    }

    /// A nested mapping, to be read key by key.
    pub fn keys(&mut self, key: &str) -> Option<Keys<'a>> {
        self.typed(key, |v| v.keys(key)).map(|l| l.value)
    }

    /// Every entry, in written order, marking all of them read: for mappings whose keys are
    /// data (role sections, extended fields), not settings.
    pub fn entries(&mut self) -> Vec<(Located<&'a str>, Val<'a>)> {
        self.used.iter_mut().for_each(|u| *u = true);
        self.entries
            .iter()
            .map(|(k, v)| {
                let key = Located {
                    value: k.value.as_str(),
                    origin: diag::origin_of(self.file, &k.referenced),
                };
                (key, Val::new(self.file, v))
            })
            .collect()
    }

    /// Takes the problems of a nested reader.
    pub fn absorb(&mut self, problems: Vec<Problem>) {
        self.problems.extend(problems);
    }

    /// The keys nobody read, in written order, with where each key and its value are written.
    pub fn unread(&self) -> Vec<(&'a str, Origin, Origin)> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((k, v), _)| {
                let key = diag::origin_of(self.file, &k.referenced);
                (
                    k.value.as_str(),
                    key,
                    diag::origin_of(self.file, &v.referenced),
                )
            })
            .collect()
    }

    /// Ends reading without judging the unread keys: the problems found so far.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    /// Ends reading: every problem found, plus one for each key nobody read. `foreign` may
    /// explain such a key (e.g. "`group_id` is not a setting of this vendor"; reported at its value);
    /// otherwise it is an unknown field (reported at the key), listed with the `known` ones.
    pub fn finish(mut self, known: &[&str], foreign: Foreign<'_>) -> Vec<Problem> {
        for (key, key_at, value_at) in self.unread() {
            let p = match foreign(key) {
                Some(message) => Problem::at(value_at, message),
                None if known.is_empty() => Problem::at(key_at, format!("unknown field `{key}`")),
                None => Problem::at(
                    key_at,
                    format!(
                        "unknown field `{key}`, expected one of {}",
                        known.join(", ")
                    ),
                ),
            };
            self.problems.push(p);
        }
        self.problems
    }
}

#[cfg(test)]
mod tests;
