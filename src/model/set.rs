//! The members of a set field ([`super::Value::Set`]): workflow ids, group names, roles. A
//! sorted set's interface and order, kept as one sorted slice without duplicates.
//!
//! A user's sets hold one or a few members, for which a `BTreeSet` leaf (room for 11, 280
//! bytes) is mostly empty; the slice takes 24 bytes a member. Adding or removing one member
//! copies the slice (sets are built whole, by collecting, which sorts once). Serialised,
//! deserialised (sorted and deduplicated, whatever the input's order), described (JSON Schema)
//! and debug-printed exactly as the `BTreeSet<String>` was. Pure.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Texts, sorted, each once.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Set(Box<[String]>);

impl Set {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, item: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|m| m.as_str().cmp(item))
    }

    pub fn contains(&self, item: &str) -> bool {
        self.find(item).is_ok()
    }

    /// Adds `item`; whether it was new.
    pub fn insert(&mut self, item: String) -> bool {
        let Err(i) = self.find(&item) else {
            return false;
        };
        let mut v = std::mem::take(&mut self.0).into_vec();
        v.insert(i, item);
        self.0 = v.into_boxed_slice();
        true
    }

    /// Takes `item` out; whether it was there.
    pub fn remove(&mut self, item: &str) -> bool {
        let Ok(i) = self.find(item) else {
            return false;
        };
        let mut v = std::mem::take(&mut self.0).into_vec();
        v.remove(i);
        self.0 = v.into_boxed_slice();
        true
    }

    /// Keeps only the members for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&String) -> bool) {
        let mut v = std::mem::take(&mut self.0).into_vec();
        v.retain(keep);
        self.0 = v.into_boxed_slice();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The smallest member.
    pub fn first(&self) -> Option<&String> {
        self.0.first()
    }

    /// The members in order.
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    /// The members of `self` not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a Set) -> impl Iterator<Item = &'a String> + 'a {
        self.iter().filter(move |m| !other.contains(m))
    }

    /// Whether every member of `self` is in `other`.
    pub fn is_subset(&self, other: &Set) -> bool {
        self.len() <= other.len() && self.iter().all(|m| other.contains(m))
    }
}

impl FromIterator<String> for Set {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let mut v: Vec<String> = iter.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Set(v.into_boxed_slice())
    }
}

impl From<BTreeSet<String>> for Set {
    /// Already sorted and without duplicates.
    fn from(set: BTreeSet<String>) -> Self {
        Set(set.into_iter().collect())
    }
}

impl Extend<String> for Set {
    /// Sorts once, however many are added.
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        let mut v = std::mem::take(&mut self.0).into_vec();
        v.extend(iter);
        *self = v.into_iter().collect();
    }
}

impl IntoIterator for Set {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Set {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Debug for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for Set {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Set {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<String>::deserialize(d).map(Set::from_iter)
    }
}

impl schemars::JsonSchema for Set {
    fn inline_schema() -> bool {
        <BTreeSet<String>>::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        <BTreeSet<String>>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <BTreeSet<String>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <BTreeSet<String>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(items: &[&str]) -> (Set, BTreeSet<String>) {
        let owned = || items.iter().map(|s| s.to_string());
        (owned().collect(), owned().collect())
    }

    #[test]
    fn behaves_as_the_set_it_replaces() {
        let (s, b) = both(&["b", "10", "a", "9", "b"]);
        assert_eq!(s.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
        assert_eq!(s.len(), 4);
        assert_eq!(format!("{s:?}"), format!("{b:?}"));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let back: Set = serde_json::from_str(r#"["b","a","b","10"]"#).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), ["10", "a", "b"]);
        assert_eq!(Set::from(b.clone()), s);
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(Set)).unwrap(),
            serde_json::to_value(schemars::schema_for!(BTreeSet<String>)).unwrap()
        );
        let (t, c) = both(&["a", "c"]);
        assert_eq!(
            s.difference(&t).collect::<Vec<_>>(),
            b.difference(&c).collect::<Vec<_>>()
        );
        assert_eq!(s.cmp(&t), b.cmp(&c));
        assert!(!t.is_subset(&s) && Set::from_iter(["a".to_string()]).is_subset(&s));
    }

    #[test]
    fn changes_keep_it_sorted() {
        let (mut s, _) = both(&["b", "d"]);
        assert!(s.insert("c".into()) && !s.insert("b".into()));
        assert!(s.insert("a".into()));
        assert!(s.remove("b") && !s.remove("zz"));
        s.extend(["e".to_string(), "a".to_string()]);
        assert_eq!(s.iter().collect::<Vec<_>>(), ["a", "c", "d", "e"]);
        s.retain(|m| m != "c");
        assert_eq!(s.clone().into_iter().collect::<Vec<_>>(), ["a", "d", "e"]);
        s.retain(|_| false);
        assert!(s.is_empty() && s == Set::new());
    }
}
