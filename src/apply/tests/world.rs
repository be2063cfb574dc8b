//! The executor against the in-memory vendor world ([`crate::vendor::fake`]): the order of
//! the kinds, a failure that does not stop the others, a lost create looked up instead of
//! repeated, a stop that starts nothing new, and the next plan empty.

use std::path::Path;

use super::super::*;
use crate::model::{
    ActualUser, DesiredUser, FieldSpec, Fields, Mutability, Origin, Schema, Unmanaged, Value,
};
use crate::plan::{self, TargetPlan};
use crate::vendor::fake::Fake;

fn schema() -> Schema {
    Schema {
        provider: "fake",
        fields: vec![
            FieldSpec::identity("email", Mutability::Update),
            FieldSpec::text("name", Mutability::Update),
            FieldSpec::set("groups", Mutability::Membership, "group"),
        ],
        deactivate: None,
    }
}

fn fields(email: &str, name: &str, groups: &[&str]) -> Fields {
    Fields::from([
        ("email".to_string(), Value::text(email)),
        ("name".to_string(), Value::text(name)),
        ("groups".to_string(), Value::set(groups.iter().copied())),
    ])
}

fn want(email: &str, name: &str, groups: &[&str]) -> DesiredUser {
    DesiredUser {
        key: email.to_string(),
        id: None,
        fields: fields(email, name, groups),
        password: None,
        ignore: Default::default(),
        expiry: Default::default(),
        origin: Origin {
            file: "u.yaml".into(),
            line: 1,
            column: 1,
        },
    }
}

fn have(id: &str, email: &str, name: &str, groups: &[&str]) -> ActualUser {
    ActualUser {
        id: id.to_string(),
        key: email.to_string(),
        fields: fields(email, name, groups),
    }
}

fn plan_for(desired: &[DesiredUser], fake: &Fake) -> TargetPlan {
    let policy = crate::config::Policy {
        unmanaged: Unmanaged::Delete,
        protect: Default::default(),
        max_delete: 100,
        max_delete_fraction: 1.0,
        ignore: Default::default(),
        expiry_warning: crate::config::EXPIRY_WARNING,
    };
    plan::plan_at_epoch("t", desired, &fake.users(), &schema(), &policy)
}

fn options(stop: Stop) -> Options<'static> {
    Options {
        concurrency: 1,
        max_attempts: 3,
        secrets_base: Path::new("."),
        stop,
        progress: None,
        permit: &crate::coordination::Unfenced,
    }
}

fn world() -> Fake {
    Fake::new(
        schema(),
        vec![
            have("1", "old@x.io", "Old", &[]),
            have("2", "bo@x.io", "Bo", &["g1"]),
        ],
    )
}

fn desired() -> Vec<DesiredUser> {
    vec![
        want("bo@x.io", "Bo Chen", &["g2"]),
        want("new@x.io", "New", &["g1"]),
    ]
}

#[tokio::test]
async fn phases_run_in_order_and_the_next_plan_is_empty() {
    let fake = world();
    let p = plan_for(&desired(), &fake);
    let report = apply(&fake, &p, &options(Stop::default())).await;
    assert!(report.ok(), "{report:?}");
    let calls: Vec<String> = fake.calls().into_iter().filter(|c| c != "fetch").collect();
    assert_eq!(
        calls,
        [
            "delete old@x.io",
            "update bo@x.io",
            "create new@x.io",
            "groups g1",
            "groups g2"
        ]
    );
    assert!(!plan_for(&desired(), &fake).has_changes());
}

#[tokio::test]
async fn a_failed_change_does_not_stop_the_others() {
    let fake = world();
    fake.faults.lock().unwrap().fail.insert("bo@x.io".into());
    let p = plan_for(&desired(), &fake);
    let report = apply(&fake, &p, &options(Stop::default())).await;
    assert_eq!(report.failed(), 1, "{report:?}");
    assert!(
        report
            .steps
            .iter()
            .any(|s| s.change == "create new@x.io" && s.outcome == Outcome::Done)
    );
    assert!(fake.users().iter().any(|u| u.key == "new@x.io"));
}

#[tokio::test]
async fn a_lost_create_is_looked_up_not_repeated() {
    let fake = world();
    fake.faults
        .lock()
        .unwrap()
        .lose_create
        .insert("new@x.io".into());
    let p = plan_for(&desired(), &fake);
    let report = apply(&fake, &p, &options(Stop::default())).await;
    assert!(report.ok(), "{report:?}");
    let calls = fake.calls();
    assert_eq!(
        calls.iter().filter(|c| *c == "create new@x.io").count(),
        1,
        "{calls:?}"
    );
    assert!(calls.contains(&"find new@x.io".to_string()), "{calls:?}");
    assert_eq!(
        fake.users().iter().filter(|u| u.key == "new@x.io").count(),
        1
    );
}

#[tokio::test]
async fn a_stop_starts_nothing_new() {
    let fake = world();
    let p = plan_for(&desired(), &fake);
    let stop = Stop::default();
    stop.request();
    let report = apply(&fake, &p, &options(stop)).await;
    assert_eq!(report.not_started(), report.steps.len());
    assert!(fake.calls().is_empty());
}
