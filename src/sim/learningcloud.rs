//! A local simulator of Netex learningCloud's user web services
//! (`/integration/ws/management/rest/users…`): JSON in, JSON out, writes answered with the
//! vendor's per-platform envelope, a world seeded from YAML, optionally kept in a JSON state
//! file, and optional injected faults and platform failures.
//!
//! It shares no wire code with the roster client (`provider`): request and response shapes
//! are the simulator's own serde types. This file only starts and stops the server; each
//! concern has its own submodule.

mod app;
mod envelope;
mod gate;
mod handlers;
mod headers;
mod ids;
mod introspect;
mod ops;
mod render;
mod request;
mod roles;
mod routes;
mod seed;
mod store;
mod world;

#[cfg(test)]
mod http_tests;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::sim::faults::{FaultArgs, Faults};
use envelope::Platform;

/// How long [`Running::stop`] lets open requests finish before cutting them off.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Serve a simulator of Netex learningCloud's user web services on a loopback address
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// address to listen on (loopback)
    #[arg(long, default_value = "127.0.0.1:8082")]
    pub listen: SocketAddr,
    /// JSON file holding the simulator's world; loaded at start if it exists, rewritten (atomically: temp file + rename) after every change
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// YAML seed (used when --state is absent or the state file does not exist yet)
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// the X-Cloud-Auth-Token the simulator accepts
    #[arg(
        long,
        default_value = "sim-token",
        env = "ROSTER_SIM_LC_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// a platform (training, social, play, management) whose writes fail with a platform error
    #[arg(long, value_name = "PLATFORM")]
    pub platform_fail: Option<String>,
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// A simulator serving in the background. Dropping it also shuts the server down.
#[derive(Debug)]
pub struct Running {
    /// The address actually bound (the real port when asked for port 0).
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits (briefly) for open requests to finish.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may be gone already; then there is nothing to tell.
            let _ = shutdown.send(());
        }
        match tokio::time::timeout(STOP_GRACE, &mut self.task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => tracing::warn!(error = %err, "learningcloud simulator failed"),
            Ok(Err(err)) => tracing::warn!(error = %err, "learningcloud simulator task failed"),
            Err(_) => {
                tracing::warn!("learningcloud simulator did not stop in time; aborting it");
                self.task.abort();
            }
        }
    }
}

/// Loads the world, binds `args.listen` and serves in a background task.
///
/// The world comes from the state file if it exists, else `args.seed`, else `seed_yaml`,
/// else a default world (extended fields `costCenter` and `department`, no users).
pub async fn start(args: Args, seed_yaml: Option<&str>) -> anyhow::Result<Running> {
    if !args.listen.ip().is_loopback() {
        anyhow::bail!(
            "refusing to listen on {}: the simulator serves loopback addresses only",
            args.listen
        );
    }
    if args.token.is_empty() {
        anyhow::bail!("the simulator's token must not be empty");
    }
    let platform_fail = match args.platform_fail.as_deref() {
        None => None,
        Some(name) => Some(Platform::parse(name).with_context(|| {
            format!("unknown platform {name:?} for --platform-fail (expected training, social, play or management)")
        })?),
    };
    let store = args.state.clone().map(store::Store::new);
    let sources = store::Sources {
        state: store.as_ref(),
        seed_file: args.seed.as_deref(),
        seed_text: seed_yaml,
    };
    let world = store::initial_world(sources).await?;
    if let Some(store) = &store {
        store.save(&world).await?;
    }
    let app = Arc::new(app::App::new(
        world,
        store,
        args.token,
        platform_fail,
        Faults::new(args.faults),
    ));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listen on {}", args.listen))?;
    let addr = listener.local_addr().context("read the bound address")?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = axum::serve(listener, routes::router(app)).with_graceful_shutdown(async {
        // A dropped sender (the `Running` was dropped) also means stop.
        let _ = stopped.await;
    });
    let task = tokio::spawn(async move { server.await });
    tracing::info!(%addr, "learningcloud simulator listening");
    Ok(Running {
        addr,
        shutdown: Some(shutdown),
        task,
    })
}

/// Starts the simulator, prints `listening on http://ADDR` on stdout, and serves until
/// SIGINT or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let mut running = start(args, None).await?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{}", running.addr).context("write to stdout")?;
        stdout.flush().context("write to stdout")?;
    }
    tokio::select! {
        signal = shutdown_signal() => {
            signal?;
            tracing::info!("learningcloud simulator stopping");
            running.stop().await;
            Ok(())
        }
        served = &mut running.task => {
            served.context("learningcloud simulator task")?.context("serve")?;
            anyhow::bail!("learningcloud simulator stopped unexpectedly")
        }
    }
}

async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("listen for SIGTERM")?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.context("listen for SIGINT")?,
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("listen for ctrl-c")?;
    Ok(())
}
