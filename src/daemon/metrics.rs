//! Health and metrics: the numbers the daemon keeps, and the HTTP endpoints that show them
//! (`/healthz`, `/readyz`, `/metrics` in Prometheus text format).
//!
//! `/readyz` is ready while at least one target reconciles against its current manifests;
//! with etcd, while etcd answers and one owned target is ready (or none is owned).
//! Only records and serves; it never reconciles.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

pub use super::health::{Health, TargetHealth};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub target: String,
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub target: String,
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabel {
    pub target: String,
    pub endpoint: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabel {
    pub target: String,
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TargetLabel {
    pub target: String,
}

impl TargetLabel {
    pub fn of(target: &str) -> Self {
        TargetLabel {
            target: target.to_string(),
        }
    }
}

type Latency = Family<EndpointLabel, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

/// Every number the daemon exposes; per-target numbers carry a `target` label.
pub struct Metrics {
    registry: Registry,
    pub reconciles: Family<ResultLabel, Counter>,
    pub duration: Histogram,
    pub last_success: Family<TargetLabel, Gauge<f64, AtomicU64>>,
    pub consecutive_failures: Family<TargetLabel, Gauge>,
    pub changes: Family<KindLabel, Counter>,
    pub requests: Family<RequestLabel, Counter>,
    pub latency: Latency,
    pub retries: Family<TargetLabel, Counter>,
    pub pending_drift: Family<TargetLabel, Gauge>,
    pub needs_person: Family<TargetLabel, Gauge>,
    pub target_ready: Family<TargetLabel, Gauge>,
    pub manifests_valid: Gauge,
    pub guards_tripped: Family<TargetLabel, Counter>,
    /// Unix time of each target's next `expires` instant still to come (`daemon/expiry.rs`).
    pub next_expiry: Family<TargetLabel, Gauge<f64, AtomicU64>>,
    /// Each target's health, for `/readyz`.
    pub health: Health,
    /// Ownership through etcd (unused without `coordination.etcd`).
    pub ownership: super::owners::gauges::Gauges,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut r = Registry::with_prefix("roster");
        let reconciles = Family::<ResultLabel, Counter>::default();
        r.register(
            "reconciles",
            "Reconciles by target and result",
            reconciles.clone(),
        );
        let duration =
            Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0]);
        r.register(
            "reconcile_duration_seconds",
            "Duration of one target's reconcile",
            duration.clone(),
        );
        let last_success = Family::<TargetLabel, Gauge<f64, AtomicU64>>::default();
        r.register(
            "last_success_timestamp_seconds",
            "Unix time of the target's last successful reconcile",
            last_success.clone(),
        );
        let consecutive_failures = Family::<TargetLabel, Gauge>::default();
        r.register(
            "consecutive_failures",
            "Reconciles of the target that failed in a row",
            consecutive_failures.clone(),
        );
        let changes = Family::<KindLabel, Counter>::default();
        r.register(
            "changes_applied",
            "Changes applied by target and kind",
            changes.clone(),
        );
        let requests = Family::<RequestLabel, Counter>::default();
        r.register(
            "vendor_requests",
            "Vendor requests by target, endpoint and status",
            requests.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        r.register(
            "vendor_request_duration_seconds",
            "Time to the vendor's answer (its headers), by target and endpoint",
            latency.clone(),
        );
        let retries = Family::<TargetLabel, Counter>::default();
        r.register("retries", "Vendor requests retried", retries.clone());
        let pending_drift = Family::<TargetLabel, Gauge>::default();
        r.register(
            "pending_drift",
            "Changes the last reconcile found but did not make (plan mode, failures, held removals)",
            pending_drift.clone(),
        );
        let needs_person = Family::<TargetLabel, Gauge>::default();
        r.register(
            "needs_person",
            "Drift the last reconcile found that roster cannot fix: a person must act",
            needs_person.clone(),
        );
        let target_ready = Family::<TargetLabel, Gauge>::default();
        r.register(
            "target_ready",
            "1 when the target's last reconcile succeeded against its current manifests",
            target_ready.clone(),
        );
        let manifests_valid = Gauge::default();
        r.register(
            "manifests_valid",
            "1 when the config and every manifest on disk validate",
            manifests_valid.clone(),
        );
        let guards_tripped = Family::<TargetLabel, Counter>::default();
        r.register(
            "guards_tripped",
            "Mass-change guards tripped",
            guards_tripped.clone(),
        );
        let next_expiry = Family::<TargetLabel, Gauge<f64, AtomicU64>>::default();
        r.register(
            "next_expiry_timestamp_seconds",
            "Unix time of the next expires instant still to come, per target",
            next_expiry.clone(),
        );
        let ownership = super::owners::gauges::Gauges::register(&mut r);
        Arc::new(Metrics {
            registry: r,
            reconciles,
            duration,
            last_success,
            consecutive_failures,
            changes,
            requests,
            latency,
            retries,
            pending_drift,
            needs_person,
            target_ready,
            manifests_valid,
            guards_tripped,
            next_expiry,
            health: Health::default(),
            ownership,
        })
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Records what the daemon knows of a target's health, and its `target_ready` gauge.
    pub fn set_health(&self, target: &str, health: TargetHealth) {
        self.target_ready
            .get_or_create(&TargetLabel::of(target))
            .set(i64::from(health.ready()));
        self.health.set(target, health);
    }

    /// Forgets a target the config no longer has.
    pub fn forget(&self, target: &str) {
        self.health.remove(target);
        let label = TargetLabel::of(target);
        self.target_ready.remove(&label);
        self.pending_drift.remove(&label);
        self.needs_person.remove(&label);
        self.consecutive_failures.remove(&label);
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(m): State<Arc<Metrics>>) -> impl IntoResponse {
    let (ready, body) = m
        .ownership
        .readiness(&m.health)
        .unwrap_or_else(|| (m.health.ready(), m.health.describe()));
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, body)
}

async fn metrics(State(m): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.encode(),
    )
}

/// Binds `listen` and serves until the task is dropped; returns the bound address.
pub async fn serve(
    listen: &str,
    m: Arc<Metrics>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(m);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics server stopped");
        }
    });
    Ok((addr, task))
}
