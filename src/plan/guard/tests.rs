//! Guard tests: each kind of removal of access counts, each user once.

use super::*;
use crate::model::{FieldSpec, Mutability, Unmanaged};

/// The field names of the vendor these tests model.
mod names {
    pub const EMAIL: &str = "email";
    pub const NAME: &str = "name";
    pub const ACTIVE: &str = "active";
    pub const GROUPS: &str = "groups";
}
use crate::plan::{FieldChange, Membership};

fn policy() -> Policy {
    Policy {
        unmanaged: Unmanaged::Delete,
        protect: Default::default(),
        max_delete: 5,
        max_delete_fraction: 0.25,
        ignore: Default::default(),
        expiry_warning: crate::config::EXPIRY_WARNING,
    }
}

/// A schema with an identity e-mail, an `active` switch and a set of groups.
fn schema() -> Schema {
    Schema {
        provider: "vendor",
        fields: vec![
            FieldSpec::identity(names::EMAIL, Mutability::Update),
            FieldSpec::text(names::NAME, Mutability::Update),
            FieldSpec::bool(names::ACTIVE, Mutability::Update),
            FieldSpec::set(names::GROUPS, Mutability::Update, "group"),
        ],
        deactivate: Some((names::ACTIVE, Value::Bool(false))),
    }
}

fn user(i: usize) -> UserRef {
    UserRef {
        key: format!("u{i}@example.com"),
        id: Some(format!("id{i}")),
        ..UserRef::default()
    }
}

fn update(i: usize, field: &str, from: Value, to: Value) -> Update {
    Update {
        user: user(i),
        changes: vec![FieldChange {
            user: user(i),
            field: field.into(),
            from: Some(from),
            to,
        }],
        actual: Default::default(),
    }
}

fn target(in_scope: usize) -> TargetPlan {
    TargetPlan {
        target: "acme".into(),
        in_scope,
        desired_count: in_scope,
        ..TargetPlan::default()
    }
}

fn plan_with(deletes: usize, in_scope: usize, desired: usize) -> TargetPlan {
    TargetPlan {
        desired_count: desired,
        deletes: (0..deletes).map(user).collect(),
        ..target(in_scope)
    }
}

fn trip(plan: &TargetPlan) -> String {
    check_guards(plan, &policy(), &schema())
        .unwrap_err()
        .to_string()
}

#[test]
fn within_limits_passes() {
    assert!(check_guards(&plan_with(2, 100, 98), &policy(), &schema()).is_ok());
}

#[test]
fn count_limit_trips_and_names_kinds_and_flag() {
    assert_eq!(
        trip(&plan_with(6, 100, 94)),
        "target acme: refusing to remove access of 6 of 100 users (6 deleted): more than max_delete = 5; rerun with --allow-mass-delete if this is intended"
    );
}

#[test]
fn fraction_limit_trips() {
    let msg = trip(&plan_with(3, 10, 7));
    assert!(
        msg.contains("30% is more than max_delete_fraction = 0.25"),
        "{msg}"
    );
}

#[test]
fn empty_manifests_trip_even_for_one_user() {
    assert!(trip(&plan_with(1, 1, 0)).contains("declare no users"));
}

#[test]
fn deactivating_by_manifest_edit_counts() {
    let mut p = target(100);
    p.updates = (0..6)
        .map(|i| update(i, names::ACTIVE, Value::Bool(true), Value::Bool(false)))
        .collect();
    assert!(trip(&p).contains("remove access of 6 of 100 users (6 deactivated)"));
    // Switching users on takes nothing away.
    p.updates = (0..6)
        .map(|i| update(i, names::ACTIVE, Value::Bool(false), Value::Bool(true)))
        .collect();
    assert!(check_guards(&p, &policy(), &schema()).is_ok());
}

#[test]
fn unmanaged_deactivations_count() {
    let mut p = target(100);
    p.deactivations = (0..6)
        .map(|i| update(i, names::ACTIVE, Value::Bool(true), Value::Bool(false)))
        .collect();
    assert!(trip(&p).contains("(6 deactivated)"));
}

#[test]
fn membership_leaves_count_and_joins_do_not() {
    let mut p = target(100);
    p.memberships = vec![Membership {
        field: "workflows".into(),
        collection: "100".into(),
        join: (10..40).map(user).collect(),
        leave: (0..6).map(user).collect(),
    }];
    assert!(trip(&p).contains("(6 leaving workflows)"));
    p.memberships[0].leave.truncate(5);
    assert!(check_guards(&p, &policy(), &schema()).is_ok());
}

#[test]
fn dropping_members_of_a_set_field_counts() {
    let mut p = target(100);
    p.updates = (0..6)
        .map(|i| {
            update(
                i,
                names::GROUPS,
                Value::set(["admins", "staff"]),
                Value::set(["staff", "new"]),
            )
        })
        .collect();
    assert!(trip(&p).contains("(6 leaving groups)"));
    for u in &mut p.updates {
        u.changes[0].to = Value::set(["admins", "staff", "new"]);
    }
    assert!(check_guards(&p, &policy(), &schema()).is_ok());
}

#[test]
fn renames_count_and_other_fields_do_not() {
    let mut p = target(100);
    p.updates = (0..6)
        .map(|i| {
            update(
                i,
                names::EMAIL,
                Value::text(format!("u{i}@example.com")),
                Value::text(format!("u{i}@elsewhere.example")),
            )
        })
        .collect();
    assert!(trip(&p).contains("(6 renamed)"));
    p.updates = (0..60)
        .map(|i| update(i, names::NAME, Value::text("A"), Value::text("B")))
        .collect();
    assert!(check_guards(&p, &policy(), &schema()).is_ok());
}

#[test]
fn each_user_counts_once_across_kinds() {
    let mut p = target(100);
    p.updates = vec![update(
        0,
        names::ACTIVE,
        Value::Bool(true),
        Value::Bool(false),
    )];
    p.updates[0].changes.push(FieldChange {
        user: user(0),
        field: names::GROUPS.into(),
        from: Some(Value::set(["a"])),
        to: Value::set(Vec::<String>::new()),
    });
    p.deletes = (1..4).map(user).collect();
    p.memberships = vec![Membership {
        field: "workflows".into(),
        collection: "7".into(),
        join: vec![],
        leave: (2..6).map(user).collect(),
    }];
    // Users 0..6: six distinct, though the kinds add up to eight.
    assert!(
        trip(&p).contains(
            "remove access of 6 of 100 users (3 deleted, 1 deactivated, 1 leaving groups, 4 leaving workflows)"
        ),
        "{}",
        trip(&p)
    );
}

#[test]
fn hold_keeps_only_the_safe_part() {
    let mut p = target(100);
    p.deletes = vec![user(0)];
    p.deactivations = vec![update(
        1,
        names::ACTIVE,
        Value::Bool(true),
        Value::Bool(false),
    )];
    p.updates = vec![
        update(2, names::ACTIVE, Value::Bool(true), Value::Bool(false)),
        update(3, names::NAME, Value::text("A"), Value::text("B")),
        update(
            4,
            names::EMAIL,
            Value::text("a@x.example"),
            Value::text("b@x.example"),
        ),
        update(5, names::GROUPS, Value::set(["a"]), Value::set(["b"])),
    ];
    p.memberships = vec![
        Membership {
            field: "workflows".into(),
            collection: "1".into(),
            join: vec![user(7)],
            leave: vec![user(6), user(0)],
        },
        Membership {
            field: "workflows".into(),
            collection: "2".into(),
            join: vec![],
            leave: vec![user(6)],
        },
    ];
    hold_guarded(&mut p, &schema());
    assert!(p.deletes.is_empty() && p.deactivations.is_empty());
    assert_eq!(p.updates.len(), 1);
    assert_eq!(p.updates[0].user, user(3));
    assert_eq!(p.memberships.len(), 1);
    assert_eq!(
        (p.memberships[0].join.len(), p.memberships[0].leave.len()),
        (1, 0)
    );
    let held: Vec<&str> = p.held.iter().map(who).collect();
    assert_eq!(held, ["id0", "id1", "id2", "id4", "id5", "id6"]);
    assert!(
        check_guards(&p, &policy(), &schema()).is_ok(),
        "nothing left to guard"
    );
}
