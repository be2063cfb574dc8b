//! What the daemon shows of its etcd ownerships: the targets it owns, the ownership changes
//! (claims, releases, losses), whether etcd answers, and the readiness that follows.
//!
//! Only records and answers; it claims nothing.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::super::health::Health;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TargetLabel {
    pub target: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChangeLabel {
    /// `claim`, `release` or `loss`.
    pub change: String,
}

/// The ownership metrics, and the state `/readyz` reads.
#[derive(Debug, Default)]
pub struct Gauges {
    pub owned: Gauge,
    /// 1 for each target this daemon owns, 0 for the others it could claim.
    pub target_owned: Family<TargetLabel, Gauge>,
    pub changes: Family<ChangeLabel, Counter>,
    pub etcd_up: Gauge,
    /// `None` without `coordination.etcd`.
    state: Mutex<Option<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// Why etcd cannot be used now; `None` while it answers.
    down: Option<String>,
    owned: BTreeSet<String>,
}

impl Gauges {
    pub fn register(r: &mut Registry) -> Gauges {
        let g = Gauges::default();
        r.register(
            "owned_targets",
            "Targets this daemon owns through etcd",
            g.owned.clone(),
        );
        r.register(
            "target_owned",
            "1 while this daemon owns the target through etcd",
            g.target_owned.clone(),
        );
        r.register(
            "ownership_changes",
            "Ownership changes of this daemon: claim, release, loss",
            g.changes.clone(),
        );
        r.register(
            "etcd_up",
            "1 while etcd answers this daemon's claim loop",
            g.etcd_up.clone(),
        );
        g
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<State>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one ownership change.
    pub fn count(&self, change: &str) {
        self.changes
            .get_or_create(&ChangeLabel {
                change: change.to_string(),
            })
            .inc();
    }

    /// The claim loop's latest view: which of `targets` it owns, and why etcd cannot be used,
    /// if so.
    pub fn set(&self, targets: &[String], owned: BTreeSet<String>, down: Option<String>) {
        self.target_owned.clear();
        for t in targets.iter().chain(&owned) {
            let label = TargetLabel { target: t.clone() };
            self.target_owned
                .get_or_create(&label)
                .set(i64::from(owned.contains(t)));
        }
        self.owned.set(owned.len() as i64);
        self.etcd_up.set(i64::from(down.is_none()));
        *self.lock() = Some(State { down, owned });
    }

    /// Whether this daemon owns `name` (always, without etcd).
    pub fn owns(&self, name: &str) -> bool {
        self.lock().as_ref().is_none_or(|s| s.owned.contains(name))
    }

    /// With etcd: ready while etcd answers and, when it owns targets, one of them is ready;
    /// and `/readyz`'s body. `None` without etcd.
    pub fn readiness(&self, health: &Health) -> Option<(bool, String)> {
        let state = self.lock();
        let s = state.as_ref()?;
        let mut body = String::new();
        let ready = match &s.down {
            Some(why) => {
                let _ = writeln!(body, "etcd: unavailable, applying nothing: {why}");
                false
            }
            None => {
                let owned: Vec<&str> = s.owned.iter().map(String::as_str).collect();
                let _ = writeln!(body, "etcd: ok; owning: {}", owned.join(", "));
                owned.is_empty() || owned.iter().any(|t| health.get(t).ready())
            }
        };
        body.push_str(&health.describe());
        Some((ready, body))
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::health::TargetHealth;
    use super::*;

    #[test]
    fn ready_only_while_etcd_answers_and_an_owned_target_is_ready() {
        let g = Gauges::default();
        let h = Health::default();
        assert_eq!(g.readiness(&h), None, "no etcd: the targets decide");
        assert!(g.owns("a"));
        g.set(&[], BTreeSet::new(), None);
        assert!(g.readiness(&h).unwrap().0, "owning nothing, etcd fine");
        assert!(!g.owns("a"));
        g.set(
            &["a".into(), "b".into()],
            BTreeSet::from(["a".to_string()]),
            None,
        );
        assert!(!g.readiness(&h).unwrap().0, "a not reconciled yet");
        let owned = |t: &str| {
            g.target_owned
                .get_or_create(&TargetLabel { target: t.into() })
                .get()
        };
        assert_eq!((owned("a"), owned("b")), (1, 0));
        let ok = TargetHealth {
            last_ok: true,
            current: true,
            failures: 0,
        };
        h.set("a", ok);
        assert!(g.readiness(&h).unwrap().0);
        g.set(
            &[],
            BTreeSet::from(["a".to_string()]),
            Some("no leader".into()),
        );
        let (ready, body) = g.readiness(&h).unwrap();
        assert!(!ready);
        assert!(body.starts_with("etcd: unavailable"), "{body}");
    }
}
