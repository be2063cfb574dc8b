//! Each target's health as the daemon knows it: whether its last reconcile succeeded, whether
//! it reconciles against its current manifests (an invalid edit holds a target back on its last
//! good state), and how many reconciles failed in a row. The daemon is ready while at least
//! one target is healthy.
//!
//! Only records and answers; it never reconciles.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// One target's health.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetHealth {
    /// Its last reconcile succeeded.
    pub last_ok: bool,
    /// It reconciles against the manifests on disk (not a last good state held back).
    pub current: bool,
    /// Reconciles that failed in a row.
    pub failures: u32,
}

impl TargetHealth {
    pub fn ready(&self) -> bool {
        self.last_ok && self.current
    }
}

/// Every target's health, by name.
#[derive(Debug, Default)]
pub struct Health(Mutex<BTreeMap<String, TargetHealth>>);

impl Health {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, TargetHealth>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, target: &str, health: TargetHealth) {
        self.lock().insert(target.to_string(), health);
    }

    pub fn get(&self, target: &str) -> TargetHealth {
        self.lock().get(target).copied().unwrap_or_default()
    }

    pub fn remove(&self, target: &str) {
        self.lock().remove(target);
    }

    /// Ready while at least one target reconciles against its current manifests.
    pub fn ready(&self) -> bool {
        self.lock().values().any(TargetHealth::ready)
    }

    /// (targets ready, targets known).
    pub fn counts(&self) -> (usize, usize) {
        let map = self.lock();
        (map.values().filter(|h| h.ready()).count(), map.len())
    }

    /// `/readyz`'s body: one line per target.
    pub fn describe(&self) -> String {
        let map = self.lock();
        let mut out = String::new();
        if map.is_empty() {
            out.push_str("no target has a valid desired state yet\n");
        }
        for (name, h) in map.iter() {
            let _ = writeln!(
                out,
                "{name}: last reconcile {}; manifests {}",
                match (h.last_ok, h.failures) {
                    (true, _) => "succeeded".to_string(),
                    (false, 0) => "not run yet".to_string(),
                    (false, n) => format!("failed ({n} in a row)"),
                },
                if h.current {
                    "valid"
                } else {
                    "invalid (the last good state is kept)"
                }
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_while_one_target_reconciles_against_current_manifests() {
        let h = Health::default();
        assert!(!h.ready(), "nothing known yet");
        h.set(
            "a",
            TargetHealth {
                last_ok: false,
                current: true,
                failures: 3,
            },
        );
        h.set(
            "b",
            TargetHealth {
                last_ok: true,
                current: false,
                failures: 0,
            },
        );
        assert!(!h.ready(), "a fails, b is held back");
        h.set(
            "c",
            TargetHealth {
                last_ok: true,
                current: true,
                failures: 0,
            },
        );
        assert!(h.ready());
        assert_eq!(h.counts(), (1, 3));
        let text = h.describe();
        assert!(
            text.contains("a: last reconcile failed (3 in a row); manifests valid"),
            "{text}"
        );
        assert!(
            text.contains("b: last reconcile succeeded; manifests invalid"),
            "{text}"
        );
        h.remove("c");
        assert!(!h.ready());
    }
}
