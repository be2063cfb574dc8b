//! Fair share (pure): from the live daemons, the targets and their current owners, which
//! targets this daemon should release and which free ones it should claim.
//!
//! Every daemon computes the same quotas from the same view: `targets / daemons` each, and the
//! remainder to the daemons that already own the most (then by id), so that a balanced split is
//! left alone. A daemon above its quota releases first and claims nothing in the same step; a
//! daemon below it claims only targets nobody owns. So a rebalance passes through "nobody owns
//! it" and never through "two own it" (etcd refuses a second owner anyway). Targets owned by a
//! daemon that is no longer live are neither free nor counted: they become free when etcd
//! expires that daemon's lease.

use std::collections::{BTreeMap, BTreeSet};

/// What a daemon sees at one moment.
#[derive(Debug, Clone, Copy)]
pub struct ShareView<'a> {
    /// This daemon's id.
    pub me: &'a str,
    /// The live daemons' ids (this one is counted even when missing).
    pub live: &'a [String],
    /// The configured targets.
    pub targets: &'a [String],
    /// Current owner (daemon id) of each owned target, configured or not.
    pub owners: &'a BTreeMap<String, String>,
}

/// What this daemon should do now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Share {
    pub release: Vec<String>,
    pub claim: Vec<String>,
}

pub fn fair_share(view: ShareView<'_>) -> Share {
    let live: BTreeSet<&str> = view
        .live
        .iter()
        .map(String::as_str)
        .chain([view.me])
        .collect();
    let targets: BTreeSet<&str> = view.targets.iter().map(String::as_str).collect();
    let owner_of = |t: &str| view.owners.get(t).map(String::as_str);

    // Keys of targets no longer configured go first; they count for nobody.
    let mut release: Vec<String> = view
        .owners
        .iter()
        .filter(|(t, o)| o.as_str() == view.me && !targets.contains(t.as_str()))
        .map(|(t, _)| t.clone())
        .collect();
    let mine: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| owner_of(t) == Some(view.me))
        .collect();

    let quota = quota_of(view.me, &live, &targets, &owner_of);
    if mine.len() > quota {
        release.extend(mine[quota..].iter().map(|t| t.to_string()));
        return Share {
            release,
            claim: Vec::new(),
        };
    }
    let free: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| owner_of(t).is_none())
        .collect();
    // Daemons start at different free targets, so that two claiming at once rarely collide.
    let rank = live.iter().position(|d| *d == view.me).unwrap_or(0);
    let start = if free.is_empty() {
        0
    } else {
        rank % free.len()
    };
    let claim = free[start..]
        .iter()
        .chain(&free[..start])
        .take(quota - mine.len())
        .map(|t| t.to_string())
        .collect();
    Share { release, claim }
}

/// `me`'s quota: the base share, plus one if it is among the remainder's daemons.
fn quota_of<'a>(
    me: &str,
    live: &BTreeSet<&'a str>,
    targets: &BTreeSet<&str>,
    owner_of: &dyn Fn(&str) -> Option<&'a str>,
) -> usize {
    let (base, extra) = (targets.len() / live.len(), targets.len() % live.len());
    let mut counts: BTreeMap<&str, usize> = live.iter().map(|d| (*d, 0)).collect();
    for t in targets {
        if let Some(n) = owner_of(t).and_then(|o| counts.get_mut(o)) {
            *n += 1;
        }
    }
    let mut order: Vec<(&str, usize)> = counts.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let lucky = order.iter().take(extra).any(|(d, _)| *d == me);
    base + usize::from(lucky)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize, prefix: &str) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    /// Daemons take turns in `order`, each seeing the owners as the previous ones left them
    /// and applying its share the way the claim loop does (a claim fails if taken meanwhile).
    fn round(
        live: &[String],
        targets: &[String],
        owners: &mut BTreeMap<String, String>,
        order: &[usize],
    ) {
        for &i in order {
            let me = &live[i];
            let share = fair_share(ShareView {
                me,
                live,
                targets,
                owners,
            });
            for t in &share.release {
                assert_eq!(owners.remove(t).as_deref(), Some(me.as_str()));
            }
            for t in &share.claim {
                owners.entry(t.clone()).or_insert_with(|| me.clone());
            }
        }
    }

    fn counts(live: &[String], owners: &BTreeMap<String, String>) -> Vec<usize> {
        live.iter()
            .map(|d| owners.values().filter(|o| *o == d).count())
            .collect()
    }

    #[test]
    fn two_daemons_four_targets_split_two_each() {
        let live = names(2, "d");
        let targets = names(4, "t");
        let mut owners = BTreeMap::new();
        round(&live, &targets, &mut owners, &[0, 1]);
        round(&live, &targets, &mut owners, &[1, 0]);
        assert_eq!(counts(&live, &owners), [2, 2]);
    }

    #[test]
    fn a_joining_daemon_gets_its_share_by_release_then_claim() {
        let live = names(2, "d");
        let targets = names(4, "t");
        // d0 was alone and owns everything.
        let mut owners: BTreeMap<String, String> = targets
            .iter()
            .map(|t| (t.clone(), live[0].clone()))
            .collect();
        let share = fair_share(ShareView {
            me: &live[1],
            live: &live,
            targets: &targets,
            owners: &owners,
        });
        assert_eq!(share, Share::default(), "nothing is free yet");
        let share = fair_share(ShareView {
            me: &live[0],
            live: &live,
            targets: &targets,
            owners: &owners,
        });
        assert_eq!(share.release, ["t2", "t3"]);
        assert!(
            share.claim.is_empty(),
            "release first, claim nothing in the same step"
        );
        round(&live, &targets, &mut owners, &[0, 1]);
        assert_eq!(counts(&live, &owners), [2, 2]);
        // Stable: another round changes nothing.
        let before = owners.clone();
        round(&live, &targets, &mut owners, &[1, 0]);
        assert_eq!(owners, before);
    }

    #[test]
    fn a_dead_daemons_targets_go_to_the_survivor_once_free() {
        let targets = names(4, "t");
        let survivor = vec!["d0".to_string()];
        let mut owners: BTreeMap<String, String> = targets
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), format!("d{}", i % 2)))
            .collect();
        // d1's keys are still there: not free, nothing to claim.
        let share = fair_share(ShareView {
            me: "d0",
            live: &survivor,
            targets: &targets,
            owners: &owners,
        });
        assert_eq!(share, Share::default());
        // etcd expires d1's lease: its keys go.
        owners.retain(|_, o| o == "d0");
        round(&survivor, &targets, &mut owners, &[0]);
        assert_eq!(counts(&survivor, &owners), [4]);
    }

    #[test]
    fn an_uneven_split_already_made_is_left_alone() {
        let live = names(2, "d");
        let targets = names(3, "t");
        let mut owners: BTreeMap<String, String> = BTreeMap::from([
            ("t0".into(), "d1".into()),
            ("t1".into(), "d1".into()),
            ("t2".into(), "d0".into()),
        ]);
        let before = owners.clone();
        round(&live, &targets, &mut owners, &[0, 1]);
        assert_eq!(owners, before);
    }

    #[test]
    fn targets_dropped_from_the_config_are_released() {
        let live = names(1, "d");
        let targets = names(1, "t");
        let owners = BTreeMap::from([("gone".to_string(), "d0".to_string())]);
        let share = fair_share(ShareView {
            me: "d0",
            live: &live,
            targets: &targets,
            owners: &owners,
        });
        assert_eq!(share.release, ["gone"]);
        assert_eq!(share.claim, ["t0"]);
    }

    proptest::proptest! {
        /// From any start, any number of daemons and targets and any turn order, a few rounds
        /// end with every target owned, the counts at most one apart, and no further change.
        #[test]
        fn converges_to_a_balanced_stable_split(
            n in 1usize..6,
            t in 0usize..20,
            start in proptest::collection::vec(0usize..7, 20),
            seed in 0u64..1000,
        ) {
            let live = names(n, "d");
            let targets = names(t, "t");
            let mut owners: BTreeMap<String, String> = targets.iter().zip(&start)
                .filter(|(_, o)| **o < n)
                .map(|(t, o)| (t.clone(), live[*o].clone()))
                .collect();
            let mut order: Vec<usize> = (0..n).collect();
            for r in 0..(2 * n + 4) {
                order.rotate_left((seed as usize + r) % n);
                round(&live, &targets, &mut owners, &order);
            }
            let c = counts(&live, &owners);
            proptest::prop_assert_eq!(owners.len(), t);
            proptest::prop_assert!(c.iter().max().unwrap() - c.iter().min().unwrap() <= 1, "{:?}", c);
            let before = owners.clone();
            round(&live, &targets, &mut owners, &order);
            proptest::prop_assert_eq!(owners, before);
        }
    }
}
