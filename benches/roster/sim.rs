//! The simulator as the benchmark sees it: a separate `roster sim xtracta` process (so its
//! memory and CPU stay out of roster's numbers) and its `/_sim/*` test endpoints.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::procs::Served;
use crate::world::{API_KEY, Workspace};

pub struct Sim {
    pub proc: Served,
    http: reqwest::Client,
    /// The generated world (`world.json`), put at start and back before each apply run.
    initial: Vec<u8>,
}

/// Requests the vendor served, by endpoint (`/v1/...`).
pub type Counts = BTreeMap<String, u64>;

impl Sim {
    pub async fn start(ws: &Workspace, latency_ms: u64) -> anyhow::Result<Sim> {
        let seed = ws.seed.to_string_lossy().into_owned();
        let latency = latency_ms.to_string();
        let args = [
            "sim",
            "xtracta",
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            API_KEY,
            "--seed",
            &seed,
            "--latency",
            &latency,
        ];
        let proc = Served::start(&args, &ws.root, ws.root.join("sim.log"))?;
        let http = reqwest::Client::new();
        let sim = Sim {
            proc,
            http,
            initial: std::fs::read(&ws.world)?,
        };
        sim.restore().await?;
        Ok(sim)
    }

    async fn get_bytes(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let resp = self
            .http
            .get(self.proc.url(path))
            .send()
            .await
            .with_context(|| format!("GET {path}"))?
            .error_for_status()?;
        Ok(resp.bytes().await?.to_vec())
    }

    /// The median of `n` sequential round trips to an endpoint that does nothing but wait the
    /// simulated latency: the vendor latency roster really sees (timer rounding and loopback
    /// HTTP included). Resets the request counts afterwards.
    pub async fn round_trip(&self, n: usize) -> anyhow::Result<std::time::Duration> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = std::time::Instant::now();
            self.http
                .post(self.proc.url("/v1/bench-round-trip"))
                .send()
                .await?
                .bytes()
                .await?;
            times.push(t.elapsed());
        }
        self.reset_requests().await?;
        times.sort();
        Ok(times[times.len() / 2])
    }

    /// Requests served per endpoint since the last reset.
    pub async fn requests(&self) -> anyhow::Result<Counts> {
        let body = self.get_bytes("/_sim/requests").await?;
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        let map = v["by_endpoint"]
            .as_object()
            .context("/_sim/requests: no by_endpoint")?;
        Ok(map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
            .collect())
    }

    pub async fn reset_requests(&self) -> anyhow::Result<()> {
        self.http
            .post(self.proc.url("/_sim/requests/reset"))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Puts the generated world in place.
    pub async fn restore(&self) -> anyhow::Result<()> {
        self.http
            .put(self.proc.url("/_sim/state"))
            .header("content-type", "application/json")
            .body(self.initial.clone())
            .send()
            .await?
            .error_for_status()
            .context("PUT /_sim/state")?;
        Ok(())
    }

    /// The name the vendor holds for `email`, if the user exists.
    pub async fn name_of(&self, email: &str) -> anyhow::Result<Option<String>> {
        let body = self.get_bytes("/_sim/state").await?;
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        Ok(v["users"].as_array().and_then(|users| {
            users
                .iter()
                .find(|u| u["email_address"].as_str() == Some(email))
                .and_then(|u| u["name"].as_str().map(str::to_string))
        }))
    }
}

/// The sum of every endpoint's count.
pub fn total(c: &Counts) -> u64 {
    c.values().sum()
}

/// Writes to the vendor: every endpoint but the list.
pub fn writes(c: &Counts) -> u64 {
    c.iter()
        .filter(|(k, _)| k.as_str() != "/v1/user")
        .map(|(_, v)| v)
        .sum()
}

/// The log a process left, for error messages.
pub fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
