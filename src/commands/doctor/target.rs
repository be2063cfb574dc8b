//! Doctor's checks of one target, in order: the secrets resolve, the host can be reached
//! (`net`), the vendor's own checks (`VendorTarget::doctor`: authentication, rights, paging,
//! and the write probe when asked), then a full read as `plan` makes it (users listed, pages,
//! time), the collections the manifests name, the estimate of a full apply, and what the
//! answers showed (`observe`). After a failure that leaves nothing to ask (an unreachable
//! host, refused credentials), the checks that need it are not run.
//!
//! Vendor-neutral: the vendor speaks only through its `VendorTarget` and `Client`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crate::apply::Stop;
use crate::config::Target;
use crate::reconcile::{self, Loaded};
use crate::vendor::doctor::{AUTH, Check, Findings, Probe, Status};
use crate::vendor::http::Stats;
use crate::vendor::{Connect, ProviderError};

use super::report::duration;
use super::{estimate, net, observe};

/// One target's checks and findings.
#[derive(Debug, Default)]
pub(super) struct Done {
    pub checks: Vec<Check>,
    pub findings: BTreeMap<String, String>,
}

pub(super) async fn run(loaded: &Loaded, t: &Target, write: bool) -> Done {
    let mut done = Done::default();
    let config = &loaded.config;
    let stats = Arc::new(Stats::default());
    let stop = Stop::default();
    let desired = loaded
        .desired
        .by_target
        .get(&t.name)
        .map(|u| u.as_slice())
        .unwrap_or_default();
    let client = match reconcile::provider(config, t, stats.clone(), &stop) {
        Ok(c) => {
            done.checks.push(Check::ok(
                "secrets",
                "the credentials resolve (their values are never shown)",
            ));
            c
        }
        Err(e) => {
            done.checks.push(Check::fail(
                "secrets",
                format!("{e:#}"),
                "set the environment variable or create the file the config names",
            ));
            return done;
        }
    };
    let (checks, reachable) = net::checks(&t.url, t.limits.timeout).await;
    done.checks.extend(checks);
    if !reachable {
        return done;
    }
    // A write probe is a writer: it holds the target's lock as `apply` does, so that no
    // apply or daemon works on the target meanwhile.
    let mut write = write;
    let _lock = if write {
        let locks = crate::coordination::local::LocalLocks::new(&config.state_dir);
        match crate::coordination::Coordinator::acquire(&locks, &t.name).await {
            Ok(owned) => Some(owned),
            Err(e) => {
                done.checks.push(Check::fail(
                    "probe",
                    format!("not run: {e}"),
                    "run doctor --write-probe when no apply or daemon works on the target",
                ));
                write = false;
                None
            }
        }
    } else {
        None
    };
    let saved = Findings::load(&config.state_dir, &t.name);
    let cx = Connect {
        target: &t.name,
        url: &t.url,
        limits: &t.limits,
        base_dir: &config.base_dir,
        state_dir: &config.state_dir,
        stats: stats.clone(),
        stop: stop.clone(),
    };
    let probe = Probe {
        desired,
        write,
        saved: &saved,
    };
    let diagnosis = t.settings.doctor(cx, probe).await;
    let refused = diagnosis
        .checks
        .iter()
        .any(|c| c.check == AUTH && c.status == Status::Fail);
    done.checks.extend(diagnosis.checks);
    done.findings = diagnosis.findings;
    if !refused {
        read(&mut done, t, client.as_ref(), desired, &stats).await;
    }
    done.checks
        .extend(observe::checks(&stats.seen(), &stats.snapshot()));
    done
}

/// The read `plan` makes, the names the manifests use, and the estimate of a full apply.
async fn read(
    done: &mut Done,
    t: &Target,
    client: &dyn crate::vendor::Client,
    desired: &[crate::model::DesiredUser],
    stats: &Stats,
) {
    let before = stats.total();
    let start = Instant::now();
    let actual = match client.fetch(desired).await {
        Ok(a) => a,
        Err(e) => {
            let fix = fix_for(&e);
            done.checks.push(Check::fail("read", e.to_string(), fix));
            return;
        }
    };
    let requests = stats.total() - before;
    done.checks.push(Check::ok(
        "read",
        format!(
            "{} user{} in scope, listed in {requests} request{} in {}",
            actual.len(),
            crate::commands::plural(actual.len()),
            crate::commands::plural(requests as usize),
            duration(start.elapsed())
        ),
    ));
    let problems = client.check(desired);
    if problems.is_empty() {
        done.checks.push(Check::ok(
            "names",
            "nothing the manifests name is missing from what the vendor's list showed",
        ));
    } else {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        done.checks.push(Check::fail(
            "names",
            list.join("; "),
            "fix the manifests, or create what they name at the vendor",
        ));
    }
    let plan = crate::plan::plan(&crate::plan::Input {
        target: &t.name,
        desired,
        actual: &actual,
        schema: t.schema(),
        policy: &t.policy,
        now: chrono::Utc::now(),
        guards: crate::plan::Guards::Report,
    });
    let guard = plan.guard.as_ref().map(ToString::to_string);
    let trip = observe::median(&stats.seen());
    done.checks
        .push(estimate::check(&plan, &t.limits, trip, guard));
}

/// What to do about a failed read.
fn fix_for(e: &ProviderError) -> &'static str {
    match e {
        ProviderError::Vendor { status: 401, .. } => {
            "check the target's credentials: the vendor refused them"
        }
        ProviderError::Vendor { status: 403, .. } => {
            "grant the rights the error names to the credentials roster uses"
        }
        ProviderError::Vendor { .. } => "see the vendor's message; try again later if it is a 5xx",
        ProviderError::Transport { .. } => {
            "check the network between this host and the vendor, and `timeout`"
        }
        ProviderError::Malformed { .. } | ProviderError::Refused { .. } => {
            "the vendor's answer cannot be trusted as a whole list: check `url` (a proxy's page?) and `max_answer_size`"
        }
        ProviderError::Invalid(_)
        | ProviderError::Partial { .. }
        | ProviderError::Stopped { .. } => "see the message",
    }
}
