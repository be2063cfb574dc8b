//! Focused plans: a plan focused on some users is the full plan restricted to them (their
//! focus closed), and its guards judge by the whole target's counts.

use std::collections::HashSet;

use chrono::DateTime;
use proptest::prelude::*;

use super::*;
use crate::model::Expiry;

fn focused(desired: &[DesiredUser], actual: &[ActualUser], pol: &Policy, f: &Focus) -> TargetPlan {
    plan_focused(
        &Input {
            target: "t",
            desired,
            actual,
            schema: &schema(),
            policy: pol,
            now: DateTime::UNIX_EPOCH,
            guards: Guards::Report,
        },
        Some(f),
    )
}

fn focus(keys: &[&str], ids: &[&str]) -> Focus {
    Focus {
        keys: keys.iter().map(|k| k.to_string()).collect(),
        ids: ids.iter().map(|i| i.to_string()).collect(),
    }
}

/// An end of access that has passed at the epoch.
fn ended() -> Expiry {
    Expiry {
        at: DateTime::UNIX_EPOCH - chrono::Duration::days(1),
        written: "1969-12-31".into(),
        origin: Origin {
            file: "users.yaml".into(),
            line: 1,
            column: 1,
        },
    }
}

#[test]
fn a_focused_plan_changes_only_the_focused_users() {
    let desired = [want("a@x.io", "A2", &["1"]), want("b@x.io", "B2", &[])];
    let actual = [
        have("1", "a@x.io", "A", &[]),
        have("2", "b@x.io", "B", &[]),
        have("3", "gone@x.io", "G", &[]),
    ];
    let mut pol = policy();
    pol.unmanaged = Unmanaged::Delete;
    let p = focused(&desired, &actual, &pol, &focus(&["a@x.io"], &[]));
    assert_eq!(p.updates.len(), 1);
    assert_eq!(p.updates[0].user.key, "a@x.io");
    assert_eq!(p.memberships.len(), 1);
    assert!(p.deletes.is_empty(), "gone@x.io is outside the focus");
    assert_eq!((p.in_scope, p.desired_count), (3, 2));
    let p = focused(&desired, &actual, &pol, &focus(&["gone@x.io"], &[]));
    assert!(p.updates.is_empty());
    assert_eq!(p.deletes.len(), 1);
}

#[test]
fn an_empty_focus_plans_nothing() {
    let desired = [want("a@x.io", "A2", &[])];
    let actual = [have("1", "a@x.io", "A", &[]), have("3", "g@x.io", "G", &[])];
    let p = focused(&desired, &actual, &policy(), &Focus::default());
    assert!(!p.has_changes() && p.unmanaged.is_empty());
}

#[test]
fn the_focus_follows_a_rename_to_the_user_holding_the_old_key() {
    // bo is bound to 7 and renamed; the newcomer declares bo's old e-mail, so its create waits
    // on the rename: focused on the newcomer alone, the plan still sees that 7 is renamed.
    let mut bo = want("bo.chen@x.io", "Bo", &[]);
    bo.id = Some("7".into());
    let newcomer = want("bo@x.io", "Other Bo", &[]);
    let desired = [bo, newcomer];
    let actual = [have("7", "bo@x.io", "Bo", &[])];
    let full = plan("t", &desired, &actual, &schema(), &policy());
    let p = focused(&desired, &actual, &policy(), &focus(&["bo@x.io"], &[]));
    assert_eq!(p.creates, full.creates);
    assert_eq!(p.updates, full.updates);
    assert!(p.needs_person.is_empty());
    assert_eq!(p.creates.len(), 1);
}

#[test]
fn guards_judge_a_focused_removal_against_the_whole_account() {
    // One removal among ten users is 10%, under max_delete_fraction = 0.25; judged among the
    // focused users alone it would be 100%.
    let desired: Vec<DesiredUser> = (0..9)
        .map(|i| want(&format!("u{i}@x.io"), "U", &[]))
        .collect();
    let mut actual: Vec<ActualUser> = (0..9)
        .map(|i| have(&format!("{i}"), &format!("u{i}@x.io"), "U", &[]))
        .collect();
    actual.push(have("99", "gone@x.io", "G", &[]));
    let mut pol = policy();
    pol.unmanaged = Unmanaged::Delete;
    let p = focused(&desired, &actual, &pol, &focus(&["gone@x.io"], &[]));
    assert_eq!(p.deletes.len(), 1);
    assert_eq!(p.guard, None);
    // With no desired users at all the empty-manifest guard still trips.
    let p = focused(&[], &actual, &pol, &focus(&["gone@x.io"], &[]));
    assert!(p.guard.is_some());
    pol.max_delete = 0;
    let p = focused(&desired, &actual, &pol, &focus(&["gone@x.io"], &[]));
    assert_eq!(p.guard.map(|g| g.in_scope), Some(10));
}

#[test]
fn a_closure_gives_up_on_a_long_chain_and_plans_in_full() {
    // Each user is bound to the id of the next one's key: closing walks one link per round.
    let actual: Vec<ActualUser> = (0..40)
        .map(|i| have(&format!("{i}"), &format!("u{i}@x.io"), "U", &[]))
        .collect();
    let desired: Vec<DesiredUser> = (0..40)
        .map(|i| {
            let mut d = want(&format!("u{}@x.io", i + 1), "U", &[]);
            d.id = Some(format!("{i}"));
            d
        })
        .collect();
    let f = focus(&["u0@x.io"], &[]);
    assert_eq!(f.closed(&desired, &actual), None);
    let full = plan("t", &desired, &actual, &schema(), &policy());
    assert_eq!(focused(&desired, &actual, &policy(), &f), full);
}

proptest! {
    #[test]
    fn focused_plan_is_the_full_plan_restricted(
        desired in proptest::collection::vec(arb_user(), 0..10),
        actual in proptest::collection::vec(arb_user(), 0..10),
        bind in proptest::collection::vec(0u8..14, 10),
        end in proptest::collection::vec(any::<bool>(), 10),
        keys in proptest::collection::vec(0u8..14, 0..4),
        ids in proptest::collection::vec(0u8..14, 0..3),
        delete in any::<bool>(),
        protect in proptest::option::of(0u8..12),
        max_delete in 0u64..4,
    ) {
        let actual = drawn_actual(actual);
        let mut bound = HashSet::new();
        let mut desired = drawn_desired(desired);
        for (i, d) in desired.iter_mut().enumerate() {
            // Bound to any id, one that exists or not, each id at most once.
            let id = format!("{}", 100 + bind[i] as u32);
            if bind[i] % 3 != 0 && bound.insert(id.clone()) {
                d.id = Some(id);
            }
            if end[i] && i % 2 == 0 {
                d.expiry.user = Some(Box::new(ended()));
            }
        }
        let mut pol = policy();
        if delete { pol.unmanaged = Unmanaged::Delete; }
        pol.protect.extend(protect.map(|k| format!("u{k}@x.io")));
        pol.max_delete = max_delete;
        let f = Focus {
            keys: keys.iter().map(|k| format!("u{k}@x.io")).collect(),
            ids: ids.iter().map(|i| format!("{}", 100 + *i as u32)).collect(),
        };
        let full = plan("t", &desired, &actual, &schema(), &pol);
        let got = focused(&desired, &actual, &pol, &f);
        let closed = f.closed(&desired, &actual).expect("small worlds close");
        prop_assert!(f.keys.is_subset(&closed.keys) && f.ids.is_subset(&closed.ids));
        let mut want = closed.restrict(&full);
        want.guard = check_guards(&want, &pol, &schema()).err();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!((got.in_scope, got.desired_count), (actual.len(), desired.len()));
    }
}
