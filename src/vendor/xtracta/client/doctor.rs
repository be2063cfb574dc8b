//! Xtracta's checks for `roster doctor`: the API key is accepted, which group a list with
//! neither filter shows (the key's own group, which roster never relies on), the workflows
//! the manifests name exist, and with a write probe (`probe`) how updates and workflow
//! membership behave. Also how the client reads the saved findings when it connects.
//!
//! Read-only except for the probe; never shows the key.

use std::collections::BTreeSet;

use super::{LIST, Xtracta, probe};
use crate::model::{DesiredUser, Value};
use crate::vendor::ProviderError;
use crate::vendor::doctor::{AUTH, Check, Diagnosis, Findings, Probe};
use crate::vendor::http::Repeat;
use crate::vendor::xtracta::names;

pub(crate) const KEY_GROUP: &str = "key_group";
/// The most workflows doctor asks about, one request each.
const MAX_WORKFLOWS: usize = 20;

impl Xtracta {
    pub(crate) async fn doctor(&self, probe: Probe<'_>) -> Diagnosis {
        let mut d = Diagnosis::default();
        let unfiltered = self
            .post(LIST, "user_response", Repeat::Safe, Vec::new())
            .await;
        let key_group = match unfiltered {
            Ok(users) => {
                let groups: BTreeSet<String> = users
                    .iter()
                    .filter_map(|u| u.primary_group_id.as_deref())
                    .map(|g| g.trim().to_string())
                    .collect();
                Ok((users.len(), groups))
            }
            Err(e)
                if matches!(
                    e,
                    ProviderError::Vendor {
                        status: 401 | 403,
                        ..
                    } | ProviderError::Transport { .. }
                ) =>
            {
                let fix = if matches!(e, ProviderError::Vendor { .. }) {
                    "check `api_key`: the key of the Xtracta account roster manages"
                } else {
                    "see the checks above"
                };
                d.checks.push(Check::fail(AUTH, e.to_string(), fix));
                return d;
            }
            Err(e) => Err(e),
        };
        d.checks.push(Check::ok(AUTH, "the API key is accepted"));
        d.checks.push(self.key_group(key_group, &mut d.findings));
        d.checks.extend(self.workflows(probe.desired).await);
        if probe.write {
            probe::run(self, probe.desired, &mut d).await;
        }
        d
    }

    fn key_group(
        &self,
        listed: Result<(usize, BTreeSet<String>), ProviderError>,
        findings: &mut std::collections::BTreeMap<String, String>,
    ) -> Check {
        let ours = self.group_id.to_string();
        let (n, groups) = match listed {
            Ok(x) => x,
            Err(e) => {
                findings.insert(KEY_GROUP.into(), "refused".into());
                return Check::ok(
                    "key group",
                    format!(
                        "a list with neither group_id nor workflow_id is refused ({e}); roster always names its group, so this does not matter"
                    ),
                );
            }
        };
        let shown: Vec<&str> = groups.iter().map(String::as_str).collect();
        let value = if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(",")
        };
        findings.insert(KEY_GROUP.into(), value);
        let whose = if shown == [ours.as_str()] {
            format!("the target's group_id {ours}")
        } else {
            format!(
                "not the target's group_id {ours}; roster names its group on every add and list, so this does not matter"
            )
        };
        let detail = match shown.as_slice() {
            [] => format!(
                "a list with neither filter shows no users: the key's own group is empty or unknown (roster names group_id {ours} on every add and list)"
            ),
            _ => format!(
                "a list with neither filter shows {n} user{} of group {} ({whose})",
                if n == 1 { "" } else { "s" },
                shown.join(", ")
            ),
        };
        Check::ok("key group", detail)
    }

    /// Each workflow the manifests name, listed once: an unknown one is refused.
    async fn workflows(&self, desired: &[DesiredUser]) -> Vec<Check> {
        let named: BTreeSet<&str> = desired
            .iter()
            .filter_map(|d| d.fields.get(names::WORKFLOWS).and_then(Value::as_set))
            .flatten()
            .map(String::as_str)
            .collect();
        if named.is_empty() {
            return Vec::new();
        }
        let mut missing = Vec::new();
        for wf in named.iter().take(MAX_WORKFLOWS) {
            match self.list("workflow_id", wf).await {
                Ok(_) => {}
                Err(ProviderError::Vendor {
                    status, message, ..
                }) if (400..500).contains(&status) => {
                    missing.push(format!("{wf} ({message})"));
                }
                Err(e) => {
                    return vec![Check::fail("workflows", e.to_string(), "see the message")];
                }
            }
        }
        let checked = named.len().min(MAX_WORKFLOWS);
        let of = if named.len() > MAX_WORKFLOWS {
            format!(" (the first {MAX_WORKFLOWS} of {})", named.len())
        } else {
            String::new()
        };
        if missing.is_empty() {
            return vec![Check::ok(
                "workflows",
                if checked == 1 {
                    format!("the workflow the manifests name exists{of}")
                } else {
                    format!("the {checked} workflows the manifests name exist{of}")
                },
            )];
        }
        vec![Check::fail(
            "workflows",
            format!(
                "workflows the manifests name are refused: {}",
                missing.join("; ")
            ),
            "fix the manifests, or create the workflows in Xtracta",
        )]
    }

    /// Logs what earlier doctor runs found and that roster does not depend on it.
    pub(crate) fn confirm(&self, target: &str, saved: &Findings) {
        if let Some(f) = saved.get(KEY_GROUP) {
            tracing::info!(
                target = target,
                "xtracta: doctor found on {} that a list without a filter shows group {}; roster names group_id {} on every add and list",
                f.at,
                f.value,
                self.group_id
            );
        }
    }
}
