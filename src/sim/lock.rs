//! A simulator's shared per-run state behind a lock (request counts, tokens, logs, the fault
//! engine's generator).
//!
//! A handler that panicked while holding such a lock leaves data that is still whole (each
//! critical section is one update), so a poisoned lock is taken as it is rather than failing
//! every later request. It knows nothing of what is locked.

use std::sync::{Mutex, MutexGuard};

/// A value that handlers share, locked for each use.
#[derive(Debug, Default)]
pub(crate) struct Locked<T>(Mutex<T>);

impl<T> Locked<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
