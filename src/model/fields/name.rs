//! Field names shared across users: every user's `email` field points at one `Arc<str>`
//! instead of owning its own copy.
//!
//! The table is process-wide and only grows, so it is bounded: names come from the providers'
//! schemas (a few dozen in all), but a saved plan may carry any name, and nothing from outside
//! may fill memory. Past [`MAX_NAMES`] names, or for a name longer than [`MAX_LEN`], a name
//! gets its own string, as before. Must not: know which names exist.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, Mutex};

/// How many distinct names are shared at most (every provider's schema together has fewer).
const MAX_NAMES: usize = 256;

/// Longer names are never shared (no schema's name comes close).
const MAX_LEN: usize = 64;

static NAMES: LazyLock<Mutex<HashSet<Arc<str>>>> = LazyLock::new(Mutex::default);

/// `name`, shared with every other user's field of that name while the table has room.
pub(super) fn shared(name: &str) -> Arc<str> {
    if name.len() > MAX_LEN {
        return name.into();
    }
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name) {
        return Arc::clone(n);
    }
    let n: Arc<str> = name.into();
    if names.len() < MAX_NAMES {
        names.insert(Arc::clone(&n));
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_string_per_name_and_never_more_than_the_bound() {
        let a = shared("email");
        assert!(Arc::ptr_eq(&a, &shared(&String::from("email"))));
        let long = "x".repeat(MAX_LEN + 1);
        assert!(!Arc::ptr_eq(&shared(&long), &shared(&long)));
        for i in 0..2 * MAX_NAMES {
            assert_eq!(&*shared(&format!("field {i}")), format!("field {i}"));
        }
        assert!(NAMES.lock().unwrap().len() <= MAX_NAMES);
        assert!(Arc::ptr_eq(&a, &shared("email")));
    }
}
