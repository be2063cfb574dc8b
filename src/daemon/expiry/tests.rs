//! The expiry wake-ups on a paused clock: at each instant and not before, for a state handed
//! over later, and the gauge of the next instant per target.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;
use crate::manifest::Desired;
use crate::model::{DesiredUser, Expiry, Origin};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ends(at: DateTime<Utc>) -> Expiry {
    Expiry {
        at,
        written: at.to_rfc3339(),
        origin: Origin {
            file: "u.yaml".into(),
            line: 1,
            column: 1,
        },
    }
}

fn user(key: &str, own: Option<DateTime<Utc>>, member: Option<DateTime<Utc>>) -> DesiredUser {
    let mut u = DesiredUser {
        key: key.into(),
        id: None,
        fields: crate::model::Fields::new(),
        password: None,
        ignore: Default::default(),
        expiry: Default::default(),
        origin: Origin {
            file: "u.yaml".into(),
            line: 1,
            column: 1,
        },
    };
    u.expiry.user = own.map(|o| Box::new(ends(o)));
    if let Some(m) = member {
        u.expiry.members.insert(
            "groups".into(),
            BTreeMap::from([("Auditors".to_string(), ends(m))]),
        );
    }
    u
}

fn desired(targets: &[(&str, Vec<DesiredUser>)]) -> Desired {
    Desired {
        by_target: targets
            .iter()
            .map(|(t, u)| (t.to_string(), std::sync::Arc::new(u.clone())))
            .collect(),
        files: Vec::new(),
    }
}

fn parts(d: &Desired) -> impl Iterator<Item = (&str, &[DesiredUser])> {
    d.by_target.iter().map(|(t, u)| (t.as_str(), u.as_slice()))
}

const START: &str = "2027-03-31T23:59:50Z";

/// A clock that moves with tokio's paused one, from [`START`].
struct TokioClock(tokio::time::Instant);

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        at(START) + chrono::Duration::from_std(self.0.elapsed()).unwrap()
    }
}

#[test]
fn instants_per_target_and_the_next_one() {
    let d = desired(&[
        (
            "a",
            vec![
                user(
                    "x",
                    Some(at("2027-04-01T00:00:00Z")),
                    Some(at("2027-03-01T00:00:00Z")),
                ),
                user("y", Some(at("2027-04-01T00:00:00Z")), None),
                user("z", None, None),
            ],
        ),
        ("b", vec![user("w", None, None)]),
    ]);
    let i = instants(parts(&d));
    assert_eq!(
        i,
        BTreeMap::from([(
            "a".to_string(),
            vec![at("2027-03-01T00:00:00Z"), at("2027-04-01T00:00:00Z")]
        )])
    );
    let next = |now: &str| next_after(&i, at(now)).get("a").copied();
    assert_eq!(
        next("2027-02-01T00:00:00Z"),
        Some(at("2027-03-01T00:00:00Z"))
    );
    assert_eq!(
        next("2027-03-01T00:00:00Z"),
        Some(at("2027-04-01T00:00:00Z"))
    );
    assert_eq!(next("2027-04-01T00:00:00Z"), None);
}

fn gauge(m: &Metrics, target: &str) -> Option<String> {
    m.encode()
        .lines()
        .find(|l| {
            l.starts_with(&format!(
                "roster_next_expiry_timestamp_seconds{{target=\"{target}\"}}"
            ))
        })
        .map(|l| l.rsplit(' ').next().unwrap_or_default().to_string())
}

/// The expiry loop on tokio's (paused) clock, the queue it pushes to, and its metrics.
fn started() -> (Ends, crate::daemon::trigger::Receiver, Arc<Metrics>) {
    let (queue, rx) = Queue::new();
    let metrics = Metrics::new();
    let ends = Ends::start(
        TokioClock(tokio::time::Instant::now()),
        queue,
        metrics.clone(),
    );
    (ends, rx, metrics)
}

#[tokio::test(start_paused = true)]
async fn wakes_at_each_instant_and_not_before() {
    let (ends, mut rx, metrics) = started();
    let first = at("2027-04-01T00:00:00Z");
    let second = at("2027-04-01T00:00:30Z");
    ends.set(parts(&desired(&[(
        "acme",
        vec![user("x", Some(first), Some(second))],
    )])));
    tokio::time::sleep(Duration::from_millis(9_990)).await;
    assert!(rx.try_recv().is_err(), "nothing before the instant");
    assert_eq!(gauge(&metrics, "acme").as_deref(), Some("1806537600.0"));
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(rx.try_recv().unwrap(), Trigger::Expiry);
    assert_eq!(ends.take_due(), BTreeSet::from(["acme".to_string()]));
    assert!(ends.take_due().is_empty(), "taken once");
    assert_eq!(gauge(&metrics, "acme").as_deref(), Some("1806537630.0"));
    tokio::time::sleep(Duration::from_secs(29)).await;
    assert!(rx.try_recv().is_err());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rx.try_recv().unwrap(), Trigger::Expiry);
    assert_eq!(gauge(&metrics, "acme"), None, "no instant left to come");
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(rx.try_recv().is_err(), "each instant wakes the loop once");
}

#[tokio::test(start_paused = true)]
async fn a_new_state_wakes_for_its_own_instants() {
    let (ends, mut rx, metrics) = started();
    ends.set(parts(&desired(&[(
        "a",
        vec![user("x", Some(at("2027-06-01T00:00:00Z")), None)],
    )])));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(gauge(&metrics, "a").is_some());
    // A reload brings an earlier end on another target, and drops the first target's.
    ends.set(parts(&desired(&[(
        "b",
        vec![user("y", None, Some(at("2027-04-01T00:00:03Z")))],
    )])));
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert!(rx.try_recv().is_err());
    assert_eq!(gauge(&metrics, "a"), None);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rx.try_recv().unwrap(), Trigger::Expiry);
    assert_eq!(ends.take_due(), BTreeSet::from(["b".to_string()]));
    // An end already past when the state arrives was covered by the reload's own reconcile.
    ends.set(parts(&desired(&[(
        "c",
        vec![user("z", Some(at("2027-01-01T00:00:00Z")), None)],
    )])));
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(rx.try_recv().is_err());
}

#[tokio::test(start_paused = true)]
async fn an_expiry_is_for_the_targets_whose_access_ended_only() {
    let (ends, mut rx, _) = started();
    ends.set(parts(&desired(&[
        ("a", vec![user("x", Some(at("2027-04-01T00:00:00Z")), None)]),
        ("b", vec![user("y", Some(at("2027-04-01T00:00:05Z")), None)]),
        ("c", vec![user("z", None, None)]),
    ])));
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(rx.try_recv().unwrap(), Trigger::Expiry);
    assert_eq!(ends.take_due(), BTreeSet::from(["a".to_string()]));
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(rx.try_recv().unwrap(), Trigger::Expiry);
    assert_eq!(ends.take_due(), BTreeSet::from(["b".to_string()]));
}
