//! The bodies of the one-shot commands, each returning an exit code. Shared here: how output
//! is rendered (human, JSON, markdown; redacted or not) and how input is loaded.
//!
//! Data goes to stdout; prompts, warnings and errors to stderr.

pub mod apply;
pub mod docs;
pub mod doctor;
pub mod import;
pub mod plan;
pub mod status;
pub mod validate;

use std::path::{Path, PathBuf};

use crate::apply::Report;
use crate::exit;
use crate::plan::Plan;
use crate::reconcile::{self, Failure, Loaded, Planned};
use crate::render::{self, Fold, Outcome, Styles};

/// How data is written to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Human,
    Json,
    Markdown,
}

/// What every command needs from the global flags.
pub struct Ctx {
    pub config: PathBuf,
    pub styles: Styles,
    pub output: Output,
    pub redact: bool,
    /// `--full`: human output folds nothing.
    pub full: bool,
    /// `--max-bytes`: the markdown output's budget.
    pub max_bytes: usize,
}

impl Ctx {
    /// Loads the config and manifests, printing every problem when they are invalid.
    pub fn load(&self) -> Result<Loaded, u8> {
        reconcile::load(&self.config).map_err(|problems| {
            if self.output == Output::Json {
                print!("{}", render::json::validate(&problems.0, 0, 0, 0));
            }
            eprintln!("{}", render::error_text(&problems.to_string(), self.redact));
            let n = problems.0.len();
            eprintln!("error: {n} problem{} found; nothing was sent", plural(n));
            exit::ERROR
        })
    }

    /// The plan as this run shows it: redacted when asked.
    pub fn shown(&self, plan: &Plan) -> Plan {
        if self.redact {
            render::redact::plan(plan)
        } else {
            plan.clone()
        }
    }

    /// An apply report as this run shows it: redacted when asked (`plan` is the plan applied,
    /// unredacted, which names the users the report's changes are about).
    pub fn shown_report(&self, plan: &Plan, report: &Report) -> Report {
        if self.redact {
            render::redact::report(report, plan)
        } else {
            report.clone()
        }
    }

    /// Failed targets as this run shows them: e-mails in their messages masked when asked.
    pub fn shown_failures(&self, failed: &[Failure]) -> Vec<Failure> {
        if self.redact {
            render::redact::failures(failed)
        } else {
            failed.to_vec()
        }
    }

    /// Each failed target as one `error:` line on stderr.
    pub fn report_failures(&self, failed: &[Failure]) {
        for f in self.shown_failures(failed) {
            eprintln!("error: {}", render::error_text(&f.to_string(), false));
        }
    }

    /// Renders a plan in the chosen format; `saved` is the plan's file, when there is one.
    pub fn render_plan(&self, plan: &Plan, show_ignored: bool, saved: Option<&Path>) -> String {
        self.render_planned(&Outcome::planned(plan), show_ignored, saved)
    }

    /// Renders a run's outcome (its plans, failed and skipped targets) in the chosen format.
    pub fn render_run(
        &self,
        planned: &Planned,
        show_ignored: bool,
        saved: Option<&Path>,
    ) -> String {
        self.render_planned(
            &Outcome {
                plan: &planned.plan,
                failed: &planned.failed,
                skipped: &planned.skipped,
            },
            show_ignored,
            saved,
        )
    }

    fn render_planned(&self, o: &Outcome, show_ignored: bool, saved: Option<&Path>) -> String {
        let shown = self.shown(o.plan);
        let failed = self.shown_failures(o.failed);
        let o = Outcome {
            plan: &shown,
            failed: &failed,
            skipped: o.skipped,
        };
        let opts = render::Options {
            show_ignored,
            fold: if self.full {
                Fold::FULL
            } else {
                Fold::default()
            },
            saved: saved.map(|p| p.display().to_string()),
        };
        match self.output {
            Output::Human => render::outcome(&o, &self.styles, &opts),
            Output::Json => render::json::plan_outcome(&o),
            // `--full` asks for everything, whatever the budget.
            Output::Markdown => {
                let max = if self.full {
                    usize::MAX
                } else {
                    self.max_bytes
                };
                render::markdown::plan_outcome(&o, &opts, max)
            }
        }
    }
}

/// Asks `question` on the terminal and goes on only on a literal `yes`; refuses `action`
/// without a terminal (`--yes` is the way then), and says `cancelled` on any other answer.
pub(crate) fn ask_yes(action: &str, question: &str, cancelled: &str) -> anyhow::Result<bool> {
    use std::io::{IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "error: refusing {action} without confirmation: stdin is not a terminal (pass --yes)"
        );
        return Ok(false);
    }
    eprint!("{question} Only 'yes' is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        eprintln!("{cancelled}");
        Ok(false)
    }
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The config path from the flag, `$ROSTER_CONFIG` or the default.
pub fn config_path(flag: Option<&Path>) -> PathBuf {
    crate::config::locate(flag)
}
