//! Starting one simulator, whatever the vendor: the options every `roster sim VENDOR` takes
//! around the vendor's own, and the start itself: refuses addresses that are not loopback,
//! opens the world (state file, seed file, inline seed or default), wires the vendor's
//! routes behind the shared gate with the shared `/_sim/*` endpoints, and serves them.
//!
//! The vendor checks its own options before it calls [`start`]; this module knows no vendor.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;

use super::app::App;
use super::faults::{FaultArgs, Faults};
use super::kept::Kept;
use super::server::{Running, ensure_loopback};
use super::vendor::Vendor;
use super::{gate, introspect};

/// A vendor's own options of `roster sim VENDOR`.
pub trait VendorArgs: clap::Args + Default {
    /// Where the simulator listens unless told otherwise.
    const LISTEN: &'static str;
}

/// The options of `roster sim VENDOR`: where to listen and keep the world, the vendor's own
/// options `V`, and the faults to inject.
#[derive(clap::Args, Debug, Clone)]
pub struct SimArgs<V: VendorArgs> {
    /// address to listen on (loopback)
    #[arg(long, default_value = V::LISTEN)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub world: WorldArgs,
    #[command(flatten)]
    pub vendor: V,
    #[command(flatten)]
    pub faults: FaultArgs,
}

impl<V: VendorArgs> Default for SimArgs<V> {
    /// The options of `roster sim VENDOR` given none, but on any free loopback port.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            world: WorldArgs::default(),
            vendor: V::default(),
            faults: FaultArgs::default(),
        }
    }
}

impl<V: VendorArgs> SimArgs<V> {
    /// The vendor's own options, and what [`start`] needs besides; `seed_yaml` is the seed
    /// to use when there is neither a state file nor a seed file.
    pub(crate) fn split(self, seed_yaml: Option<&str>) -> (V, Launch<'_>) {
        let launch = Launch {
            listen: self.listen,
            world: self.world,
            seed_yaml,
            faults: self.faults,
        };
        (self.vendor, launch)
    }
}

/// Where a simulator's world comes from and where it is kept; the same for every vendor.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WorldArgs {
    /// JSON file holding the simulator's world; loaded at start if it exists, rewritten (atomically: temp file + rename) after every change
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// YAML seed (used when --state is absent or the state file does not exist yet)
    #[arg(long)]
    pub seed: Option<PathBuf>,
}

/// What every simulator is started with besides its vendor's own settings.
#[derive(Debug)]
pub(crate) struct Launch<'a> {
    pub(crate) listen: SocketAddr,
    pub(crate) world: WorldArgs,
    /// The seed to use when there is neither a state file nor a seed file.
    pub(crate) seed_yaml: Option<&'a str>,
    pub(crate) faults: FaultArgs,
}

/// Loads the world, binds `launch.listen` and serves `vendor` on `routes` (the vendor API's,
/// with its fallback and its own `/_sim/*` endpoints) in a background task.
pub(crate) async fn start<V: Vendor>(
    launch: Launch<'_>,
    vendor: V,
    routes: Router<Arc<App<V>>>,
) -> anyhow::Result<Running> {
    ensure_loopback(launch.listen)?;
    let WorldArgs { state, seed } = launch.world;
    let world = Kept::open(state, seed.as_deref(), launch.seed_yaml).await?;
    let app = Arc::new(App::new(world, Faults::new(launch.faults), vendor));
    Running::start(V::NAME, launch.listen, router(app, routes)).await
}

/// The vendor's routes and the shared `/_sim/*` endpoints, all behind the gate.
fn router<V: Vendor>(app: Arc<App<V>>, routes: Router<Arc<App<V>>>) -> Router {
    routes
        .merge(
            // A world of 100,000 users is ~15 MB of JSON, over axum's 2 MB default; of these
            // routes only `PUT /_sim/state` reads a body.
            introspect::routes::<V>().layer(DefaultBodyLimit::disable()),
        )
        .layer(from_fn_with_state(app.clone(), gate::gate::<V>))
        .with_state(app)
}
