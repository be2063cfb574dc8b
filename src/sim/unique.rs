//! An index of what must be unique across a world's users (an e-mail address, a user name),
//! by its normalised key, so that a write checks uniqueness without a scan over every user:
//! at 100,000 users that scan, once per write, was what held the benchmark's apply back.
//!
//! Derived from a world, never stored: each world rebuilds it when it is normalised and keeps
//! it as its operations change users. It knows no vendor and no rule of what is unique.

use std::collections::HashMap;

/// Which user holds each key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unique<Id>(HashMap<String, Id>);

impl<Id> Default for Unique<Id> {
    fn default() -> Self {
        Self(HashMap::new())
    }
}

impl<Id> FromIterator<(String, Id)> for Unique<Id> {
    fn from_iter<I: IntoIterator<Item = (String, Id)>>(keys: I) -> Self {
        Self(keys.into_iter().collect())
    }
}

impl<Id: PartialEq> Unique<Id> {
    /// The user holding `key`, if any.
    pub(crate) fn holder(&self, key: &str) -> Option<&Id> {
        self.0.get(key)
    }

    /// Whether a user other than `except` holds `key`.
    pub(crate) fn taken(&self, key: &str, except: Option<&Id>) -> bool {
        self.holder(key)
            .is_some_and(|holder| Some(holder) != except)
    }

    /// Records that `id` now holds `key`.
    pub(crate) fn claim(&mut self, key: String, id: Id) {
        self.0.insert(key, id);
    }

    /// Forgets `key`, if `id` holds it.
    pub(crate) fn release(&mut self, key: &str, id: &Id) {
        if self.holder(key) == Some(id) {
            self.0.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_taken_by_its_holder_until_released() {
        let mut emails: Unique<u64> = [("a@x.com".to_owned(), 1)].into_iter().collect();
        assert!(emails.taken("a@x.com", None));
        assert!(emails.taken("a@x.com", Some(&2)));
        assert!(
            !emails.taken("a@x.com", Some(&1)),
            "its own key is not taken"
        );
        assert!(!emails.taken("b@x.com", None));
        emails.release("a@x.com", &2);
        assert_eq!(
            emails.holder("a@x.com"),
            Some(&1),
            "only the holder releases"
        );
        emails.release("a@x.com", &1);
        emails.claim("a@x.com".to_owned(), 2);
        assert_eq!(emails.holder("a@x.com"), Some(&2));
    }
}
