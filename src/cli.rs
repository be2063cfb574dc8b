//! Command-line interface: clap types, and turning a command into an exit code.
//!
//! Data goes to stdout; logs, prompts and errors to stderr. Exit codes come from [`crate::exit`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::apply::Stop;
use crate::exit;
use crate::reconcile::{self, Loaded};
use crate::render::{self, Styles};

#[derive(Parser, Debug)]
#[command(
    name = "roster",
    version,
    about = "Declarative reconciliation of SaaS user accounts from YAML manifests"
)]
pub struct Cli {
    /// Config file [default: $ROSTER_CONFIG, else ./roster.yaml]
    #[arg(short, long, global = true)]
    pub config: Option<PathBuf>,
    /// When to colour output
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// Log level (error, warn, info, debug, trace); RUST_LOG overrides [default: warn, daemon: info]
    #[arg(long, global = true)]
    pub log_level: Option<String>,
    /// Log format: text (no colour unless stderr is a terminal) or json, for log shippers
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the config and manifests; no network
    Validate,
    /// Show what would change
    Plan {
        /// Exit 0 when nothing would change, 2 when changes are pending, 1 on error
        #[arg(long)]
        detailed_exitcode: bool,
        /// Also show differences in ignored fields
        #[arg(long)]
        show_ignored: bool,
    },
    /// Make the vendors match the manifests
    Apply {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
        /// Allow a plan that removes more users than the guards allow
        #[arg(long)]
        allow_mass_delete: bool,
    },
    /// Reconcile continuously: on start-up, file changes, the schedule and SIGHUP
    Daemon,
    /// Run a vendor simulator on loopback
    Sim {
        #[command(subcommand)]
        vendor: Box<SimVendor>,
    },
    /// Plan, apply and plan again against the built-in simulator; no credentials needed
    Demo,
}

#[derive(Subcommand, Debug)]
pub enum SimVendor {
    /// Xtracta's user API
    Xtracta(crate::sim::xtracta::Args),
    /// UiPath Identity's user and group API
    Uipath(crate::sim::uipath::Args),
    /// Netex learningCloud's user web services
    Learningcloud(crate::sim::learningcloud::Args),
}

fn styles(color: Color) -> Styles {
    let on = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    Styles::colored(on)
}

fn init_logging(cli: &Cli) {
    let default = if matches!(cli.command, Command::Daemon) {
        "info"
    } else {
        "warn"
    };
    let level = cli.log_level.as_deref().unwrap_or(default);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match cli.log_format {
        LogFormat::Json => builder.json().try_init(),
        // Under the journal, stderr is not a terminal: no ANSI codes, and no timestamps
        // (the journal adds its own).
        LogFormat::Text if std::env::var_os("JOURNAL_STREAM").is_some() => {
            builder.with_ansi(false).without_time().try_init()
        }
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
}

/// Parses the arguments, runs the command, and returns the exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn load(cli: &Cli) -> Result<Loaded, u8> {
    let path = crate::config::locate(cli.config.as_deref());
    reconcile::load(&path).map_err(|problems| {
        eprintln!("{problems}");
        let n = problems.0.len();
        eprintln!(
            "error: {n} problem{} found; nothing was sent",
            if n == 1 { "" } else { "s" }
        );
        exit::ERROR
    })
}

async fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let st = styles(cli.color);
    match &cli.command {
        Command::Validate => {
            let loaded = match load(&cli) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let users: usize = loaded.desired.by_target.values().map(Vec::len).sum();
            println!(
                "valid: {} target{}, {} manifest file{}, {} user{}",
                loaded.config.targets.len(),
                plural(loaded.config.targets.len()),
                loaded.desired.files.len(),
                plural(loaded.desired.files.len()),
                users,
                plural(users)
            );
            Ok(exit::OK)
        }
        Command::Plan {
            detailed_exitcode,
            show_ignored,
        } => {
            let loaded = match load(&cli) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let planned = reconcile::plan(&loaded, Default::default()).await?;
            print!("{}", render::plan(&planned.plan, &st, *show_ignored));
            for trip in reconcile::guards(&loaded, &planned.plan) {
                eprintln!("warning: apply would refuse: {trip}");
            }
            Ok(if *detailed_exitcode && planned.plan.has_changes() {
                exit::CHANGES
            } else {
                exit::OK
            })
        }
        Command::Apply {
            yes,
            allow_mass_delete,
        } => {
            let loaded = match load(&cli) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            apply(&loaded, &st, *yes, *allow_mass_delete).await
        }
        Command::Daemon => {
            let path = crate::config::locate(cli.config.as_deref());
            crate::daemon::run(&path).await
        }
        Command::Sim { vendor } => {
            match vendor.as_ref() {
                SimVendor::Xtracta(args) => crate::sim::xtracta::run(args.clone()).await?,
                SimVendor::Uipath(args) => crate::sim::uipath::run(args.clone()).await?,
                SimVendor::Learningcloud(args) => {
                    crate::sim::learningcloud::run(args.clone()).await?
                }
            }
            Ok(exit::OK)
        }
        Command::Demo => {
            let path = cli
                .config
                .clone()
                .unwrap_or_else(|| PathBuf::from("examples/demo.yaml"));
            crate::demo::run(&path, &st).await
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn apply(
    loaded: &Loaded,
    st: &Styles,
    yes: bool,
    allow_mass_delete: bool,
) -> anyhow::Result<u8> {
    // Held until the end of this function: one applier per target.
    let mut _locks = Vec::new();
    for name in loaded.config.targets.keys() {
        _locks.push(crate::lock::acquire(&loaded.config.state_dir, name)?);
    }
    let planned = reconcile::plan(loaded, Default::default()).await?;
    print!("{}", render::plan(&planned.plan, st, false));
    if !planned.plan.has_changes() {
        println!("Nothing to apply.");
        return Ok(exit::OK);
    }
    let trips = reconcile::guards(loaded, &planned.plan);
    if !trips.is_empty() && !allow_mass_delete {
        for trip in &trips {
            eprintln!("error: {trip}");
        }
        return Ok(exit::ERROR);
    }
    if !yes && !confirm()? {
        return Ok(exit::ERROR);
    }
    let stop = Stop::default();
    let watcher = tokio::spawn(stop_on_signal(stop.clone()));
    let reports = reconcile::apply(loaded, &planned, &stop).await;
    watcher.abort();
    let mut ok = true;
    for r in &reports {
        print!("{}", render::report(r, st));
        ok &= r.ok();
    }
    if stop.requested() {
        eprintln!(
            "stopped by a signal: changes not started are listed above; run apply again to finish"
        );
    }
    Ok(if ok { exit::OK } else { exit::ERROR })
}

/// Asks on the terminal; refuses when there is none.
fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "error: refusing to apply without confirmation: stdin is not a terminal (pass --yes)"
        );
        return Ok(false);
    }
    eprint!("Apply these changes? Only 'yes' is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        eprintln!("Apply cancelled; nothing was changed.");
        Ok(false)
    }
}

/// On SIGINT or SIGTERM, lets in-flight requests finish and starts nothing new.
pub async fn stop_on_signal(stop: Stop) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("stopping: letting in-flight requests finish, starting nothing new");
    stop.request();
}
