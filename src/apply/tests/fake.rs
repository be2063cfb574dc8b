//! A timed fake vendor for the executor's scheduling tests (when each request starts and
//! ends), and plans to feed it. The in-memory vendor world is [`crate::vendor::fake`].

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::apply::{Options, Stop, apply};
use crate::model::{ActualUser, DesiredUser, Fields, Value};
use crate::plan::{Create, FieldChange, Membership, TargetPlan, Update, UserRef};
use crate::vendor::{Applied, Provider, ProviderError};

/// One request the fake vendor served.
#[derive(Clone, Debug)]
pub(super) struct Served {
    pub what: String,
    pub start: Instant,
    pub end: Instant,
}

/// A vendor whose every request takes `latency(n)` for the n-th request, and always succeeds
/// unless its change is in `fail`.
pub(super) struct Fake {
    latency: fn(usize) -> Duration,
    pub fail: BTreeSet<String>,
    pub served: Mutex<Vec<Served>>,
    sent: AtomicUsize,
    in_flight: AtomicUsize,
    pub most_in_flight: AtomicUsize,
}

impl Fake {
    pub(super) fn new(latency: fn(usize) -> Duration) -> Fake {
        Fake {
            latency,
            fail: BTreeSet::new(),
            served: Mutex::new(Vec::new()),
            sent: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        }
    }

    async fn request(&self, what: String) -> Result<Applied, ProviderError> {
        let n = self.sent.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let start = Instant::now();
        tokio::time::sleep((self.latency)(n)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let failed = self.fail.contains(&what);
        self.served.lock().unwrap().push(Served {
            what: what.clone(),
            start,
            end: Instant::now(),
        });
        if failed {
            return Err(ProviderError::Vendor {
                endpoint: "/fake".into(),
                status: 400,
                message: format!("{what} refused"),
            });
        }
        Ok(Applied::Confirmed)
    }

    pub(super) fn served(&self, what: &str) -> Served {
        let served = self.served.lock().unwrap();
        let found = served.iter().find(|s| s.what == what);
        found
            .unwrap_or_else(|| panic!("{what} was not sent"))
            .clone()
    }

    pub(super) fn count(&self) -> usize {
        self.served.lock().unwrap().len()
    }
}

impl Provider for Fake {
    async fn fetch(&self, _desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        Ok(Vec::new())
    }

    async fn find(&self, _create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        Ok(None)
    }

    async fn create(
        &self,
        create: &Create,
        _password: Option<secrecy::SecretString>,
    ) -> Result<Applied, ProviderError> {
        self.request(format!("create {}", create.user.key)).await
    }

    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        self.request(format!("update {}", update.user.key)).await
    }

    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        self.request(format!("list {}", change.collection)).await?;
        self.request(format!("membership {}", change.collection))
            .await
    }

    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        self.request(format!("delete {}", user.key)).await
    }
}

pub(super) fn user(key: &str) -> UserRef {
    UserRef {
        key: key.to_string(),
        id: Some(format!("id-{key}")),
        ..UserRef::default()
    }
}

pub(super) fn update(key: &str, field: &str, from: &str, to: &str) -> Update {
    Update {
        user: user(key),
        changes: vec![FieldChange {
            user: user(key),
            field: field.to_string(),
            from: Some(Value::text(from)),
            to: Value::text(to),
        }],
        actual: Fields::new(),
    }
}

pub(super) fn create(email: &str, workflows: &[&str]) -> Create {
    let mut fields = Fields::from([
        ("email".to_string(), Value::text(email)),
        ("name".to_string(), Value::text(format!("Name of {email}"))),
    ]);
    if !workflows.is_empty() {
        fields.insert("workflows", Value::set(workflows.iter().copied()));
    }
    Create {
        user: UserRef {
            key: email.to_lowercase(),
            ..UserRef::default()
        },
        fields,
        password: None,
    }
}

pub(super) fn membership(collection: &str, join: &[&str], leave: &[&str]) -> Membership {
    Membership {
        field: "workflows".to_string(),
        collection: collection.to_string(),
        join: join.iter().map(|k| user(k)).collect(),
        leave: leave.iter().map(|k| user(k)).collect(),
    }
}

pub(super) fn opts(concurrency: usize, stop: Stop) -> Options<'static> {
    Options {
        concurrency,
        max_attempts: 3,
        secrets_base: Path::new("."),
        stop,
        progress: None,
        permit: &crate::coordination::Unfenced,
    }
}

pub(super) const LATENCY: Duration = Duration::from_millis(20);

pub(super) fn fixed(_: usize) -> Duration {
    LATENCY
}

/// 20, 21 or 22 ms: a vendor whose answers do not all take the same time.
pub(super) fn uneven(n: usize) -> Duration {
    LATENCY + Duration::from_millis((n * 7 % 3) as u64)
}

/// The benchmark's plan at 10,000 users: 999 renames, 474 creates in one or two of 20
/// workflows, 20 workflows whose existing members change.
pub(super) fn benchmark_plan() -> TargetPlan {
    let workflows: Vec<String> = (0..20).map(|w| (500_000 + w).to_string()).collect();
    TargetPlan {
        target: "acme".into(),
        updates: (0..999)
            .map(|i| {
                update(
                    &format!("u{i}@x"),
                    "name",
                    &format!("Old {i}"),
                    &format!("New {i}"),
                )
            })
            .collect(),
        creates: (0..474)
            .map(|i| {
                let a = workflows[i % 20].as_str();
                let b = workflows[(i / 20 + 3 * i) % 20].as_str();
                create(&format!("c{i}@x"), &[a, b])
            })
            .collect(),
        memberships: workflows
            .iter()
            .enumerate()
            .map(|(w, c)| membership(c, &[&format!("j{w}@x")], &[&format!("l{w}@x")]))
            .collect(),
        ..TargetPlan::default()
    }
}

/// Virtual time to apply `plan`, in round trips of [`LATENCY`].
pub(super) async fn round_trips(plan: &TargetPlan, latency: fn(usize) -> Duration) -> f64 {
    let fake = Fake::new(latency);
    let t = Instant::now();
    let report = apply(&fake, plan, &opts(8, Stop::default())).await;
    assert!(report.ok(), "{report:?}");
    assert!(fake.most_in_flight.load(Ordering::SeqCst) <= 8);
    t.elapsed().as_secs_f64() / LATENCY.as_secs_f64()
}
