//! The life of one simulator's HTTP server, whatever the vendor: refuses addresses that are
//! not loopback, binds, serves a router in a background task, stops gracefully with a grace
//! period, and for `roster sim` prints `listening on http://ADDR` and serves until SIGINT or
//! SIGTERM.
//!
//! It never sees a world, a route or a wire format: `launch` hands it a finished router.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long [`Running::stop`] lets open requests finish before cutting them off.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Refuses to serve anywhere but on a loopback address.
pub(crate) fn ensure_loopback(listen: SocketAddr) -> anyhow::Result<()> {
    if !listen.ip().is_loopback() {
        anyhow::bail!(
            "refusing to listen on {listen}: the simulator serves loopback addresses only"
        );
    }
    Ok(())
}

/// A simulator serving in the background. Dropping it also shuts the server down.
#[derive(Debug)]
pub struct Running {
    /// Names the simulator in logs and errors, e.g. `xtracta`.
    vendor: &'static str,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Binds `listen` and serves `router` in a background task.
    pub(crate) async fn start(
        vendor: &'static str,
        listen: SocketAddr,
        router: Router,
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listen on {listen}"))?;
        let addr = listener.local_addr().context("read the bound address")?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = axum::serve(listener, router).with_graceful_shutdown(async {
            // A dropped sender (the `Running` was dropped) also means stop.
            let _ = stopped.await;
        });
        let task = tokio::spawn(async move { server.await });
        tracing::info!(%addr, "{vendor} simulator listening");
        Ok(Self {
            vendor,
            addr,
            shutdown: Some(shutdown),
            task,
        })
    }

    /// The address actually bound (the real port when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits (briefly) for open requests to finish.
    pub async fn stop(mut self) {
        let vendor = self.vendor;
        if let Some(shutdown) = self.shutdown.take() {
            // The server may be gone already; then there is nothing to tell.
            let _ = shutdown.send(());
        }
        match tokio::time::timeout(STOP_GRACE, &mut self.task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => tracing::warn!(error = %err, "{vendor} simulator failed"),
            Ok(Err(err)) => tracing::warn!(error = %err, "{vendor} simulator task failed"),
            Err(_) => {
                tracing::warn!("{vendor} simulator did not stop in time; aborting it");
                self.task.abort();
            }
        }
    }

    /// Prints `listening on http://ADDR` on stdout, and serves until SIGINT or SIGTERM.
    pub(crate) async fn serve_until_signal(mut self) -> anyhow::Result<()> {
        let vendor = self.vendor;
        {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "listening on http://{}", self.addr).context("write to stdout")?;
            stdout.flush().context("write to stdout")?;
        }
        tokio::select! {
            signal = shutdown_signal() => {
                signal?;
                tracing::info!("{vendor} simulator stopping");
                self.stop().await;
                Ok(())
            }
            served = &mut self.task => {
                served.with_context(|| format!("{vendor} simulator task"))?.context("serve")?;
                anyhow::bail!("{vendor} simulator stopped unexpectedly")
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_are_served() {
        assert!(ensure_loopback(SocketAddr::from(([127, 0, 0, 1], 0))).is_ok());
        assert!(ensure_loopback(SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], 0))).is_ok());
        let err = ensure_loopback(SocketAddr::from(([0, 0, 0, 0], 8080))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing to listen on 0.0.0.0:8080: the simulator serves loopback addresses only"
        );
    }
}
