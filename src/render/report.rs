//! An apply report as text: every change with how it ended, then a count. Outside text (the
//! change's user, the vendor's error) goes through [`super::escape`].
//!
//! Must not: redact (the caller passes a redacted report, see `redact::report`).

use std::fmt::Write;

use crate::apply::{Outcome, Report};

use super::Styles;
use super::escape::text;

/// An apply report as text: each change with how it ended, then a count.
pub fn report(r: &Report, st: &Styles) -> String {
    let mut out = String::new();
    for s in &r.steps {
        let change = text(&s.change);
        let _ = match &s.outcome {
            Outcome::Done => writeln!(out, "  {} {change}", st.add("done")),
            Outcome::Accepted(note) => writeln!(
                out,
                "  {} {change}: {}",
                st.chg("accepted, not yet confirmed"),
                text(note)
            ),
            Outcome::Failed(why) => {
                writeln!(out, "  {} {change}: {}", st.del("FAILED"), text(why))
            }
            Outcome::NotStarted => writeln!(out, "  {} {change}", st.chg("not started")),
        };
    }
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!(
            "Apply {}: {} done, {}{} failed, {} not started.",
            text(&r.target),
            r.done(),
            match r.accepted() {
                0 => String::new(),
                n => format!("{n} accepted but not yet confirmed, "),
            },
            r.failed(),
            r.not_started()
        ))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::Step;

    #[test]
    fn vendor_text_is_escaped() {
        let r = Report {
            target: "acme".into(),
            steps: vec![Step {
                change: "create a\u{1b}]0;pwned\u{7}@example.com".into(),
                kind: crate::apply::ChangeKind::Create,
                error: None,
                outcome: Outcome::Failed("vendor said \u{1b}[2J".into()),
            }],
            denied: None,
        };
        let text = report(&r, &Styles::colored(false));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("FAILED create a\\e]0;pwned\\x07@example.com: vendor said \\e[2J"));
    }
}
