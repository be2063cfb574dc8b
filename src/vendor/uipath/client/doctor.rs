//! UiPath's checks for `roster doctor`: a token is obtained and the scopes granted cover
//! reading and writing users and reading groups, the groups list (and how many have no
//! name), paging by `skip` and `totalCount`, and with a write probe (`probe`) how PUT and
//! group changes behave. Also how the client reads the saved findings when it connects.
//!
//! Read-only except for the probe; never shows the token or the client secret.

use reqwest::Method;

use super::rights::Needed;
use super::wire::{self, UserPage};
use super::{EP_USERS, Uipath, probe};
use crate::vendor::ProviderError;
use crate::vendor::doctor::{AUTH, Check, Diagnosis, Findings, Probe};
use crate::vendor::http::Repeat;

pub(crate) const PARTITION_ADMIN: &str = "partition_admin";
pub(crate) const PUT: &str = "put";

impl Uipath {
    pub(crate) async fn doctor(&self, probe: Probe<'_>) -> Diagnosis {
        let mut d = Diagnosis::default();
        if let Err(e) = self.bearer(true).await {
            d.checks.push(refused(&e));
            return d;
        }
        let host = self.s.token_url.host_str().unwrap_or_default().to_string();
        d.checks.push(Check::ok(
            AUTH,
            format!("a token was obtained from {host} for client credentials"),
        ));
        d.checks.push(self.scopes());
        d.checks.push(match self.load_groups().await {
            Ok(()) => self.groups_check(),
            Err(e) => Check::fail("groups", e.to_string(), "grant the scope the error names"),
        });
        d.checks.push(self.paging().await);
        if probe.write {
            probe::run(self, probe.desired, &mut d).await;
        }
        d
    }

    fn scopes(&self) -> Check {
        let granted = self
            .granted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(granted) = granted else {
            return Check::ok(
                "scopes",
                format!(
                    "asked for {:?}; the token answer does not say what was granted",
                    self.s.scope
                ),
            );
        };
        let has = |broad: &str, narrow: &str| {
            granted
                .split_whitespace()
                .any(|s| s == broad || s == narrow)
        };
        let mut missing = Vec::new();
        for (broad, narrow) in [("PM.User", "PM.User.Read"), ("PM.Group", "PM.Group.Read")] {
            if !has(broad, narrow) {
                missing.push(format!("{broad} or {narrow}"));
            }
        }
        let fix = "grant the external application the scopes (Admin > External Applications) and list them in `scope`";
        if !missing.is_empty() {
            return Check::fail(
                "scopes",
                format!(
                    "granted {granted:?}: roster cannot read without {}",
                    missing.join(", ")
                ),
                fix,
            );
        }
        if !has("PM.User", "PM.User.Write") {
            return Check::warn(
                "scopes",
                format!(
                    "granted {granted:?}: enough to plan, but apply needs PM.User or PM.User.Write"
                ),
                fix,
            );
        }
        Check::ok(
            "scopes",
            format!("granted {granted:?}: enough to read and write users"),
        )
    }

    fn groups_check(&self) -> Check {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let named = groups.by_name.len();
        let nameless = groups.nameless.len();
        if nameless == 0 {
            return Check::ok("groups", format!("{named} groups listed"));
        }
        Check::warn(
            "groups",
            format!(
                "{named} groups listed, and {nameless} without a name: those cannot be named in a manifest, and membership in them is left alone"
            ),
            "give them names in UiPath if manifests should manage membership in them",
        )
    }

    /// Two pages of one user: `skip` moves on, `totalCount` counts.
    async fn paging(&self) -> Check {
        let page = |skip: u64| {
            let url = self.api(&format!(
                "User/users/{}?top=1&skip={skip}",
                self.s.partition_global_id
            ));
            async move {
                self.call(EP_USERS, Method::GET, url, None, Repeat::Safe, |s, b| {
                    wire::json::<UserPage>(EP_USERS, s, b)
                })
                .await
                .map_err(|e| self.denied(e, Needed::Scope("User", "Read")))
            }
        };
        let first = match page(0).await {
            Ok(p) => p,
            Err(e) => return Check::fail("paging", e.to_string(), "see the message"),
        };
        let total = first.total_count;
        if total < 2 {
            return Check::ok(
                "paging",
                format!("totalCount {total}: fewer than two users, nothing to tell"),
            );
        }
        let second = match page(1).await {
            Ok(p) => p,
            Err(e) => return Check::fail("paging", e.to_string(), "see the message"),
        };
        let id = |p: &UserPage| p.results.first().map(|u| u.id.clone());
        match (id(&first), id(&second)) {
            (Some(a), Some(b)) if a != b => Check::ok(
                "paging",
                format!("skip moves on and totalCount says {total}, as roster expects"),
            ),
            _ => Check::fail(
                "paging",
                format!(
                    "skip=1 did not bring another user (totalCount {total}): the list cannot be paged"
                ),
                "roster cannot list this organisation reliably: report it to UiPath",
            ),
        }
    }

    /// Logs what earlier doctor runs found; a missing right is a warning on every run.
    pub(crate) fn confirm(&self, target: &str, saved: &Findings) {
        if let Some(f) = saved.get(PARTITION_ADMIN)
            && f.value == "missing"
        {
            tracing::warn!(
                target = target,
                "uipath: doctor found on {} that the external application lacks partition administrator rights: creating users in groups and changing groups will be refused (403)",
                f.at
            );
        }
        if let Some(f) = saved.get(PUT) {
            tracing::info!(
                target = target,
                "uipath: doctor found on {} that PUT {} the fields it leaves out; updates send only the changed fields",
                f.at,
                if f.value == "merges" {
                    "keeps"
                } else {
                    "resets"
                }
            );
        }
    }
}

fn refused(e: &ProviderError) -> Check {
    let fix = match e {
        ProviderError::Vendor {
            status: 400 | 401, ..
        } => {
            "check client_id and client_secret (Admin > External Applications, a confidential application) and `scope`"
        }
        ProviderError::Vendor { status: 404, .. } => {
            "check `token_url` (Automation Cloud: https://cloud.uipath.com/identity_/connect/token)"
        }
        _ => "see the message, and the checks above",
    };
    Check::fail(AUTH, e.to_string(), fix)
}
