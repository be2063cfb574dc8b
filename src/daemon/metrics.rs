//! Health and metrics: the numbers the daemon keeps, and the HTTP endpoints that show them
//! (`/healthz`, `/readyz`, `/metrics` in Prometheus text format).
//!
//! Only records and serves; it never reconciles.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabel {
    pub endpoint: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TargetLabel {
    pub target: String,
}

/// Every number the daemon exposes.
pub struct Metrics {
    registry: Registry,
    pub reconciles: Family<ResultLabel, Counter>,
    pub duration: Histogram,
    pub last_success: Gauge<f64, std::sync::atomic::AtomicU64>,
    pub changes: Family<KindLabel, Counter>,
    pub requests: Family<RequestLabel, Counter>,
    pub retries: Counter,
    pub pending_drift: Family<TargetLabel, Gauge>,
    pub manifests_valid: Gauge,
    pub guards_tripped: Family<TargetLabel, Counter>,
    /// Unix time of each target's next `expires` instant still to come (`daemon/expiry.rs`).
    pub next_expiry: Family<TargetLabel, Gauge<f64, std::sync::atomic::AtomicU64>>,
    /// The last reconcile succeeded.
    pub last_ok: AtomicBool,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("roster");
        let reconciles = Family::<ResultLabel, Counter>::default();
        registry.register("reconciles", "Reconciles by result", reconciles.clone());
        let duration =
            Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0]);
        registry.register(
            "reconcile_duration_seconds",
            "Reconcile duration",
            duration.clone(),
        );
        let last_success = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "last_success_timestamp_seconds",
            "Unix time of the last successful reconcile",
            last_success.clone(),
        );
        let changes = Family::<KindLabel, Counter>::default();
        registry.register(
            "changes_applied",
            "Changes applied by kind",
            changes.clone(),
        );
        let requests = Family::<RequestLabel, Counter>::default();
        registry.register(
            "vendor_requests",
            "Vendor requests by endpoint and status",
            requests.clone(),
        );
        let retries = Counter::default();
        registry.register("retries", "Vendor requests retried", retries.clone());
        let pending_drift = Family::<TargetLabel, Gauge>::default();
        registry.register(
            "pending_drift",
            "Changes the last reconcile found but did not make (plan mode, failures, held removals)",
            pending_drift.clone(),
        );
        let manifests_valid = Gauge::default();
        registry.register(
            "manifests_valid",
            "1 when the config and manifests on disk validate",
            manifests_valid.clone(),
        );
        let guards_tripped = Family::<TargetLabel, Counter>::default();
        registry.register(
            "guards_tripped",
            "Mass-change guards tripped",
            guards_tripped.clone(),
        );
        let next_expiry =
            Family::<TargetLabel, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
        registry.register(
            "next_expiry_timestamp_seconds",
            "Unix time of the next expires instant still to come, per target",
            next_expiry.clone(),
        );
        Arc::new(Metrics {
            registry,
            reconciles,
            duration,
            last_success,
            changes,
            requests,
            retries,
            pending_drift,
            manifests_valid,
            guards_tripped,
            next_expiry,
            last_ok: AtomicBool::new(false),
        })
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    pub fn ready(&self) -> bool {
        self.last_ok.load(Ordering::SeqCst) && self.manifests_valid.get() == 1
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(m): State<Arc<Metrics>>) -> impl IntoResponse {
    let valid = m.manifests_valid.get() == 1;
    let ok = m.last_ok.load(Ordering::SeqCst);
    let body = format!(
        "last reconcile: {}\nmanifests: {}\n",
        if ok {
            "succeeded"
        } else {
            "failed or not run yet"
        },
        if valid { "valid" } else { "invalid" }
    );
    let code = if m.ready() {
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
