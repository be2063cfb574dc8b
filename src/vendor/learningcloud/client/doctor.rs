//! learningCloud's checks for `roster doctor`: the token is accepted, how `startIndex` counts
//! (told from pages of two users, so that even a small tenant tells), the extended fields the
//! manifests set exist at the vendor, and with a write probe (`probe`) how PUT and roles
//! behave. Also how the client reads the saved findings when it connects.
//!
//! Read-only except for the probe; never shows the token.

use std::collections::BTreeSet;

use super::paging::Counting;
use super::wire::Listed;
use super::{LearningCloud, probe};
use crate::model::{DesiredUser, Value};
use crate::vendor::ProviderError;
use crate::vendor::doctor::{AUTH, Check, Diagnosis, Findings, Probe};
use crate::vendor::learningcloud::names;

/// The page size doctor tells the counting with.
const SMALL: usize = 2;

pub(crate) const PAGING: &str = "paging";
pub(crate) const PUT: &str = "put";

impl LearningCloud {
    pub(crate) async fn doctor(&self, probe: Probe<'_>) -> Diagnosis {
        let mut d = Diagnosis::default();
        let first = match self.page(0, SMALL).await {
            Ok(page) => {
                d.checks.push(Check::ok(
                    AUTH,
                    "the token is accepted (X-Cloud-Auth-Token)",
                ));
                page
            }
            Err(e) => {
                d.checks.push(refused(&e));
                return d;
            }
        };
        self.paging(&first, probe.saved, &mut d).await;
        d.checks.extend(extended_fields(&first, probe.desired));
        if probe.write {
            probe::run(self, &mut d).await;
        }
        d
    }

    async fn paging(&self, first: &[Listed], saved: &Findings, d: &mut Diagnosis) {
        if first.len() < SMALL {
            d.checks.push(Check::ok(
                PAGING,
                "fewer than two users: how startIndex counts cannot be told yet (roster tells on every list longer than a page)",
            ));
            return;
        }
        let ids: Vec<String> = first.iter().map(|u| u.user.id.trim().to_string()).collect();
        match self.tell(&ids, SMALL).await {
            Ok((counting, _, _)) => {
                d.findings.insert(PAGING.into(), counting.name());
                let was = saved.get(PAGING).and_then(|f| Counting::parse(&f.value));
                let detail = format!("{counting}, told from the pages at startIndex 0, 1 and 2");
                d.checks.push(match was {
                    Some(was) if was != counting => Check::warn(
                        PAGING,
                        format!("{detail}; when doctor last ran, {was}"),
                        "nothing to change in roster, which tells on every list; the vendor changed its paging",
                    ),
                    _ => Check::ok(PAGING, detail),
                });
            }
            Err(e) => d.checks.push(Check::fail(
                PAGING,
                e.to_string(),
                "roster cannot list this tenant reliably: report the answers to Netex",
            )),
        }
    }

    /// Logs what earlier doctor runs found and the strategy the client takes either way.
    pub(crate) fn confirm(&self, target: &str, saved: &Findings) {
        if let Some(f) = saved.get(PUT) {
            let reading = if f.value == "replaces" {
                "PUT replaces the whole record"
            } else {
                "PUT merges into the record"
            };
            tracing::info!(
                target = target,
                "learningcloud: doctor found on {} that {reading}; updates send the whole record as listed, right either way",
                f.at
            );
        }
        if let Some(c) = saved.get(PAGING).and_then(|f| Counting::parse(&f.value)) {
            tracing::info!(
                target = target,
                "learningcloud: doctor found that {c}; every list longer than a page tells it again"
            );
            *self.expected.lock().unwrap_or_else(|e| e.into_inner()) = Some(c);
        }
    }
}

/// The auth check for an answer that did not come.
fn refused(e: &ProviderError) -> Check {
    let fix = match e {
        ProviderError::Vendor { status: 401, .. } => {
            "check `token`: an administrator's token from \"Your account\"; it is sent as X-Cloud-Auth-Token"
        }
        ProviderError::Vendor { status: 404, .. } => {
            "check `url`: it must end in /integration/ws/management/rest"
        }
        _ => "see the message, and the checks above",
    };
    Check::fail(AUTH, e.to_string(), fix)
}

/// The extended fields the manifests set against those the vendor shows (every configured
/// key, null when unset), when a user is there to show them.
fn extended_fields(first: &[Listed], desired: &[DesiredUser]) -> Vec<Check> {
    let wanted: BTreeSet<&str> = desired
        .iter()
        .filter_map(|d| match d.fields.get(names::EXTENDED_FIELDS) {
            Some(Value::Map(m)) => Some(m.keys().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let Some(user) = first.first() else {
        return vec![Check::ok(
            "extended fields",
            "no user to read the configured extended fields from",
        )];
    };
    let configured: BTreeSet<String> = user
        .user
        .extended_fields
        .as_ref()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|k| !configured.contains(*k))
        .collect();
    if missing.is_empty() {
        return vec![Check::ok(
            "extended fields",
            format!(
                "every extended field the manifests set exists: {}",
                join(&wanted)
            ),
        )];
    }
    let has: Vec<&str> = configured.iter().map(String::as_str).collect();
    vec![Check::fail(
        "extended fields",
        format!(
            "the manifests set extended fields the tenant does not have: {} (it has: {})",
            missing.join(", "),
            has.join(", ")
        ),
        "configure the fields in learningCloud, or fix the manifests",
    )]
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}
