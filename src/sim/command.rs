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
    /// Runs the chosen simulator until it is stopped.
    pub async fn run(&self) -> anyhow::Result<()> {
        match self {
            SimCommand::Xtracta(args) => xtracta::run(args.clone()).await,
            SimCommand::Uipath(args) => uipath::run(args.clone()).await,
            SimCommand::Learningcloud(args) => learningcloud::run(args.clone()).await,
            SimCommand::Scim(args) => scim::run(args.clone()).await,
        }
    }
}
