//! Renders plans and apply reports for people: per target, creates, updates as one line per
//! changed field (`~ name: "Bo" → "Bo Chen"`), membership joins and leaves, removals, and a
//! summary line. Long sections fold (see [`fold`]); removals of access never do. Colour comes
//! from a [`Styles`] value chosen by the caller; nothing here tests for a terminal. Outside text
//! is escaped (see [`escape`]); secrets show as `(sensitive)`. Every renderer is pure: a plan
//! in, a string out.
//!
//! Complexity: O(k + u) in the changes and unmanaged users of the plan.

mod entries;
pub(crate) mod escape;
mod expiry;
pub mod fold;
mod human;
pub mod json;
pub mod markdown;
pub mod redact;
mod report;
mod styles;
mod value;

pub use fold::Fold;
pub use human::host_label;
pub use report::report;
pub use styles::Styles;

use crate::plan::{Plan, TargetPlan};
use crate::reconcile::{Failure, Skipped};

/// What one run found: the plans of the targets it planned, the targets that failed, and the
/// targets it left alone. Every renderer of a run takes one; each list is in target-name order.
#[derive(Clone, Copy, Debug)]
pub struct Outcome<'a> {
    pub plan: &'a Plan,
    pub failed: &'a [Failure],
    pub skipped: &'a [Skipped],
}

impl<'a> Outcome<'a> {
    /// A run in which every target was planned.
    pub fn planned(plan: &'a Plan) -> Self {
        Outcome {
            plan,
            failed: &[],
            skipped: &[],
        }
    }
}

/// A planned target or a failed one, for output in target-name order.
pub(crate) enum Entry<'a> {
    Planned(&'a TargetPlan),
    Failed(&'a Failure),
}

/// The planned and the failed targets, merged by name.
pub(crate) fn entries<'a>(o: &Outcome<'a>) -> Vec<(&'a str, Entry<'a>)> {
    let mut all: Vec<(&str, Entry)> = o
        .plan
        .targets
        .iter()
        .map(|t| (t.target.as_str(), Entry::Planned(t)))
        .chain(
            o.failed
                .iter()
                .map(|f| (f.target.as_str(), Entry::Failed(f))),
        )
        .collect();
    all.sort_by(|a, b| a.0.cmp(b.0));
    all
}

/// `1 of 3 targets failed: dead.`; `None` when no target failed.
pub(crate) fn failed_line(o: &Outcome) -> Option<String> {
    let total = o.plan.targets.len() + o.failed.len();
    if o.failed.is_empty() {
        return None;
    }
    let names: Vec<&str> = o.failed.iter().map(|f| f.target.as_str()).collect();
    Some(format!(
        "{} of {total} target{} failed: {}.",
        o.failed.len(),
        if total == 1 { "" } else { "s" },
        escape::text(&names.join(", "))
    ))
}

/// `Skipped (not selected): b, c.`, one line per reason; empty when nothing was skipped.
pub(crate) fn skipped_lines(o: &Outcome) -> String {
    let mut out = String::new();
    let mut reasons: Vec<&str> = o.skipped.iter().map(|s| s.reason.as_str()).collect();
    reasons.sort_unstable();
    reasons.dedup();
    for reason in reasons {
        let names: Vec<&str> = o
            .skipped
            .iter()
            .filter(|s| s.reason == reason)
            .map(|s| s.target.as_str())
            .collect();
        out.push_str(&format!(
            "Skipped ({}): {}.\n",
            escape::text(reason),
            escape::text(&names.join(", "))
        ));
    }
    out
}

/// What the renderers need besides the plan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Also show differences in ignored fields.
    pub show_ignored: bool,
    /// How much of long sections the human output shows.
    pub fold: Fold,
    /// The saved plan's file (`plan --out FILE`, `apply FILE`), named where folded changes
    /// can be read in full.
    pub saved: Option<String>,
}

/// Free text for stderr (an error with its causes, a list of problems): every line escaped as
/// plan output is, and e-mail addresses masked when `redact` is set.
pub fn error_text(s: &str, redact: bool) -> String {
    let s = escape::lines(s);
    if redact { redact::mask_emails(&s) } else { s }
}

/// The summary line for a set of target plans.
pub fn summary(targets: &[TargetPlan]) -> String {
    crate::plan::Summary::of(targets).line()
}

/// A failed target's block: its name, vendor, host and port, and the error.
pub fn failed(f: &Failure, st: &Styles) -> String {
    human::failed_target(f, st)
}

/// The whole plan as text, long sections folded as by default.
pub fn plan(p: &Plan, st: &Styles, show_ignored: bool) -> String {
    plan_with(
        p,
        st,
        &Options {
            show_ignored,
            ..Options::default()
        },
    )
}

/// The whole plan as text.
pub fn plan_with(p: &Plan, st: &Styles, opts: &Options) -> String {
    outcome(&Outcome::planned(p), st, opts)
}

/// A run as text: each target's plan or failure in name order, the summary line, then the
/// failed and skipped targets.
pub fn outcome(o: &Outcome, st: &Styles, opts: &Options) -> String {
    let hint = match &opts.saved {
        Some(file) => format!(
            "run with --full, or see the saved plan {}",
            escape::text(file)
        ),
        None => "run with --full, or see the saved plan (plan --out FILE)".to_string(),
    };
    let layout = human::Layout {
        fold: opts.fold,
        compact: false,
        show_ignored: opts.show_ignored,
        hint: &hint,
    };
    let mut out = String::new();
    for (_, entry) in entries(o) {
        match entry {
            Entry::Planned(t) => {
                human::target(&mut out, t, st, &layout);
            }
            Entry::Failed(f) => out.push_str(&human::failed_target(f, st)),
        }
    }
    // A summary of nothing would read as "no changes" when no target could be planned.
    if !o.plan.targets.is_empty() || o.failed.is_empty() {
        out.push_str(&st.bold(&summary(&o.plan.targets)));
        out.push('\n');
    }
    if let Some(line) = failed_line(o) {
        out.push_str(&st.del(&line));
        out.push('\n');
    }
    for line in skipped_lines(o).lines() {
        out.push_str(&st.dim(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::{ErrorKind, Stage, TargetError};

    fn planned(name: &str) -> TargetPlan {
        TargetPlan {
            target: name.into(),
            provider: "vendor".into(),
            ..TargetPlan::default()
        }
    }

    fn failed(name: &str, message: &str) -> Failure {
        Failure {
            target: name.into(),
            provider: "vendor".into(),
            host: Some("api.example".into()),
            error: TargetError {
                kind: ErrorKind::Unreachable,
                stage: Stage::Fetch,
                endpoint: Some("/users".into()),
                host: Some("api.example".into()),
                port: Some(443),
                status: None,
                message: message.into(),
            },
        }
    }

    fn skipped(name: &str) -> Skipped {
        Skipped {
            target: name.into(),
            provider: "vendor".into(),
            host: None,
            reason: "not selected".into(),
        }
    }

    fn outcome_of<'a>(
        plan: &'a Plan,
        failed: &'a [Failure],
        skipped: &'a [Skipped],
    ) -> Outcome<'a> {
        Outcome {
            plan,
            failed,
            skipped,
        }
    }

    #[test]
    fn targets_come_in_name_order_planned_or_failed_then_the_failed_and_skipped_lines() {
        let plan = Plan {
            targets: vec![planned("a"), planned("c")],
        };
        let failed = [failed("b", "connection failed")];
        let skipped = [skipped("d"), skipped("e")];
        let text = outcome(
            &outcome_of(&plan, &failed, &skipped),
            &Styles::colored(false),
            &Options::default(),
        );
        let a = text.find("Target a (").unwrap();
        let b = text
            .find("Target b (vendor, api.example:443): failed")
            .unwrap();
        let c = text.find("Target c (").unwrap();
        assert!(a < b && b < c, "{text}");
        assert!(
            text.contains("  ! error: fetch users: /users: connection failed\n"),
            "{text}"
        );
        assert!(
            text.ends_with("1 of 3 targets failed: b.\nSkipped (not selected): d, e.\n"),
            "{text}"
        );
    }

    #[test]
    fn when_every_target_failed_no_summary_reads_as_no_changes() {
        let plan = Plan::default();
        let failed = [failed("b", "connection failed")];
        let text = outcome(
            &outcome_of(&plan, &failed, &[]),
            &Styles::colored(false),
            &Options::default(),
        );
        assert!(!text.contains("Plan:"), "{text}");
        assert!(text.contains("1 of 1 target failed: b."), "{text}");
    }

    #[test]
    fn json_gives_every_target_a_status_in_name_order() {
        let plan = Plan {
            targets: vec![planned("c")],
        };
        let failed = [failed("a", "connection failed")];
        let skipped = [skipped("b")];
        let doc: serde_json::Value =
            serde_json::from_str(&json::plan_outcome(&outcome_of(&plan, &failed, &skipped)))
                .unwrap();
        let statuses: Vec<(&str, &str)> = doc["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["target"].as_str().unwrap(), t["status"].as_str().unwrap()))
            .collect();
        assert_eq!(statuses, [("a", "failed"), ("b", "skipped"), ("c", "ok")]);
        assert_eq!(doc["failed"], 1);
        assert_eq!(doc["targets"][0]["error"]["kind"], "unreachable");
        assert_eq!(doc["targets"][0]["error"]["port"], 443);
        assert_eq!(doc["targets"][1]["reason"], "not selected");
        assert_eq!(doc["targets"][2]["in_scope"], 0);
        let applied: serde_json::Value = serde_json::from_str(&json::apply_outcome(
            &outcome_of(&plan, &failed, &skipped),
            &[],
        ))
        .unwrap();
        assert_eq!(applied["ok"], false, "a failed target is not ok");
    }

    #[test]
    fn markdown_lists_failed_targets_with_host_and_escaped_error() {
        let plan = Plan {
            targets: vec![planned("a")],
        };
        let failed = [failed("b", "answer `x` | <b>")];
        let md = markdown::plan_outcome(
            &outcome_of(&plan, &failed, &[]),
            &Options::default(),
            65_000,
        );
        assert!(md.contains("**1 of 2 targets failed: b.**"), "{md}");
        assert!(
            md.contains(
                "- `b` (vendor, `api.example:443`): ``fetch users: /users: answer `x` | <b>``"
            ),
            "{md}"
        );
    }
}
