//! Planner tests: which change is chosen, and that applying a plan leaves nothing to plan.

use std::collections::{BTreeMap, BTreeSet};

use super::plan_at_epoch as plan;
use super::*;
use crate::config::Policy;
use crate::model::{
    ActualUser, DesiredUser, FieldSpec, Fields, Mutability, Origin, Unmanaged, Value,
};

/// The field names of the vendor these tests model (an e-mail identity, a name, workflow
/// memberships and a group that only a person can change).
mod names {
    pub const NAME: &str = "name";
    pub const EMAIL: &str = "email";
    pub const WORKFLOWS: &str = "workflows";
    pub const GROUP_ID: &str = "group_id";
}

fn schema() -> Schema {
    Schema {
        provider: "vendor",
        fields: vec![
            FieldSpec::text(names::NAME, Mutability::Update),
            FieldSpec::identity(names::EMAIL, Mutability::Update),
            FieldSpec::set(names::WORKFLOWS, Mutability::Membership, "workflow"),
            FieldSpec::text(names::GROUP_ID, Mutability::NeedsPerson),
        ],
        deactivate: None,
    }
}

fn policy() -> Policy {
    Policy {
        unmanaged: Unmanaged::Report,
        protect: BTreeSet::new(),
        max_delete: 5,
        max_delete_fraction: 0.25,
        ignore: BTreeSet::new(),
        expiry_warning: crate::config::EXPIRY_WARNING,
    }
}

fn fields(email: &str, name: &str, wf: &[&str], group: &str) -> Fields {
    Fields::from([
        (names::EMAIL.to_string(), Value::text(email)),
        (names::NAME.to_string(), Value::text(name)),
        (names::WORKFLOWS.to_string(), Value::set(wf.iter().copied())),
        (names::GROUP_ID.to_string(), Value::text(group)),
    ])
}

fn want(email: &str, name: &str, wf: &[&str]) -> DesiredUser {
    DesiredUser {
        key: email.to_lowercase(),
        id: None,
        fields: fields(email, name, wf, "1"),
        password: None,
        ignore: BTreeSet::new(),
        expiry: Default::default(),
        origin: Origin {
            file: "users.yaml".into(),
            line: 1,
            column: 1,
        },
    }
}

fn have(id: &str, email: &str, name: &str, wf: &[&str]) -> ActualUser {
    ActualUser {
        id: id.into(),
        key: email.to_lowercase(),
        fields: fields(email, name, wf, "1"),
    }
}

/// A generated user (key number, name number, workflow numbers), as proptests draw them.
type Drawn = (u8, u8, Vec<u8>);

fn arb_user() -> impl proptest::strategy::Strategy<Value = Drawn> {
    (0u8..12, 0u8..3, proptest::collection::vec(0u8..5, 0..4))
}

/// The first draw of each key, its workflows as text.
fn firsts(drawn: Vec<Drawn>) -> impl Iterator<Item = (u8, u8, Vec<String>)> {
    let mut seen = BTreeSet::new();
    drawn
        .into_iter()
        .filter(move |(k, _, _)| seen.insert(*k))
        .map(|(k, n, wf)| (k, n, wf.iter().map(|w| w.to_string()).collect()))
}

/// The vendor's users of a draw: the first of each key, with ids from 100.
fn drawn_actual(drawn: Vec<Drawn>) -> Vec<ActualUser> {
    firsts(drawn)
        .map(|(k, n, wf)| {
            let wf: Vec<&str> = wf.iter().map(String::as_str).collect();
            have(
                &format!("{}", 100 + k as u32),
                &format!("u{k}@x.io"),
                &format!("N{n}"),
                &wf,
            )
        })
        .collect()
}

/// The desired users of a draw, the first of each key, in order.
fn drawn_desired(drawn: Vec<Drawn>) -> Vec<DesiredUser> {
    firsts(drawn)
        .map(|(k, n, wf)| {
            let wf: Vec<&str> = wf.iter().map(String::as_str).collect();
            want(&format!("u{k}@x.io"), &format!("M{n}"), &wf)
        })
        .collect()
}

#[test]
fn identical_worlds_plan_nothing() {
    let p = plan(
        "t",
        &[want("a@x.io", "A", &["1"])],
        &[have("7", "a@x.io", "A", &["1"])],
        &schema(),
        &policy(),
    );
    assert!(!p.has_changes());
    assert!(p.unmanaged.is_empty() && p.needs_person.is_empty());
}

#[test]
fn matches_case_insensitively_and_renames() {
    let p = plan(
        "t",
        &[want("Ana@X.io", "Ana Lima", &[])],
        &[have("7", "ana@x.io", "Ana", &[])],
        &schema(),
        &policy(),
    );
    assert!(p.creates.is_empty());
    assert_eq!(p.updates.len(), 1);
    let fields: Vec<&str> = p.updates[0]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["email", "name"]);
}

#[test]
fn id_binding_changes_email_and_frees_old_key() {
    let mut bo = want("bo.chen@x.io", "Bo", &[]);
    bo.id = Some("7".into());
    let newcomer = want("bo@x.io", "Other Bo", &[]);
    let p = plan(
        "t",
        &[bo, newcomer],
        &[have("7", "bo@x.io", "Bo", &[])],
        &schema(),
        &policy(),
    );
    assert_eq!(p.updates.len(), 1);
    assert_eq!(p.updates[0].changes[0].to, Value::text("bo.chen@x.io"));
    assert_eq!(p.creates.len(), 1);
    assert_eq!(p.creates[0].user.key, "bo@x.io");
}

#[test]
fn missing_bound_id_needs_a_person_not_a_create() {
    let mut bo = want("bo@x.io", "Bo", &[]);
    bo.id = Some("99".into());
    let p = plan("t", &[bo], &[], &schema(), &policy());
    assert!(p.creates.is_empty());
    assert_eq!(p.needs_person.len(), 1);
}

#[test]
fn workflow_joins_and_leaves_grouped_by_workflow() {
    let p = plan(
        "t",
        &[
            want("a@x.io", "A", &["10", "20"]),
            want("b@x.io", "B", &["20"]),
        ],
        &[
            have("1", "a@x.io", "A", &["10", "30"]),
            have("2", "b@x.io", "B", &["30"]),
        ],
        &schema(),
        &policy(),
    );
    assert!(p.updates.is_empty());
    let summary: Vec<(String, Vec<String>, Vec<String>)> = p
        .memberships
        .iter()
        .map(|m| {
            (
                m.collection.clone(),
                m.join.iter().map(|u| u.key.clone()).collect(),
                m.leave.iter().map(|u| u.key.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("20".into(), vec!["a@x.io".into(), "b@x.io".into()], vec![]),
            ("30".into(), vec![], vec!["a@x.io".into(), "b@x.io".into()]),
        ]
    );
    assert_eq!(p.membership_changes(), 4);
}

#[test]
fn group_drift_needs_a_person() {
    let mut a = have("1", "a@x.io", "A", &[]);
    a.fields.insert(names::GROUP_ID, Value::text("2"));
    let p = plan("t", &[want("a@x.io", "A", &[])], &[a], &schema(), &policy());
    assert!(!p.has_changes());
    assert_eq!(p.needs_person.len(), 1);
    assert_eq!(p.needs_person[0].field, "group_id");
}

#[test]
fn unmanaged_reported_or_deleted_by_policy_and_protected_never() {
    let actual = [
        have("1", "a@x.io", "A", &[]),
        have("2", "admin@x.io", "Admin", &[]),
    ];
    let desired = [want("b@x.io", "B", &[])];
    let p = plan("t", &desired, &actual, &schema(), &policy());
    assert_eq!(p.unmanaged.len(), 2);
    assert!(p.deletes.is_empty());
    let mut pol = policy();
    pol.unmanaged = Unmanaged::Delete;
    pol.protect.insert("admin@x.io".into());
    let p = plan("t", &desired, &actual, &schema(), &pol);
    assert_eq!(
        p.deletes.iter().map(|u| u.key.as_str()).collect::<Vec<_>>(),
        ["a@x.io"]
    );
    assert_eq!(
        p.unmanaged
            .iter()
            .map(|u| u.key.as_str())
            .collect::<Vec<_>>(),
        ["admin@x.io"]
    );
}

#[test]
fn protected_user_is_never_updated() {
    let mut pol = policy();
    pol.protect.insert("a@x.io".into());
    let p = plan(
        "t",
        &[want("a@x.io", "New", &["5"])],
        &[have("1", "a@x.io", "Old", &[])],
        &schema(),
        &pol,
    );
    assert!(!p.has_changes());
    assert_eq!(p.protected.len(), 1);
}

#[test]
fn ignored_fields_are_left_alone_but_recorded() {
    let mut d = want("a@x.io", "New", &[]);
    d.ignore.insert("name".into());
    let p = plan(
        "t",
        &[d],
        &[have("1", "a@x.io", "Old", &[])],
        &schema(),
        &policy(),
    );
    assert!(!p.has_changes());
    assert_eq!(p.ignored.len(), 1);
}

#[test]
fn map_fields_manage_only_the_keys_the_manifest_sets() {
    let mut s = schema();
    s.fields
        .push(FieldSpec::map("extended_fields", Mutability::Update));
    let mut d = want("a@x.io", "A", &[]);
    d.fields.insert(
        "extended_fields",
        Value::Map(BTreeMap::from([("costCenter".into(), "CC-1".into())])),
    );
    let mut a = have("1", "a@x.io", "A", &[]);
    a.fields.insert(
        "extended_fields",
        Value::Map(BTreeMap::from([
            ("costCenter".into(), "CC-1".into()),
            ("department".into(), "Ops".into()),
        ])),
    );
    assert!(
        !plan(
            "t",
            std::slice::from_ref(&d),
            std::slice::from_ref(&a),
            &s,
            &policy()
        )
        .has_changes()
    );
    d.fields.insert(
        "extended_fields",
        Value::Map(BTreeMap::from([("costCenter".into(), "CC-2".into())])),
    );
    let p = plan("t", &[d], &[a], &s, &policy());
    assert_eq!(p.updates.len(), 1);
    assert_eq!(
        p.updates[0].changes[0].from,
        Some(Value::Map(BTreeMap::from([(
            "costCenter".into(),
            "CC-1".into()
        )])))
    );
    assert!(
        p.updates[0].actual.contains_key("name"),
        "the update carries the vendor's record"
    );
}

#[test]
fn a_create_whose_identity_stays_held_needs_a_person() {
    // bo is bound by id to the user holding ana's address, but the address cannot change.
    let mut s = schema();
    s.fields[1] = FieldSpec::identity(names::EMAIL, Mutability::NeedsPerson);
    let mut bo = want("bo@x.io", "Bo", &[]);
    bo.id = Some("1".into());
    let ana = want("ana@x.io", "Ana", &[]);
    let a = have("1", "ana@x.io", "Ana", &[]);
    let p = plan(
        "t",
        &[bo.clone(), ana.clone()],
        std::slice::from_ref(&a),
        &s,
        &policy(),
    );
    assert!(p.creates.is_empty(), "{p:?}");
    assert!(
        p.needs_person
            .iter()
            .any(|d| d.user.key == "ana@x.io" && d.reason.contains("still held by user 1")),
        "{p:?}"
    );
    // Where the address can change, the rename frees it first and the create goes ahead.
    let p = plan("t", &[bo, ana], &[a], &schema(), &policy());
    assert_eq!(p.creates.len(), 1);
    assert_eq!(p.updates.len(), 1);
}

#[path = "tests/focus.rs"]
mod focus;
#[path = "tests/roundtrip.rs"]
mod roundtrip;
