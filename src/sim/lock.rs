//! Locking the simulators' shared per-run state (counts, tokens, logs, the fault engine's
//! generator).
//!
//! A handler that panicked while holding such a lock leaves data that is still whole (each
//! critical section is one update), so a poisoned lock is taken as it is rather than failing
//! every later request. It knows nothing of what is locked.

use std::sync::{Mutex, MutexGuard};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
