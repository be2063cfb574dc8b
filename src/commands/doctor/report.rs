//! Doctor's output: a table of checks per target with `ok` / `warn` / `fail` and, under each
//! warn and fail, what to do; the same as a markdown table; or JSON, each check an object.
//! Every detail is outside text (vendor words, error messages) and is escaped as plan output
//! is, e-mail addresses masked with `--redact`.
//!
//! Pure: checks in, text out.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use crate::render::escape;
use crate::vendor::doctor::{Check, Status};

/// Every check of a run: `None` for the run's own (the config), else the target's name.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub checks: Vec<(Option<String>, Check)>,
    /// Per target: what it says about itself in its header (`<provider>, host`).
    pub headers: BTreeMap<String, String>,
    pub findings: BTreeMap<String, BTreeMap<String, String>>,
}

impl Report {
    pub(super) fn failed(&self) -> bool {
        self.checks.iter().any(|(_, c)| c.status == Status::Fail)
    }

    fn count(&self, status: Status) -> usize {
        self.checks
            .iter()
            .filter(|(_, c)| c.status == status)
            .count()
    }

    fn summary(&self) -> String {
        format!(
            "Doctor: {} ok, {} warn, {} fail.",
            self.count(Status::Ok),
            self.count(Status::Warn),
            self.count(Status::Fail)
        )
    }
}

fn shown(text: &str, redact: bool) -> String {
    let text = escape::text(text).into_owned();
    if redact {
        crate::render::redact::mask_emails(&text)
    } else {
        text
    }
}

pub(super) fn human(r: &Report, redact: bool) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for (target, c) in &r.checks {
        if target.as_deref() != current {
            current = target.as_deref();
            if let Some(t) = current {
                let header = r.headers.get(t).map(String::as_str).unwrap_or_default();
                out.push_str(&format!("\nTarget {} ({header})\n", shown(t, false)));
            }
        }
        let width = 14;
        out.push_str(&format!(
            "  {:<4}  {:<width$} {}\n",
            c.status.word(),
            c.check,
            shown(&c.detail, redact)
        ));
        if let Some(fix) = &c.fix {
            out.push_str(&format!(
                "        {:<width$} → {}\n",
                "",
                shown(fix, redact)
            ));
        }
    }
    out.push('\n');
    out.push_str(&r.summary());
    out.push('\n');
    out
}

fn cell(text: &str, redact: bool) -> String {
    shown(text, redact).replace('|', "\\|")
}

pub(super) fn markdown(r: &Report, redact: bool) -> String {
    let mut out = String::from(
        "| target | check | status | what was seen | what to do |\n|---|---|---|---|---|\n",
    );
    for (target, c) in &r.checks {
        out.push_str(&format!(
            "| {} | {} | **{}** | {} | {} |\n",
            cell(target.as_deref().unwrap_or("(all)"), false),
            cell(&c.check, false),
            c.status.word(),
            cell(&c.detail, redact),
            c.fix
                .as_deref()
                .map(|f| cell(f, redact))
                .unwrap_or_default()
        ));
    }
    out.push('\n');
    out.push_str(&r.summary());
    out.push('\n');
    out
}

pub(super) fn json(r: &Report, redact: bool) -> String {
    let checks: Vec<serde_json::Value> = r
        .checks
        .iter()
        .map(|(target, c)| {
            json!({
                "target": target,
                "check": c.check,
                "status": c.status,
                "detail": shown(&c.detail, redact),
                "fix": c.fix.as_deref().map(|f| shown(f, redact)),
            })
        })
        .collect();
    let doc = json!({
        "format_version": 1,
        "kind": "doctor",
        "ok": !r.failed(),
        "checks": checks,
        "findings": r.findings,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `0.4 ms`, `12 ms`, `4.2 s`, `42 s`, `3 min 12 s`, `2 h 5 min`.
pub(crate) fn duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    let s = d.as_secs();
    if ms < 1.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{} ms", ms.round() as u64)
    } else if ms < 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            checks: vec![
                (None, Check::ok("config", "valid")),
                (
                    Some("acme".into()),
                    Check::fail(
                        "auth",
                        "bad key for a@b.example|x\u{1b}[31m",
                        "check `api_key`",
                    ),
                ),
            ],
            headers: BTreeMap::from([("acme".into(), "somevendor, h".into())]),
            findings: BTreeMap::new(),
        }
    }

    #[test]
    fn durations_read_as_written() {
        let ms = Duration::from_millis;
        assert_eq!(duration(Duration::from_micros(400)), "0.4 ms");
        assert_eq!(duration(ms(12)), "12 ms");
        assert_eq!(duration(ms(4200)), "4.2 s");
        assert_eq!(duration(ms(42_000)), "42 s");
        assert_eq!(duration(ms(192_000)), "3 min 12 s");
        assert_eq!(duration(ms(7_500_000)), "2 h 5 min");
    }

    #[test]
    fn every_format_escapes_and_says_what_to_do() {
        let r = report();
        assert!(r.failed());
        let text = human(&r, false);
        assert!(
            text.contains("  fail  auth           bad key for a@b.example|x\\e[31m"),
            "{text}"
        );
        assert!(text.contains("→ check `api_key`"), "{text}");
        assert!(text.ends_with("Doctor: 1 ok, 0 warn, 1 fail.\n"), "{text}");
        assert!(!human(&r, true).contains("a@b.example"));
        let md = markdown(&r, false);
        assert!(
            md.contains(
                "| acme | auth | **fail** | bad key for a@b.example\\|x\\e[31m | check `api_key` |"
            ),
            "{md}"
        );
        let doc: serde_json::Value = serde_json::from_str(&json(&r, false)).unwrap();
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["checks"][1]["status"], "fail");
        assert_eq!(doc["checks"][0]["target"], serde_json::Value::Null);
    }
}
