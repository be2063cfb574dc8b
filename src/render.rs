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
    for t in &p.targets {
        human::target(&mut out, t, st, &layout);
    }
    out.push_str(&st.bold(&summary(&p.targets)));
    out.push('\n');
    out
}
