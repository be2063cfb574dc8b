//! The JSON output contract (`--output json`), versioned by `format_version`.
//!
//! Version 1 documents: `{"format_version": 1, "kind": "validate" | "plan" | "apply", …}`.
//! README lists the fields; additions keep the version, removals or changes bump it.

use serde::Serialize;

use crate::apply::Report;
use crate::diag::Problem;
use crate::plan::{Plan, Summary, TargetPlan};

pub const FORMAT_VERSION: u32 = 1;

/// The document `plan --output json` and `apply --output json` print.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct PlanDoc<'a> {
    format_version: u32,
    kind: &'static str,
    changes_pending: bool,
    summary: Summary,
    targets: &'a [TargetPlan],
    #[serde(skip_serializing_if = "Option::is_none")]
    reports: Option<&'a [Report]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ok: Option<bool>,
}

/// `roster plan --output json`.
pub fn plan(p: &Plan) -> String {
    to_string(&PlanDoc {
        format_version: FORMAT_VERSION,
        kind: "plan",
        changes_pending: p.has_changes(),
        summary: Summary::of(&p.targets),
        targets: &p.targets,
        reports: None,
        ok: None,
    })
}

/// `roster apply --output json`: the plan that was applied and what happened to each change.
pub fn apply(p: &Plan, reports: &[Report]) -> String {
    to_string(&PlanDoc {
        format_version: FORMAT_VERSION,
        kind: "apply",
        changes_pending: p.has_changes(),
        summary: Summary::of(&p.targets),
        targets: &p.targets,
        reports: Some(reports),
        ok: Some(reports.iter().all(Report::ok)),
    })
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
}

/// `roster validate --output json`.
pub fn validate(problems: &[Problem], targets: usize, files: usize, users: usize) -> String {
    validate_warned(problems, &[], targets, files, users)
}

/// `roster validate --output json`, with warnings about valid input.
pub fn validate_warned(
    problems: &[Problem],
    warnings: &[Problem],
    targets: usize,
    files: usize,
    users: usize,
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
    })
}

fn located(ps: &[Problem]) -> Vec<JsonProblem<'_>> {
    ps.iter()
        .map(|p| JsonProblem {
            file: p.origin.as_ref().map(|o| o.file.as_str()),
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
