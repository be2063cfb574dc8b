//! `roster sim <vendor>`: the one list of simulators the command line offers. Adding a
//! simulator adds its variant and its arm here.

use clap::Subcommand;

use super::{learningcloud, scim, uipath, xtracta};

#[derive(Subcommand, Debug)]
pub enum SimCommand {
    /// Xtracta's user API
    Xtracta(xtracta::Args),
    /// UiPath Identity's user and group API
    Uipath(uipath::Args),
    /// Netex learningCloud's user web services
    Learningcloud(learningcloud::Args),
    /// A SCIM 2.0 service provider's Users and Groups
    Scim(scim::Args),
}

impl SimCommand {
    /// Starts the chosen simulator, prints `listening on http://ADDR` on stdout, and serves
    /// until SIGINT or SIGTERM.
    pub async fn run(&self) -> anyhow::Result<()> {
        let running = match self {
            SimCommand::Xtracta(args) => xtracta::start(args.clone(), None).await,
            SimCommand::Uipath(args) => uipath::start(args.clone(), None).await,
            SimCommand::Learningcloud(args) => learningcloud::start(args.clone(), None).await,
            SimCommand::Scim(args) => scim::start(args.clone(), None).await,
        };
        running?.serve_until_signal().await
    }
}
