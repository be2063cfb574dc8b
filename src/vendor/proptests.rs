//! The planner's promise for every vendor's schema: for any desired and actual users, applying
//! the plan (through the executor, against the in-memory fake vendor) and planning again leaves
//! nothing to do. Covers texts, booleans, sets, maps, memberships, renames through `id`,
//! deactivation, protect, ignore, and ends of access (users and set members whose `expires`
//! has passed or is still to come, with every `on_expiry`).

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;

use crate::apply::{self, Options, Stop};
use crate::config::Policy;
use crate::model::expiry::OnExpiry;
use crate::model::{
    ActualUser, DesiredUser, Expiry, Fields, Origin, Schema, Unmanaged, Value, ValueKind,
    normalise_key,
};
use crate::plan;
use crate::secret::SecretRef;

use super::fake::Fake;
use super::{VendorTarget, learningcloud, scim, uipath, xtracta};

fn schemas() -> Vec<Schema> {
    let env = || SecretRef::Env("X".into());
    let url: reqwest::Url = "https://example.com/t".parse().unwrap();
    let targets: Vec<Box<dyn VendorTarget>> = vec![
        Box::new(xtracta::Settings::new(env(), 7)),
        Box::new(uipath::Settings::new(
            url.clone(),
            env(),
            env(),
            "s".into(),
            "p".into(),
            true,
        )),
        Box::new(uipath::Settings::new(
            url,
            env(),
            env(),
            "s".into(),
            "p".into(),
            false,
        )),
        Box::new(learningcloud::Settings::new(env(), true)),
        Box::new(scim::Settings::new(env(), 100, scim::PatchMode::Auto)),
    ];
    targets.iter().map(|t| t.schema().clone()).collect()
}

/// One user's values, drawn from small domains so that desired and actual often meet.
#[derive(Clone, Debug)]
struct Draw {
    key: u8,
    text: u8,
    flag: bool,
    set: Vec<u8>,
    map: Vec<(u8, u8)>,
}

fn draw() -> impl Strategy<Value = Draw> {
    (
        0u8..8,
        0u8..3,
        any::<bool>(),
        proptest::collection::vec(0u8..4, 0..3),
        proptest::collection::vec((0u8..3, 0u8..2), 0..3),
    )
        .prop_map(|(key, text, flag, set, map)| Draw {
            key,
            text,
            flag,
            set,
            map,
        })
}

fn fields(schema: &Schema, d: &Draw) -> Fields {
    schema
        .fields
        .iter()
        .map(|f| {
            let v = match f.kind {
                _ if f.identity => Value::text(format!("u{}@x.io", d.key)),
                ValueKind::Text => Value::text(format!("{}{}", f.name, d.text)),
                ValueKind::Bool => Value::Bool(d.flag),
                ValueKind::Set => Value::set(d.set.iter().map(|s| format!("s{s}"))),
                ValueKind::Map => Value::Map(
                    d.map
                        .iter()
                        .map(|(k, v)| (format!("k{k}"), format!("v{v}")))
                        .collect(),
                ),
            };
            (f.name.to_string(), v)
        })
        .collect()
}

fn key(d: &Draw) -> String {
    normalise_key(&format!("u{}@x.io", d.key))
}

fn unique(draws: Vec<Draw>) -> Vec<Draw> {
    let mut seen = BTreeSet::new();
    draws.into_iter().filter(|d| seen.insert(d.key)).collect()
}

/// The instant every case is planned at.
fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// An end drawn as 0 (none), 1 (passed: a day ago, or exactly now) or 2 (tomorrow).
fn end(kind: u8, exact: bool) -> Option<Expiry> {
    let day = chrono::Duration::days(1);
    let at = match kind {
        1 if exact => now(),
        1 => now() - day,
        2 => now() + day,
        _ => return None,
    };
    Some(Expiry {
        at,
        written: at.to_rfc3339(),
        origin: Origin {
            file: "u.yaml".into(),
            line: 1,
            column: 1,
        },
    })
}

/// Gives user `u` the drawn ends: its own, and one for the first member of each set field.
fn give_ends(u: &mut DesiredUser, schema: &Schema, (own, on, member): (u8, u8, u8)) {
    u.expiry.user = end(own, on == 0).map(Box::new);
    u.expiry.on_expiry = match on % 3 {
        0 => OnExpiry::Deactivate,
        1 => OnExpiry::Delete,
        _ => OnExpiry::Report,
    };
    for f in schema.fields.iter().filter(|f| f.kind == ValueKind::Set) {
        let first = u
            .fields
            .get(f.name)
            .and_then(Value::as_set)
            .and_then(|s| s.first());
        if let (Some(m), Some(e)) = (first, end(member, own == 0)) {
            let field = u.expiry.members.entry(f.name.to_string()).or_default();
            field.insert(m.clone(), e);
        }
    }
}

#[expect(clippy::too_many_arguments)]
fn case(
    schema: &Schema,
    desired: Vec<Draw>,
    actual: Vec<Draw>,
    bind: &[bool],
    unmanaged: u8,
    protect: Option<u8>,
    ignore: Option<usize>,
    user_ignore: bool,
    ends: &[(u8, u8, u8)],
) -> Result<(), TestCaseError> {
    let actual: Vec<ActualUser> = unique(actual)
        .iter()
        .map(|d| ActualUser {
            id: format!("{}", 100 + u32::from(d.key)),
            key: key(d),
            fields: fields(schema, d),
        })
        .collect();
    let mut ids = BTreeSet::new();
    let desired: Vec<DesiredUser> = unique(desired)
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut u = DesiredUser {
                key: key(d),
                id: None,
                fields: fields(schema, d),
                password: None,
                ignore: BTreeSet::new(),
                expiry: Default::default(),
                origin: Origin {
                    file: "u.yaml".into(),
                    line: i as u64 + 1,
                    column: 1,
                },
            };
            // Sometimes bind to an existing user's id, renaming it to this identity.
            if bind[i % bind.len()] && !actual.is_empty() {
                let a = &actual[i % actual.len()];
                let taken = actual.iter().any(|o| o.key == u.key && o.id != a.id);
                if !taken && ids.insert(a.id.clone()) {
                    u.id = Some(a.id.clone());
                }
            }
            if user_ignore && i % 2 == 0 {
                u.ignore
                    .insert(schema.fields[schema.fields.len() - 1].name.to_string());
            }
            give_ends(&mut u, schema, ends[i % ends.len()]);
            u
        })
        .collect();
    let unmanaged = match unmanaged % 3 {
        0 => Unmanaged::Report,
        1 => Unmanaged::Delete,
        _ if schema.deactivate.is_some() => Unmanaged::Deactivate,
        _ => Unmanaged::Report,
    };
    let policy = Policy {
        unmanaged,
        protect: protect
            .map(|k| normalise_key(&format!("u{k}@x.io")))
            .into_iter()
            .collect(),
        max_delete: 1000,
        max_delete_fraction: 1.0,
        ignore: ignore
            .map(|i| schema.fields[i % schema.fields.len()].name.to_string())
            .into_iter()
            .collect(),
        expiry_warning: crate::config::EXPIRY_WARNING,
    };
    let at = |actual: &[ActualUser]| {
        plan::plan(&plan::Input {
            target: "t",
            desired: &desired,
            actual,
            schema,
            policy: &policy,
            now: now(),
            guards: plan::Guards::Report,
        })
    };
    let first = at(&actual);
    let fake = Fake::new(schema.clone(), actual);
    let options = Options {
        concurrency: 2,
        max_attempts: 1,
        secrets_base: Path::new("."),
        stop: Stop::default(),
        progress: None,
        permit: &crate::coordination::Unfenced,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let report = runtime.block_on(apply::apply(&fake, &first, &options));
    prop_assert!(report.ok(), "{}: apply failed: {report:?}", schema.provider);
    let second = at(&fake.users());
    prop_assert!(
        !second.has_changes(),
        "{}: second plan not empty: {second:?}\nfirst: {first:?}",
        schema.provider
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn plan_apply_plan_is_empty_for_every_vendor(
        desired in proptest::collection::vec(draw(), 0..8),
        actual in proptest::collection::vec(draw(), 0..8),
        bind in proptest::collection::vec(any::<bool>(), 8),
        unmanaged in any::<u8>(),
        protect in proptest::option::of(0u8..8),
        ignore in proptest::option::of(0usize..10),
        user_ignore in any::<bool>(),
        ends in proptest::collection::vec((0u8..3, 0u8..3, 0u8..3), 8),
    ) {
        for schema in schemas() {
            case(&schema, desired.clone(), actual.clone(), &bind, unmanaged, protect, ignore, user_ignore, &ends)?;
        }
    }
}
