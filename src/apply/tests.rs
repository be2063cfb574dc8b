//! The executor against a fake vendor on tokio's paused clock: every request takes a known
//! time, so orderings and round trips are exact and no test sleeps for real.

mod fake;
mod world;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::plan::{Membership, Update};
use fake::{
    Fake, benchmark_plan, create, fixed, membership, opts, round_trips, uneven, update, user,
};

/// Requests that fill every slot: `concurrency` at once, each [`LATENCY`] long.
fn filled(requests: usize) -> f64 {
    requests.div_ceil(8) as f64
}

#[tokio::test(start_paused = true)]
async fn the_benchmark_plan_takes_no_more_round_trips_than_its_requests_fill() {
    let plan = benchmark_plan();
    let requests = 999 + 474 + 2 * 20;
    // With a barrier between phases this took 191 round trips (and 200.55 with uneven answers).
    assert_eq!(round_trips(&plan, fixed).await, filled(requests));
    // Uneven answers: 21 ms on average, so no schedule can take less than this.
    let bound = requests as f64 * 21.0 / 20.0 / 8.0;
    let took = round_trips(&plan, uneven).await;
    assert!(took < bound + 1.0, "{took} round trips, at least {bound}");
}

fn plan_of(updates: Vec<Update>, creates: Vec<Create>, memberships: Vec<Membership>) -> TargetPlan {
    TargetPlan {
        target: "acme".into(),
        updates,
        creates,
        memberships,
        ..TargetPlan::default()
    }
}

fn renames(n: usize) -> impl Iterator<Item = Update> {
    (0..n).map(|i| {
        update(
            &format!("r{i}@x"),
            "name",
            &format!("R{i}"),
            &format!("S{i}"),
        )
    })
}

#[tokio::test(start_paused = true)]
async fn an_update_that_frees_an_email_ends_before_the_create_that_takes_it() {
    let mut updates: Vec<Update> = renames(20).collect();
    updates.push(update("bo@x", "email", " Ann@X ", "bo@x"));
    let creates = vec![create("ann@x", &[]), create("cy@x", &[])];
    let plan = plan_of(updates, creates, Vec::new());
    let fake = Fake::new(fixed);
    let report = apply(&fake, &plan, &opts(4, Stop::default())).await;
    assert!(report.ok(), "{report:?}");
    assert!(fake.served("create ann@x").start >= fake.served("update bo@x").end);
    // No barrier: the creates start while the last update is still on its way.
    assert!(fake.served("create cy@x").start < fake.served("update r19@x").end);
}

#[tokio::test(start_paused = true)]
async fn a_membership_change_waits_for_the_creates_and_updates_of_its_members_only() {
    let mut updates: Vec<Update> = renames(10).collect();
    updates.push(update("jo@x", "name", "Jo", "Joe"));
    let creates = vec![create("new@x", &["7"]), create("other@x", &["8"])];
    let memberships = vec![
        membership("7", &[], &["old@x"]),
        membership("9", &["jo@x"], &[]),
        membership("10", &["al@x"], &["new@x"]),
        membership("11", &["al@x"], &[]),
    ];
    let plan = plan_of(updates, creates, memberships);
    let fake = Fake::new(fixed);
    let report = apply(&fake, &plan, &opts(3, Stop::default())).await;
    assert!(report.ok(), "{report:?}");
    let new = fake.served("create new@x").end;
    assert!(
        fake.served("list 7").start >= new,
        "7 is joined by a create"
    );
    assert!(
        fake.served("list 10").start >= new,
        "10 is left by a created user"
    );
    assert!(fake.served("list 9").start >= fake.served("update jo@x").end);
    assert!(fake.served("membership 7").start >= fake.served("list 7").end);
    // Nothing it waits for: it starts before the updates are through.
    assert!(fake.served("list 11").start < fake.served("update r9@x").start);
}

#[tokio::test(start_paused = true)]
async fn removals_end_before_anything_else_starts() {
    let mut plan = plan_of(
        renames(5).collect(),
        vec![create("new@x", &["7"])],
        vec![membership("8", &["al@x"], &[])],
    );
    plan.deletes = vec![user("gone@x"), user("away@x")];
    plan.deactivations = vec![update("off@x", "active", "true", "false")];
    let fake = Fake::new(uneven);
    let report = apply(&fake, &plan, &opts(8, Stop::default())).await;
    assert!(report.ok(), "{report:?}");
    let removed = ["delete gone@x", "delete away@x", "update off@x"]
        .map(|w| fake.served(w).end)
        .into_iter()
        .max()
        .unwrap();
    for s in fake.served.lock().unwrap().iter() {
        if !s.what.starts_with("delete") && s.what != "update off@x" {
            assert!(
                s.start >= removed,
                "{} started before the removals ended",
                s.what
            );
        }
    }
    assert_eq!(fake.count(), 3 + 5 + 1 + 2);
}

#[tokio::test(start_paused = true)]
async fn the_report_lists_each_kind_sorted_and_a_failure_stops_nothing_else() {
    let mut updates: Vec<Update> = renames(3).collect();
    updates.push(update("bo@x", "email", "ann@x", "bo@x"));
    let mut plan = plan_of(
        updates,
        vec![create("zed@x", &["7"]), create("ann@x", &[])],
        vec![
            membership("7", &["r2@x"], &[]),
            membership("10", &["al@x"], &[]),
        ],
    );
    plan.deletes = vec![user("gone@x")];
    let mut fake = Fake::new(uneven);
    fake.fail.insert("update bo@x".to_string());
    let ticks = Arc::new(AtomicUsize::new(0));
    let counted = ticks.clone();
    let mut o = opts(2, Stop::default());
    o.progress = Some(Arc::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    let report = apply(&fake, &plan, &o).await;
    let changes: Vec<&str> = report.steps.iter().map(|s| s.change.as_str()).collect();
    assert_eq!(
        changes,
        [
            "delete gone@x",
            "update bo@x",
            "update r0@x",
            "update r1@x",
            "update r2@x",
            "create ann@x",
            "create zed@x",
            "workflows 10: +1 -0",
            "workflows 7: +1 -0",
        ]
    );
    assert_eq!(report.failed(), 1, "{report:?}");
    assert_eq!(report.done(), 8, "{report:?}");
    assert_eq!(ticks.load(Ordering::SeqCst), 9);
    assert!(fake.served("create ann@x").start >= fake.served("update bo@x").end);
}

#[tokio::test(start_paused = true)]
async fn after_a_stop_nothing_new_starts_and_every_change_is_reported() {
    let plan = benchmark_plan();
    let fake = Fake::new(fixed);
    let stop = Stop::default();
    let o = opts(8, stop.clone());
    let stopped_at = Instant::now() + Duration::from_millis(50);
    let (report, ()) = tokio::join!(apply(&fake, &plan, &o), async {
        tokio::time::sleep_until(stopped_at).await;
        stop.request();
    });
    let total = 999 + 474 + 20;
    assert_eq!(report.steps.len(), total);
    let started = fake.served.lock().unwrap().len();
    assert_eq!(started, 3 * 8, "the three rounds begun before the stop");
    assert_eq!(report.done(), started);
    assert_eq!(report.not_started(), total - started);
    assert!(
        fake.served
            .lock()
            .unwrap()
            .iter()
            .all(|s| s.start < stopped_at)
    );
}

#[test]
fn the_longest_chain_goes_first_and_nothing_waits_twice() {
    let mut plan = plan_of(
        vec![
            update("bo@x", "email", "ann@x", "bo@x"),
            update("cy@x", "name", "C", "D"),
        ],
        vec![create("ann@x", &["7", "8"]), create("dee@x", &["7"])],
        vec![
            membership("7", &["bo@x"], &["ann@x"]),
            membership("9", &[], &["cy@x"]),
        ],
    );
    plan.deletes = vec![user("gone@x")];
    let o = order::order(&plan);
    // gone, barrier, bo, cy, ann, dee, 7, 9
    assert_eq!(o.waits, [0, 1, 1, 1, 2, 1, 4, 2]);
    assert_eq!(
        o.then,
        [
            vec![1],
            vec![2, 3, 4, 5, 6, 7],
            vec![4, 6],
            vec![7],
            vec![6],
            vec![6],
            vec![],
            vec![]
        ]
    );
    assert_eq!(o.height, [5, 4, 4, 3, 3, 3, 2, 2]);
}

#[test]
fn the_look_up_pause_is_at_least_half_its_exponential_ceiling() {
    for attempt in 1..12 {
        let c = ceiling(LOOKUP_BASE, LOOKUP_CAP, attempt);
        for _ in 0..50 {
            let p = lookup_pause(attempt);
            assert!(c / 2 <= p && p <= c, "attempt {attempt}: {p:?} of {c:?}");
        }
    }
    assert!(lookup_pause(1) >= Duration::from_millis(250));
    assert!(lookup_pause(u32::MAX) <= LOOKUP_CAP);
}

#[test]
fn a_stop_before_sending_is_not_started_after_is_interrupted() {
    let stopped = |maybe_applied| {
        Err(ProviderError::Stopped {
            endpoint: "/v1/user/add".into(),
            detail: "stopped".into(),
            maybe_applied,
        })
    };
    assert_eq!(outcome(stopped(false)).0, Outcome::NotStarted);
    assert_eq!(
        outcome(stopped(true)).0,
        Outcome::Failed(
            "interrupted: /v1/user/add: stopped (the next plan shows whether it did)".into()
        )
    );
    assert_eq!(outcome(Ok(Applied::Confirmed)).0, Outcome::Done);
}

/// Allows `allow` proofs, each valid for `valid`, then refuses as a lost ownership would;
/// says its proofs stay valid while `trusted` is above zero (counting down per question).
struct Counted {
    proofs: AtomicUsize,
    allow: usize,
    valid: Duration,
    trusted: AtomicUsize,
}

impl Permit for Counted {
    fn prove(&self) -> crate::coordination::permit::Proof<'_> {
        let n = self.proofs.fetch_add(1, Ordering::SeqCst);
        let (allow, valid) = (self.allow, self.valid);
        Box::pin(async move {
            if n < allow {
                Ok(Instant::now() + valid)
            } else {
                Err(Denied::Lost {
                    target: "acme".into(),
                    reason: "now owned by someone else".into(),
                })
            }
        })
    }

    fn valid(&self) -> bool {
        self.trusted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

#[tokio::test(start_paused = true)]
async fn every_batch_is_proved_first_and_a_refusal_stops_all_writing() {
    let creates = (0..20).map(|i| create(&format!("c{i}@x"), &[])).collect();
    let plan = plan_of(Vec::new(), creates, Vec::new());
    let fake = Fake::new(fixed);
    let permit = Counted {
        proofs: AtomicUsize::new(0),
        allow: 2,
        valid: Duration::from_secs(3600),
        trusted: AtomicUsize::new(usize::MAX),
    };
    let o = Options {
        permit: &permit,
        ..opts(4, Stop::default())
    };
    let report = apply(&fake, &plan, &o).await;
    // Two batches of four proved and sent; the third proof refused: nothing more was sent.
    assert_eq!(fake.count(), 8);
    assert_eq!(report.done(), 8);
    assert_eq!(report.not_started(), 12);
    assert_eq!(permit.proofs.load(Ordering::SeqCst), 3);
    assert!(
        matches!(&report.denied, Some(Denied::Lost { target, .. }) if target == "acme"),
        "{:?}",
        report.denied
    );
}

#[tokio::test(start_paused = true)]
async fn a_proof_that_runs_out_is_made_again_before_the_next_write() {
    let creates = (0..6).map(|i| create(&format!("c{i}@x"), &[])).collect();
    let plan = plan_of(Vec::new(), creates, Vec::new());
    let fake = Fake::new(fixed);
    // Each proof lasts less than one request: every start needs a new one.
    let permit = Counted {
        proofs: AtomicUsize::new(0),
        allow: usize::MAX,
        valid: fake::LATENCY / 2,
        trusted: AtomicUsize::new(usize::MAX),
    };
    let o = Options {
        permit: &permit,
        ..opts(1, Stop::default())
    };
    let report = apply(&fake, &plan, &o).await;
    assert!(report.ok() && report.denied.is_none(), "{report:?}");
    assert_eq!(permit.proofs.load(Ordering::SeqCst), 6);
}

#[tokio::test(start_paused = true)]
async fn a_proof_the_permit_no_longer_trusts_is_made_again_before_the_next_write() {
    let creates = (0..8).map(|i| create(&format!("c{i}@x"), &[])).collect();
    let plan = plan_of(Vec::new(), creates, Vec::new());
    let fake = Fake::new(fixed);
    // One proof allowed, then trusted for four questions (asked from the second change on):
    // the sixth change needs a new proof, which is refused, inside a batch of eight.
    let permit = Counted {
        proofs: AtomicUsize::new(0),
        allow: 1,
        valid: Duration::from_secs(3600),
        trusted: AtomicUsize::new(4),
    };
    let o = Options {
        permit: &permit,
        ..opts(8, Stop::default())
    };
    let report = apply(&fake, &plan, &o).await;
    assert_eq!(fake.count(), 5, "{report:?}");
    assert_eq!(report.not_started(), 3);
    assert_eq!(permit.proofs.load(Ordering::SeqCst), 2);
    assert!(report.denied.is_some());
}
