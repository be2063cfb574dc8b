//! The focus of a file change: which users an edit touched.

use std::collections::{BTreeSet, HashSet};

use chrono::DateTime;

use super::*;
use crate::model::{Fields, Origin, Value};

fn origin(line: u64) -> Origin {
    Origin {
        file: "users/a.yaml".into(),
        line,
        column: 3,
    }
}

fn user(key: &str, name: &str, line: u64) -> DesiredUser {
    DesiredUser {
        key: key.into(),
        id: None,
        fields: Fields::from([("name".to_string(), Value::text(name))]),
        password: None,
        ignore: BTreeSet::new(),
        expiry: Default::default(),
        origin: origin(line),
    }
}

fn bound(key: &str, id: &str, line: u64) -> DesiredUser {
    let mut u = user(key, "B", line);
    u.id = Some(id.into());
    u
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn added_removed_and_changed_users_are_touched_and_unchanged_ones_are_not() {
    let before = [
        user("same@x.io", "S", 1),
        user("changed@x.io", "C", 2),
        user("removed@x.io", "R", 3),
    ];
    let after = [
        user("same@x.io", "S", 1),
        user("changed@x.io", "C2", 2),
        user("added@x.io", "A", 4),
    ];
    let t = touched(&before, &after).unwrap();
    assert_eq!(t.users, 3);
    assert_eq!(
        t.focus.keys,
        set(&["changed@x.io", "removed@x.io", "added@x.io"])
    );
    assert!(t.focus.ids.is_empty());
    // Sorted by key, as loads give them, the lists are walked together: the same answer.
    let (mut b, mut a) = (before.to_vec(), after.to_vec());
    b.sort_by(|x, y| x.key.cmp(&y.key));
    a.sort_by(|x, y| x.key.cmp(&y.key));
    assert_eq!(touched(&b, &a).unwrap(), t);
}

#[test]
fn an_id_bound_rename_touches_both_keys_and_the_id() {
    let before = [bound("old@x.io", "7", 1), user("other@x.io", "O", 2)];
    let after = [bound("new@x.io", "7", 1), user("other@x.io", "O", 2)];
    let t = touched(&before, &after).unwrap();
    assert_eq!(t.focus.keys, set(&["old@x.io", "new@x.io"]));
    assert_eq!(t.focus.ids, set(&["7"]));
    // Binding an existing user to an id touches the id too.
    let t = touched(&[user("a@x.io", "B", 1)], &[bound("a@x.io", "9", 1)]).unwrap();
    assert_eq!((t.users, t.focus.ids.clone()), (1, set(&["9"])));
}

#[test]
fn moved_lines_touch_nothing() {
    let mut a = user("a@x.io", "A", 1);
    a.expiry.user = Some(Box::new(crate::model::Expiry {
        at: DateTime::UNIX_EPOCH,
        written: "1970-01-01".into(),
        origin: origin(1),
    }));
    let mut moved = a.clone();
    moved.origin = origin(40);
    if let Some(e) = moved.expiry.user.as_mut() {
        e.origin = origin(41);
    }
    let t = touched(
        &[a.clone(), user("b@x.io", "B", 2)],
        &[user("b@x.io", "B", 3), moved],
    )
    .unwrap();
    assert_eq!(t.users, 0);
    assert!(t.focus.is_empty());
    // A changed end is a change.
    let mut later = a.clone();
    if let Some(e) = later.expiry.user.as_mut() {
        e.written = "1970-01-02".into();
        e.at += chrono::Duration::days(1);
    }
    assert_eq!(touched(&[a], &[later]).unwrap().users, 1);
}

#[test]
fn a_key_declared_twice_plans_in_full() {
    let twice = [user("a@x.io", "A", 1), user("a@x.io", "A", 2)];
    assert_eq!(touched(&twice, &[user("a@x.io", "A", 1)]), None);
    assert_eq!(touched(&[user("a@x.io", "A", 1)], &twice), None);
}
