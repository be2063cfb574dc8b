//! The managed fields of one user: a map from field name to [`Value`] with a B-tree map's
//! interface and order, kept as one sorted vector behind an `Arc`.
//!
//! Users have a handful of fields (Xtracta's four), for which a `BTreeMap` leaf (room for 11
//! entries, 632 bytes) is mostly empty; the vector takes what the fields need. The `Arc` makes
//! a clone of a user cheap (the daemon's parsed-file cache and its targets' state share the
//! fields); a change copies them only while they are shared. The names are shared too
//! (`name.rs`): every user's `email` is one string. Serialised, described (JSON Schema) and
//! debug-printed exactly as the map was. Pure, but for the names' process-wide table.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Value;

mod name;

/// Field name → value, sorted by name, each name once.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fields(Arc<Vec<(Arc<str>, Value)>>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.find(key).ok()?;
        Some(&mut Arc::make_mut(&mut self.0)[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`; the value it had, if any.
    pub fn insert(&mut self, key: impl AsRef<str>, value: Value) -> Option<Value> {
        let key = key.as_ref();
        let i = self.find(key);
        let v = Arc::make_mut(&mut self.0);
        match i {
            Ok(i) => Some(std::mem::replace(&mut v[i].1, value)),
            Err(i) => {
                v.insert(i, (name::shared(key), value));
                None
            }
        }
    }

    /// The value of `key`, set to `default()` first when it has none.
    pub fn get_or_insert_with(
        &mut self,
        key: impl AsRef<str>,
        default: impl FnOnce() -> Value,
    ) -> &mut Value {
        let key = key.as_ref();
        let found = self.find(key);
        let v = Arc::make_mut(&mut self.0);
        let i = match found {
            Ok(i) => i,
            Err(i) => {
                v.insert(i, (name::shared(key), default()));
                i
            }
        };
        &mut v[i].1
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.find(key).ok()?;
        Some(Arc::make_mut(&mut self.0).remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields by name.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &Value)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// The fields by name, for changing their values (copied first while shared).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        Arc::make_mut(&mut self.0)
            .iter_mut()
            .map(|(k, v)| (&**k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| &**k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }
}

impl FromIterator<(String, Value)> for Fields {
    /// As a map would: a name given twice keeps its last value.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut v: Vec<(String, Value)> = iter.into_iter().collect();
        v.reverse();
        // Stable: of equal names, the last given comes first and is the one kept.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.dedup_by(|later, first| later.0 == first.0);
        let mut v: Vec<(Arc<str>, Value)> =
            v.into_iter().map(|(k, v)| (name::shared(&k), v)).collect();
        // Collecting in place may keep the larger tuples' allocation.
        v.shrink_to_fit();
        Fields(Arc::new(v))
    }
}

impl<const N: usize> From<[(String, Value); N]> for Fields {
    fn from(items: [(String, Value); N]) -> Self {
        items.into_iter().collect()
    }
}

impl From<BTreeMap<String, Value>> for Fields {
    fn from(map: BTreeMap<String, Value>) -> Self {
        Fields(Arc::new(
            map.into_iter()
                .map(|(k, v)| (name::shared(&k), v))
                .collect(),
        ))
    }
}

impl Extend<(String, Value)> for Fields {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl IntoIterator for Fields {
    type Item = (Arc<str>, Value);
    type IntoIter = std::vec::IntoIter<(Arc<str>, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        Arc::unwrap_or_clone(self.0).into_iter()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a str, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, Value)>,
        fn(&'a (Arc<str>, Value)) -> (&'a str, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (&**k, v))
    }
}

impl<'a> IntoIterator for &'a mut Fields {
    type Item = (&'a str, &'a mut Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a mut Value)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter_mut())
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = Value;
    /// As a map's: panics when the field is absent.
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or_else(|| panic!("no field {key}"))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<String, Value>::deserialize(d).map(Fields::from)
    }
}

impl schemars::JsonSchema for Fields {
    fn inline_schema() -> bool {
        <BTreeMap<String, Value>>::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        <BTreeMap<String, Value>>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <BTreeMap<String, Value>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <BTreeMap<String, Value>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::text(s)
    }

    #[test]
    fn behaves_as_the_map_it_replaces() {
        let items = [("b", "1"), ("a", "2"), ("c", "3"), ("a", "4")];
        let f: Fields = items
            .iter()
            .map(|(k, v)| (k.to_string(), text(v)))
            .collect();
        let m: BTreeMap<String, Value> = items
            .iter()
            .map(|(k, v)| (k.to_string(), text(v)))
            .collect();
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            m.iter().map(|(k, v)| (k.as_str(), v)).collect::<Vec<_>>()
        );
        assert_eq!(format!("{f:?}"), format!("{m:?}"));
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            serde_json::to_string(&m).unwrap()
        );
        let back: Fields = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, f);
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(Fields)).unwrap(),
            serde_json::to_value(schemars::schema_for!(BTreeMap<String, Value>)).unwrap()
        );
    }

    #[test]
    fn changes_copy_only_what_is_shared() {
        let mut f = Fields::from([("a".to_string(), text("1"))]);
        let kept = f.clone();
        assert_eq!(f.insert("b", text("2")), None);
        assert_eq!(f.insert("a", text("3")), Some(text("1")));
        *f.get_mut("b").unwrap() = text("4");
        assert_eq!(f.remove("zz"), None);
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            [("a", &text("3")), ("b", &text("4"))]
        );
        assert_eq!(kept.get("a"), Some(&text("1")));
        assert_eq!(kept.len(), 1);
        assert!(f.contains_key("b") && !f.contains_key("c"));
    }
}
