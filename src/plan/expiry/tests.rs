//! The planner's ends of access, with "now" pinned: before, at and after the instant, dates
//! in time zones and on DST days, each vendor shape (a deactivation switch or none,
//! memberships changed by collection or through the user), the guards, and the notices.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::config::Policy;
use crate::model::expiry::{self, Deadline, OnExpiry};
use crate::model::{
    ActualUser, DesiredUser, Expiry, FieldSpec, Fields, Mutability, Origin, Schema, Unmanaged,
    Value,
};
use crate::plan::{self, EndAction, Guards, Input, TargetPlan};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn origin(line: u64) -> Origin {
    Origin {
        file: "u.yaml".into(),
        line,
        column: 14,
    }
}

/// `written` (a date or an instant) read in `zone`.
fn ends(written: &str, zone: &str) -> Expiry {
    Deadline {
        when: expiry::parse(written).unwrap(),
        written: written.into(),
        origin: origin(3),
    }
    .resolve(zone.parse().unwrap())
}

/// A vendor with a deactivation switch, workflows changed by collection, and groups changed
/// through the user; `switch: false` drops the switch.
fn schema(switch: bool) -> Schema {
    Schema {
        provider: "vendor",
        fields: vec![
            FieldSpec::identity("email", Mutability::Update),
            FieldSpec::text("name", Mutability::Update),
            FieldSpec::set("workflows", Mutability::Membership, "workflow"),
            FieldSpec::set("groups", Mutability::Update, "group"),
            FieldSpec::bool("active", Mutability::Update),
        ],
        deactivate: switch.then_some(("active", Value::Bool(false))),
    }
}

fn policy() -> Policy {
    Policy {
        unmanaged: Unmanaged::Report,
        protect: BTreeSet::new(),
        max_delete: 10,
        max_delete_fraction: 1.0,
        ignore: BTreeSet::new(),
        expiry_warning: crate::config::EXPIRY_WARNING,
    }
}

fn fields(email: &str, active: bool, wf: &[&str], groups: &[&str]) -> Fields {
    Fields::from([
        ("email".into(), Value::text(email)),
        ("name".into(), Value::text("N")),
        ("workflows".into(), Value::set(wf.iter().copied())),
        ("groups".into(), Value::set(groups.iter().copied())),
        ("active".into(), Value::Bool(active)),
    ])
}

fn want(email: &str, wf: &[&str], groups: &[&str]) -> DesiredUser {
    DesiredUser {
        key: email.into(),
        id: None,
        fields: fields(email, true, wf, groups),
        password: None,
        ignore: BTreeSet::new(),
        expiry: Default::default(),
        origin: origin(2),
    }
}

fn expiring(email: &str, end: Expiry, on_expiry: OnExpiry) -> DesiredUser {
    let mut d = want(email, &["1"], &["g"]);
    d.expiry.user = Some(Box::new(end));
    d.expiry.on_expiry = on_expiry;
    d
}

fn have(id: &str, email: &str, active: bool, wf: &[&str], groups: &[&str]) -> ActualUser {
    ActualUser {
        id: id.into(),
        key: email.into(),
        fields: fields(email, active, wf, groups),
    }
}

fn plan_at(
    desired: &[DesiredUser],
    actual: &[ActualUser],
    schema: &Schema,
    policy: &Policy,
    now: &str,
) -> TargetPlan {
    plan::plan(&Input {
        target: "t",
        desired,
        actual,
        schema,
        policy,
        now: at(now),
        guards: Guards::Report,
    })
}

#[test]
fn a_user_ends_at_the_instant_not_before() {
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Deactivate,
    )];
    let a = [have("7", "ana@x.io", true, &["1"], &["g"])];
    let (s, p) = (schema(true), policy());
    let before = plan_at(&d, &a, &s, &p, "2027-03-31T23:59:59Z");
    assert!(!before.has_changes() && before.expired.is_empty());
    assert_eq!(before.expiring.len(), 1);
    assert_eq!(before.expiring[0].action, EndAction::Deactivate);
    assert_eq!(before.expiring[0].at, "2027-04-01T00:00:00Z");
    for now in ["2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z"] {
        let after = plan_at(&d, &a, &s, &p, now);
        assert_eq!(after.deactivations.len(), 1, "{now}");
        assert_eq!(after.deactivations[0].user.id.as_deref(), Some("7"));
        assert!(after.updates.is_empty() && after.memberships.is_empty());
        assert!(after.unmanaged.is_empty() && after.creates.is_empty());
        assert_eq!(after.expired.len(), 1);
        assert_eq!(after.expired[0].expires, "2027-03-31");
        assert_eq!(after.expired[0].action, EndAction::Deactivate);
        assert!(after.expiring.is_empty());
    }
    // Once off, nothing is left to do, and the user is not listed as unmanaged.
    let off = [have("7", "ana@x.io", false, &["1"], &["g"])];
    let again = plan_at(&d, &off, &s, &p, "2027-04-02T00:00:00Z");
    assert!(!again.has_changes(), "{again:?}");
    assert!(again.unmanaged.is_empty() && again.expired.is_empty());
}

#[test]
fn an_ended_user_that_does_not_exist_is_not_created() {
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Deactivate,
    )];
    let p = plan_at(&d, &[], &schema(true), &policy(), "2027-04-01T00:00:00Z");
    assert!(!p.has_changes() && p.expired.is_empty() && p.needs_person.is_empty());
    let early = plan_at(&d, &[], &schema(true), &policy(), "2027-03-01T00:00:00Z");
    assert_eq!(early.creates.len(), 1);
}

#[test]
fn without_a_switch_an_ended_user_needs_a_person_unless_on_expiry_says_delete() {
    let a = [have("7", "ana@x.io", true, &["1"], &["g"])];
    let mut p = policy();
    p.unmanaged = Unmanaged::Delete;
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Deactivate,
    )];
    let out = plan_at(&d, &a, &schema(false), &p, "2027-04-01T00:00:00Z");
    // One step safer than `unmanaged: delete`: never deleted unless the manifest says so.
    assert!(!out.has_changes(), "{out:?}");
    assert_eq!(out.needs_person.len(), 1);
    assert_eq!(out.needs_person[0].field, "expires");
    assert!(
        out.needs_person[0]
            .reason
            .starts_with("expired 2027-03-31; vendor cannot deactivate users")
    );
    assert_eq!(out.expired[0].action, EndAction::Report);
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Delete,
    )];
    let out = plan_at(&d, &a, &schema(false), &policy(), "2027-04-01T00:00:00Z");
    assert_eq!(out.deletes.len(), 1);
    assert_eq!(out.expired[0].action, EndAction::Delete);
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Report,
    )];
    let out = plan_at(&d, &a, &schema(true), &policy(), "2027-04-01T00:00:00Z");
    assert!(!out.has_changes());
    assert!(out.needs_person[0].reason.contains("on_expiry: report"));
}

#[test]
fn a_protected_ended_user_is_left_alone() {
    let a = [have("7", "ana@x.io", true, &["1"], &["g"])];
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Delete,
    )];
    let mut p = policy();
    p.protect.insert("ana@x.io".into());
    let out = plan_at(&d, &a, &schema(true), &p, "2027-04-01T00:00:00Z");
    assert!(!out.has_changes());
    assert!(out.needs_person[0].reason.contains("protected"));
}

#[test]
fn an_ended_user_bound_by_id_is_found_by_its_id() {
    let mut d = expiring("new@x.io", ends("2027-03-31", "UTC"), OnExpiry::Deactivate);
    d.id = Some("7".into());
    let a = [have("7", "old@x.io", true, &["1"], &["g"])];
    let out = plan_at(&[d], &a, &schema(true), &policy(), "2027-04-01T00:00:00Z");
    assert_eq!(out.deactivations.len(), 1);
    assert!(
        out.updates.is_empty(),
        "no rename of a user whose access ended"
    );
}

#[test]
fn a_membership_ends_as_a_leave() {
    let mut d = want("bo@x.io", &["1", "2"], &["g"]);
    d.expiry.members.insert(
        "workflows".into(),
        BTreeMap::from([("2".into(), ends("2027-01-15T18:00:00Z", "UTC"))]),
    );
    let a = [have("8", "bo@x.io", true, &["1", "2"], &["g"])];
    let (s, p) = (schema(true), policy());
    let before = plan_at(std::slice::from_ref(&d), &a, &s, &p, "2027-01-15T17:59:59Z");
    assert!(!before.has_changes());
    assert_eq!(before.expiring[0].member.as_deref(), Some("2"));
    assert_eq!(before.expiring[0].action, EndAction::Leave);
    let after = plan_at(std::slice::from_ref(&d), &a, &s, &p, "2027-01-15T18:00:00Z");
    assert_eq!(after.memberships.len(), 1);
    assert_eq!(after.memberships[0].collection, "2");
    assert_eq!(after.memberships[0].leave[0].key, "bo@x.io");
    assert!(after.deactivations.is_empty() && after.updates.is_empty());
    assert_eq!(after.expired.len(), 1);
    assert_eq!(after.expired[0].field.as_deref(), Some("workflows"));
    assert_eq!(after.expired[0].action, EndAction::Leave);
    // A user created after the end never gets the membership.
    let created = plan_at(&[d], &[], &s, &p, "2027-01-16T00:00:00Z");
    assert_eq!(created.creates[0].fields["workflows"], Value::set(["1"]));
    assert!(created.expired.is_empty());
}

#[test]
fn a_group_changed_through_the_user_ends_as_a_leave_the_guards_count() {
    let mut d = want("cy@x.io", &["1"], &["Finance", "Auditors"]);
    d.expiry.members.insert(
        "groups".into(),
        BTreeMap::from([("Auditors".into(), ends("2027-02-01T18:00:00Z", "UTC"))]),
    );
    let a = [have("9", "cy@x.io", true, &["1"], &["Finance", "Auditors"])];
    let mut p = policy();
    p.max_delete = 0;
    let out = plan_at(&[d], &a, &schema(true), &p, "2027-02-02T00:00:00Z");
    assert_eq!(out.updates.len(), 1);
    assert_eq!(out.updates[0].changes[0].to, Value::set(["Finance"]));
    assert_eq!(out.expired[0].member.as_deref(), Some("Auditors"));
    let trip = out.guard.expect("the guard counts the leave");
    assert_eq!(trip.kinds, "1 leaving groups");
}

#[test]
fn the_guards_count_ended_users_like_any_removal() {
    let e = || ends("2027-03-31", "UTC");
    let d: Vec<DesiredUser> = (0..3)
        .map(|i| expiring(&format!("u{i}@x.io"), e(), OnExpiry::Deactivate))
        .chain([want("keep@x.io", &["1"], &["g"])])
        .collect();
    let a: Vec<ActualUser> = (0..3)
        .map(|i| have(&i.to_string(), &format!("u{i}@x.io"), true, &["1"], &["g"]))
        .chain([have("9", "keep@x.io", true, &["1"], &["g"])])
        .collect();
    let mut p = policy();
    p.max_delete = 2;
    let out = plan_at(&d, &a, &schema(true), &p, "2027-04-01T00:00:00Z");
    let trip = out
        .guard
        .clone()
        .expect("three deactivations trip max_delete = 2");
    assert_eq!((trip.removals, trip.kinds.as_str()), (3, "3 deactivated"));
    let held = plan::plan(&Input {
        target: "t",
        desired: &d,
        actual: &a,
        schema: &schema(true),
        policy: &p,
        now: at("2027-04-01T00:00:00Z"),
        guards: Guards::Hold,
    });
    assert!(held.deactivations.is_empty());
    assert_eq!(held.held.len(), 3);
    assert_eq!(
        held.expired.len(),
        3,
        "the reasons stay with the held removals"
    );
}

#[test]
fn dates_end_with_the_day_in_the_config_zone_on_dst_days() {
    let a = [have("7", "ana@x.io", true, &["1"], &["g"])];
    let (s, p) = (schema(true), policy());
    // Berlin springs forward on 28 March 2027: that day ends at 22:00Z, not 23:00Z.
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-28", "Europe/Berlin"),
        OnExpiry::Deactivate,
    )];
    let plan = |now: &str| plan_at(&d, &a, &s, &p, now).deactivations.len();
    assert_eq!(plan("2027-03-28T21:59:59Z"), 0);
    assert_eq!(plan("2027-03-28T22:00:00Z"), 1);
    // And falls back on 31 October 2027: that day ends at 23:00Z, after 25 hours.
    let d = [expiring(
        "ana@x.io",
        ends("2027-10-31", "Europe/Berlin"),
        OnExpiry::Deactivate,
    )];
    let plan = |now: &str| plan_at(&d, &a, &s, &p, now).deactivations.len();
    assert_eq!(plan("2027-10-31T22:59:59Z"), 0);
    assert_eq!(plan("2027-10-31T23:00:00Z"), 1);
    // New York is five hours behind in winter: the last day of 2027 ends at 05:00Z.
    let d = [expiring(
        "ana@x.io",
        ends("2027-12-31", "America/New_York"),
        OnExpiry::Deactivate,
    )];
    let plan = |now: &str| plan_at(&d, &a, &s, &p, now).deactivations.len();
    assert_eq!(plan("2028-01-01T04:59:59Z"), 0);
    assert_eq!(plan("2028-01-01T05:00:00Z"), 1);
    // An instant with an offset is the same instant in every zone.
    let d = [expiring(
        "ana@x.io",
        ends("2027-06-01T09:00:00+02:00", "Asia/Tokyo"),
        OnExpiry::Deactivate,
    )];
    let plan = |now: &str| plan_at(&d, &a, &s, &p, now).deactivations.len();
    assert_eq!(plan("2027-06-01T06:59:59Z"), 0);
    assert_eq!(plan("2027-06-01T07:00:00Z"), 1);
}

#[test]
fn notices_come_within_the_warning_and_are_not_changes() {
    let a = [have("7", "ana@x.io", true, &["1"], &["g"])];
    let d = [expiring(
        "ana@x.io",
        ends("2027-03-31", "UTC"),
        OnExpiry::Deactivate,
    )];
    let (s, mut p) = (schema(true), policy());
    let week_before = plan_at(&d, &a, &s, &p, "2027-03-25T00:00:00Z");
    assert_eq!(week_before.expiring.len(), 1);
    assert!(!week_before.has_changes());
    assert!(
        plan_at(&d, &a, &s, &p, "2027-03-24T23:59:59Z")
            .expiring
            .is_empty()
    );
    p.expiry_warning = std::time::Duration::from_secs(3600);
    assert!(
        plan_at(&d, &a, &s, &p, "2027-03-31T22:59:59Z")
            .expiring
            .is_empty()
    );
    assert_eq!(
        plan_at(&d, &a, &s, &p, "2027-03-31T23:00:00Z")
            .expiring
            .len(),
        1
    );
}
