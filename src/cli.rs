//! Command-line interface: clap types, and turning a command into an exit code.
//!
//! Data goes to stdout; logs, prompts and errors to stderr. Exit codes come from [`crate::exit`].

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{self, Ctx, Output};
use crate::exit;
use crate::render::Styles;

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
    /// Output format for validate, plan and apply
    #[arg(long, value_enum, default_value_t = Output::Human, global = true)]
    pub output: Output,
    /// Mask personal data (e-mails, names) in plan and apply output, for public CI logs
    #[arg(long, global = true)]
    pub redact: bool,
    /// Show every change of a long plan (human output folds sections of over 50; markdown keeps to --max-bytes)
    #[arg(long, global = true)]
    pub full: bool,
    /// Most bytes markdown output may take; long sections fold first, removals of access never
    #[arg(long, value_name = "N", default_value_t = crate::render::markdown::MAX_BYTES, global = true)]
    pub max_bytes: usize,
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
    Validate {
        /// Check that these targets exist and report them (every target is validated)
        #[arg(long = "target", value_name = "NAME")]
        targets: Vec<String>,
    },
    /// Show what would change
    Plan {
        /// Exit 0 when nothing would change, 2 when changes are pending, 1 when any target failed
        #[arg(long)]
        detailed_exitcode: bool,
        /// Also show differences in ignored fields
        #[arg(long)]
        show_ignored: bool,
        /// Save the plan to FILE (mode 0600, no secrets) for `roster apply FILE`
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Plan only this target (repeatable) [default: every target]
        #[arg(long = "target", value_name = "NAME")]
        targets: Vec<String>,
        /// Targets fetched and planned at once [default: the config's parallel_targets, else 4]
        #[arg(long, value_name = "N", value_parser = parallel)]
        parallel: Option<usize>,
    },
    /// Make the vendors match the manifests, or apply exactly a saved plan
    Apply {
        /// A plan saved by `roster plan --out FILE`: applied as it is, without asking again
        #[arg(value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
        /// Allow a plan that removes more users than the guards allow
        #[arg(long)]
        allow_mass_delete: bool,
        /// Apply only this target (repeatable) [default: every target; a saved plan names its own]
        #[arg(long = "target", value_name = "NAME", conflicts_with = "plan")]
        targets: Vec<String>,
        /// Targets planned and applied at once [default: the config's parallel_targets, else 4]
        #[arg(long, value_name = "N", value_parser = parallel)]
        parallel: Option<usize>,
    },
    /// Write targets' live users as manifests, `<target>.yaml` each (adopt existing accounts)
    Import {
        /// The target to import (repeatable)
        #[arg(long = "target", value_name = "NAME", required = true)]
        targets: Vec<String>,
        /// Folder to write `<target>.yaml` into [default: the config's manifests folder]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Check each target before a first real run: network, TLS, clock, credentials, rights, paging, an estimate
    Doctor {
        /// Only these targets (repeatable) [default: every target]
        #[arg(long = "target", value_name = "NAME")]
        targets: Vec<String>,
        /// Also create, change and remove one canary user per target, to learn how the vendor writes
        #[arg(long)]
        write_probe: bool,
        /// With --write-probe: do not ask for confirmation
        #[arg(long, requires = "write_probe")]
        yes: bool,
    },
    /// Reconcile continuously: on start-up, file changes, the schedule and SIGHUP
    Daemon,
    /// Show who may apply each target now (etcd owners, or this host's file locks); read-only
    Status,
    /// Print the JSON Schema (draft-07) of the config or of a manifest
    Schema {
        #[arg(value_enum)]
        kind: crate::commands::docs::SchemaKind,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Run a vendor simulator on loopback
    Sim {
        #[command(subcommand)]
        vendor: Box<crate::sim::SimCommand>,
    },
    /// Plan, apply and plan again against the built-in simulator; no credentials needed
    Demo,
}

/// `--parallel N`: 1 to 256 targets at once, as `parallel_targets` allows.
fn parallel(text: &str) -> Result<usize, String> {
    let max = crate::config::PARALLEL_TARGETS.1;
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {max}")),
    }
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
    let redact = cli.redact;
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let text = crate::render::error_text(&format!("{e:#}"), redact);
            eprintln!("error: {text}");
            ExitCode::from(exit::ERROR)
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let cx = Ctx {
        config: commands::config_path(cli.config.as_deref()),
        styles: styles(cli.color),
        output: cli.output,
        redact: cli.redact,
        full: cli.full,
        max_bytes: cli.max_bytes,
    };
    match &cli.command {
        Command::Validate { targets } => commands::validate::run(&cx, targets),
        Command::Plan {
            detailed_exitcode,
            show_ignored,
            out,
            targets,
            parallel,
        } => {
            let args = commands::plan::Args {
                detailed_exitcode: *detailed_exitcode,
                show_ignored: *show_ignored,
                out: out.as_deref(),
                targets,
                parallel: *parallel,
            };
            commands::plan::run(&cx, args).await
        }
        Command::Apply {
            plan,
            yes,
            allow_mass_delete,
            targets,
            parallel,
        } => {
            let args = commands::apply::Args {
                yes: *yes,
                allow_mass_delete: *allow_mass_delete,
                file: plan.as_deref(),
                targets,
                parallel: *parallel,
            };
            commands::apply::run(&cx, args).await
        }
        Command::Import {
            targets,
            out,
            force,
        } => commands::import::run(&cx, targets, out.as_deref(), *force).await,
        Command::Doctor {
            targets,
            write_probe,
            yes,
        } => commands::doctor::run(&cx, targets, *write_probe, *yes).await,
        Command::Daemon => crate::daemon::run(&cx.config).await,
        Command::Status => commands::status::run(&cx).await,
        Command::Schema { kind } => Ok(commands::docs::schema(*kind)),
        Command::Completions { shell } => Ok(commands::docs::completions(*shell)),
        Command::Man => commands::docs::man(),
        Command::Sim { vendor } => {
            vendor.run().await?;
            Ok(exit::OK)
        }
        Command::Demo => {
            let path = cli
                .config
                .clone()
                .unwrap_or_else(|| PathBuf::from("examples/demo.yaml"));
            crate::sim::demo::run(&path, &cx.styles).await
        }
    }
}
