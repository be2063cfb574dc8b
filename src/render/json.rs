//! The JSON output contract (`--output json`), versioned by `format_version`.
//!
//! Version 1 documents: `{"format_version": 1, "kind": "validate" | "plan" | "apply", …}`.
//! README lists the fields; additions keep the version, removals or changes bump it. Each
//! entry of `targets` has a `status` (added within version 1): `ok` with the target's plan,
//! `failed` with a typed `error`, or `skipped` with a `reason`.

use serde::Serialize;

use crate::apply::Report;
use crate::diag::Problem;
use crate::plan::{Plan, Summary, TargetPlan};
use crate::reconcile::{Failure, Skipped};

use super::{Entry, Outcome};

pub const FORMAT_VERSION: u32 = 1;

/// The document `plan --output json` and `apply --output json` print.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct PlanDoc<'a> {
    format_version: u32,
    kind: &'static str,
    /// Whether a target that was planned has changes to make.
    changes_pending: bool,
    /// The changes of the targets that were planned.
    summary: Summary,
    /// Every target of the config, in name order.
    targets: Vec<TargetDoc<'a>>,
    /// The number of targets that failed.
    failed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    reports: Option<&'a [Report]>,
    /// `apply`: every target was applied and every change ended well.
    #[serde(skip_serializing_if = "Option::is_none")]
    ok: Option<bool>,
}

/// One target of a run.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum TargetDoc<'a> {
    /// Planned: the target's plan.
    Ok(&'a TargetPlan),
    /// Not planned, or refused: why, as a typed error.
    Failed(&'a Failure),
    /// Left alone by this run (`reason`: not selected, not in the saved plan).
    Skipped(&'a Skipped),
}

fn doc<'a>(kind: &'static str, o: &Outcome<'a>, reports: Option<&'a [Report]>) -> PlanDoc<'a> {
    let mut targets: Vec<(&str, TargetDoc)> = super::entries(o)
        .into_iter()
        .map(|(name, e)| match e {
            Entry::Planned(t) => (name, TargetDoc::Ok(t)),
            Entry::Failed(f) => (name, TargetDoc::Failed(f)),
        })
        .chain(
            o.skipped
                .iter()
                .map(|s| (s.target.as_str(), TargetDoc::Skipped(s))),
        )
        .collect();
    targets.sort_by(|a, b| a.0.cmp(b.0));
    PlanDoc {
        format_version: FORMAT_VERSION,
        kind,
        changes_pending: o.plan.has_changes(),
        summary: Summary::of(&o.plan.targets),
        targets: targets.into_iter().map(|(_, d)| d).collect(),
        failed: o.failed.len(),
        reports,
        ok: reports.map(|r| o.failed.is_empty() && r.iter().all(Report::ok)),
    }
}

/// `roster plan --output json`, every target planned.
pub fn plan(p: &Plan) -> String {
    plan_outcome(&Outcome::planned(p))
}

/// `roster plan --output json`.
pub fn plan_outcome(o: &Outcome) -> String {
    to_string(&doc("plan", o, None))
}

/// `roster apply --output json`, every target planned: the plan that was applied and what
/// happened to each change.
pub fn apply(p: &Plan, reports: &[Report]) -> String {
    apply_outcome(&Outcome::planned(p), reports)
}

/// `roster apply --output json`: the plan applied, the failed targets, and each change.
pub fn apply_outcome(o: &Outcome, reports: &[Report]) -> String {
    to_string(&doc("apply", o, Some(reports)))
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct JsonProblem<'a> {
    file: Option<&'a str>,
    line: Option<u64>,
    column: Option<u64>,
    message: &'a str,
}

/// The document `validate --output json` prints.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ValidateDoc<'a> {
    format_version: u32,
    kind: &'static str,
    valid: bool,
    problems: Vec<JsonProblem<'a>>,
    /// What is valid but worth a look: an `expires` already past, and what apply will do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<JsonProblem<'a>>,
    targets: usize,
    files: usize,
    users: usize,
    /// The targets `--target` selected (every target was validated all the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    selected: Option<&'a [String]>,
}

/// `roster validate --output json`.
pub fn validate(problems: &[Problem], targets: usize, files: usize, users: usize) -> String {
    validate_selected(problems, &[], targets, files, users, None)
}

/// `roster validate [--target NAME] --output json`: as [`validate`], with warnings about
/// valid input, naming the selection.
pub fn validate_selected(
    problems: &[Problem],
    warnings: &[Problem],
    targets: usize,
    files: usize,
    users: usize,
    selected: Option<&[String]>,
) -> String {
    to_string(&ValidateDoc {
        format_version: FORMAT_VERSION,
        kind: "validate",
        valid: problems.is_empty(),
        problems: located(problems),
        warnings: located(warnings),
        targets,
        files,
        users,
        selected,
    })
}

fn located(ps: &[Problem]) -> Vec<JsonProblem<'_>> {
    ps.iter()
        .map(|p| JsonProblem {
            file: p.origin.as_ref().map(|o| &*o.file),
            line: p.origin.as_ref().map(|o| o.line),
            column: p.origin.as_ref().map(|o| o.column),
            message: &p.message,
        })
        .collect()
}

fn to_string<T: Serialize>(v: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
