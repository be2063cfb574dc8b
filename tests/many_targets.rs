//! Many targets (issue 13): a target whose vendor is down, refuses the key, answers malformed
//! XML or whose lock another process holds never stops the others. Two and then twenty
//! targets against simulators: the healthy ones are planned, applied and converge; the failed
//! one is reported with its host, port and error, in exit codes and JSON statuses; `--target`
//! selects; saved plans apply exactly their targets; targets plan concurrently; the daemon
//! keeps reconciling the healthy targets and picks a failed one up when it recovers.

mod util;

use std::time::{Duration, Instant};

use serde_json::Value;
use util::daemon::Daemon;
use util::{Out, Sim, Workspace};

/// A seed with groups `1..=n` and one user per group, `u{g}@example.com` named `Old`.
fn seed(n: u32) -> String {
    let groups: Vec<String> = (1..=n).map(|g| g.to_string()).collect();
    let mut s = format!("groups: [{}]\nusers:\n", groups.join(", "));
    for g in 1..=n {
        s.push_str(&format!(
            "  - {{ id: {}, name: Old, email: u{g}@example.com, group: {g} }}\n",
            100 + g
        ));
    }
    s
}

/// One target's config section: Xtracta at `url`, group `group`, plus `extra` lines.
fn target(name: &str, url: &str, group: u32, extra: &str) -> String {
    target_key(name, url, group, "XTRACTA_API_KEY", extra)
}

/// As [`target`], with the API key from `$key`.
fn target_key(name: &str, url: &str, group: u32, key: &str, extra: &str) -> String {
    format!(
        "  {name}:\n    provider: xtracta\n    url: {url}\n    api_key: {{ env: {key} }}\n    group_id: {group}\n{extra}"
    )
}

/// Target `name`'s manifest: its group's user renamed `New`, and one user to create.
fn manifest(ws: &Workspace, name: &str, group: u32) {
    ws.write(
        &format!("users/{name}.yaml"),
        &format!(
            "target: {name}\nusers:\n  - email: u{group}@example.com\n    name: New\n  - email: fresh{group}@example.com\n    name: Fresh\n"
        ),
    );
}

fn converged(sim: &Sim, group: u32) -> bool {
    sim.user_by_email(&format!("u{group}@example.com"))
        .is_some_and(|u| u.1 == "New")
        && sim
            .user_by_email(&format!("fresh{group}@example.com"))
            .is_some_and(|u| u.3 == u64::from(group))
}

fn json(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.all()))
}

/// The entry of `name` in a JSON document's `targets`.
fn entry<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == name)
        .unwrap_or_else(|| panic!("no {name} in {doc:#}"))
}

/// How a target fails, and what its report must say.
struct Fault {
    what: &'static str,
    kind: &'static str,
    /// How the error's `message` starts: the vendor's own words follow.
    message: &'static str,
}

const UNREACHABLE: Fault = Fault {
    what: "unreachable",
    kind: "unreachable",
    message: "connection failed",
};
const UNAUTHORISED: Fault = Fault {
    what: "401",
    kind: "auth",
    message: "vendor answered 401: ",
};
const MALFORMED: Fault = Fault {
    what: "malformed XML",
    kind: "malformed",
    message: "unreadable answer: ",
};

/// Two targets, `good` and `bad`, where `bad` fails as `fault` says: plan and apply still
/// handle `good`, report `bad` with its host, port and error, and exit 1.
fn two_targets_one_failing(fault: &Fault) {
    let sim = Sim::xtracta(&seed(2), &[]);
    let broken = Sim::xtracta(&seed(2), &["--malformed-rate", "1"]);
    let down = util::free_addr();
    let (bad_url, key) = match fault.kind {
        "unreachable" => (format!("http://{down}/v1"), "XTRACTA_API_KEY"),
        "auth" => (sim.url(), "WRONG_KEY"),
        _ => (broken.url(), "XTRACTA_API_KEY"),
    };
    let bad = target_key("bad", &bad_url, 2, key, "    max_attempts: 1\n");
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n{}{bad}",
        target("good", &sim.url(), 1, "")
    ));
    manifest(&ws, "good", 1);
    manifest(&ws, "bad", 2);
    let env = [("WRONG_KEY", "wrong-key-000111")];
    let host = url::Url::parse(&bad_url).unwrap();
    let host_port = format!("{}:{}", host.host_str().unwrap(), host.port().unwrap());

    let plan = ws.roster_env(&["plan"], &env);
    assert_eq!(plan.code, 1, "{}: {}", fault.what, plan.all());
    assert!(
        plan.stdout.contains("~ name: \"Old\" → \"New\""),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains(&format!("Target bad (xtracta, {host_port}): failed")),
        "{}: {}",
        fault.what,
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!(
            "! error: fetch users: /v1/user: {}",
            fault.message
        )),
        "{}: {}",
        fault.what,
        plan.stdout
    );
    assert!(
        plan.stdout.contains("1 of 2 targets failed: bad."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stderr.contains(&format!(
            "fetch users of target bad: /v1/user: {}",
            fault.message
        )) && plan.stderr.contains(&format!("(vendor at {host_port})")),
        "{}",
        plan.stderr
    );
    assert!(!plan.all().contains("wrong-key-000111"), "{}", plan.all());
    assert_eq!(
        ws.roster_env(&["plan", "--detailed-exitcode"], &env).code,
        1
    );

    let doc = json(&ws.roster_env(&["plan", "--output", "json"], &env));
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["failed"], 1);
    assert_eq!(entry(&doc, "good")["status"], "ok");
    assert_eq!(entry(&doc, "good")["updates"].as_array().unwrap().len(), 1);
    let error = &entry(&doc, "bad")["error"];
    assert_eq!(entry(&doc, "bad")["status"], "failed");
    assert_eq!(error["kind"], fault.kind, "{doc:#}");
    assert_eq!(error["endpoint"], "/v1/user");
    assert_eq!(error["host"], host.host_str().unwrap());
    assert_eq!(error["port"], host.port().unwrap());
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with(fault.message),
        "{error}"
    );

    let apply = ws.roster_env(&["apply", "--yes", "--output", "json"], &env);
    assert_eq!(apply.code, 1, "{}", apply.all());
    let doc = json(&apply);
    assert_eq!(doc["ok"], false);
    assert_eq!(entry(&doc, "bad")["status"], "failed");
    assert_eq!(doc["reports"][0]["target"], "good");
    assert!(converged(&sim, 1), "{}", apply.all());
    assert!(!converged(&sim, 2) && !converged(&broken, 2));
    // Converged: the healthy target alone plans no change.
    let again = ws.roster_env(&["plan", "--target", "good", "--detailed-exitcode"], &env);
    assert_eq!(again.code, 0, "{}", again.all());
}

#[test]
fn an_unreachable_target_never_stops_the_other() {
    two_targets_one_failing(&UNREACHABLE);
}

#[test]
fn a_target_answering_401_never_stops_the_other() {
    two_targets_one_failing(&UNAUTHORISED);
}

#[test]
fn a_target_answering_malformed_xml_never_stops_the_other() {
    two_targets_one_failing(&MALFORMED);
}

#[test]
fn a_target_locked_by_another_process_fails_alone() {
    let sim = Sim::xtracta(&seed(2), &[]);
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n{}{}",
        target("good", &sim.url(), 1, ""),
        target("bad", &sim.url(), 2, "")
    ));
    manifest(&ws, "good", 1);
    manifest(&ws, "bad", 2);
    let lock = util::hold_lock(&ws, "bad");
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(converged(&sim, 1), "{}", out.all());
    assert!(!converged(&sim, 2));
    assert!(
        out.stderr.contains(
            "target bad is being applied by another roster process (pid 4242 on other-host)"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("Apply good: 2 done"), "{}", out.stdout);
    let host = sim.addr.clone();
    assert!(
        out.stdout
            .contains(&format!("Target bad (xtracta, {host}): failed")),
        "{}",
        out.stdout
    );
    let doc = json(&ws.roster(&["apply", "--yes", "--output", "json"]));
    assert_eq!(entry(&doc, "bad")["error"]["kind"], "lock");
    assert_eq!(entry(&doc, "good")["status"], "ok");
    drop(lock);
    ws.roster(&["apply", "--yes"]).ok();
    assert!(converged(&sim, 2));
}

/// `t01` … `t20` on one simulator, each its own group; `t07`'s vendor is down.
fn twenty(sim: &Sim, extra: &str) -> Workspace {
    let mut config = format!("manifests: users\n{extra}targets:\n");
    let down = format!("http://{}/v1", util::free_addr());
    for g in 1..=20 {
        let name = format!("t{g:02}");
        let url = if g == 7 { down.clone() } else { sim.url() };
        config.push_str(&target(&name, &url, g, "    max_attempts: 1\n"));
    }
    let ws = Workspace::new(&config);
    for g in 1..=20 {
        manifest(&ws, &format!("t{g:02}"), g);
    }
    ws
}

#[test]
fn twenty_targets_with_one_down_converge_and_report_it() {
    let sim = Sim::xtracta(&seed(20), &[]);
    let ws = twenty(&sim, "parallel_targets: 6\n");
    let doc = json(&ws.roster(&["plan", "--output", "json"]));
    let statuses: Vec<(&str, &str)> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["target"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    let expected: Vec<(String, &str)> = (1..=20)
        .map(|g| (format!("t{g:02}"), if g == 7 { "failed" } else { "ok" }))
        .collect();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    assert_eq!(statuses, expected, "in name order");
    assert_eq!(doc["summary"]["create"], 19);

    let out = ws.roster(&["apply", "--yes", "--parallel", "8"]);
    assert_eq!(out.code, 1, "{}", out.all());
    for g in (1..=20).filter(|g| *g != 7) {
        assert!(converged(&sim, g), "t{g:02}: {}", out.all());
    }
    assert!(
        out.stdout.contains("1 of 20 targets failed: t07."),
        "{}",
        out.stdout
    );
    // Deterministic: the reports come in name order whatever finished first.
    let reports: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Apply "))
        .collect();
    assert_eq!(reports.len(), 19, "{}", out.stdout);
    assert!(reports.windows(2).all(|w| w[0] < w[1]), "{reports:?}");
    let again = ws.roster(&["plan", "--output", "json"]);
    assert_eq!(json(&again)["changes_pending"], false, "{}", again.all());
}

#[test]
fn twenty_targets_plan_concurrently_in_well_under_the_sequential_time() {
    let sim = Sim::xtracta(&seed(20), &["--latency", "50"]);
    let ws = twenty(&sim, "");
    // t07 is down: it fails at once, without the latency, whatever the parallelism.
    let timed = |parallel: &str| {
        let t = Instant::now();
        let out = ws.roster(&["plan", "--parallel", parallel]);
        assert_eq!(out.code, 1, "{}", out.all());
        t.elapsed()
    };
    let sequential = timed("1");
    let parallel = timed("20");
    assert!(
        sequential >= Duration::from_millis(19 * 50),
        "19 fetches of 50 ms one after another: {sequential:?}"
    );
    assert!(
        parallel.as_secs_f64() < 0.4 * sequential.as_secs_f64(),
        "--parallel 20 took {parallel:?}, sequentially {sequential:?}"
    );
}

#[test]
fn target_selects_and_a_saved_plan_applies_exactly_its_targets() {
    let sim = Sim::xtracta(&seed(2), &[]);
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n{}{}",
        target("a", &sim.url(), 1, ""),
        target("b", &sim.url(), 2, "")
    ));
    manifest(&ws, "a", 1);
    manifest(&ws, "b", 2);
    let out = ws.roster(&["plan", "--target", "nope"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("unknown target \"nope\" (the config has: a, b)"),
        "{}",
        out.stderr
    );
    let valid = ws.roster(&["validate", "--target", "b"]);
    assert!(
        valid.stdout.contains("valid: 2 targets (selected: b)"),
        "{}",
        valid.all()
    );

    sim.reset_requests();
    let plan = ws.roster(&[
        "plan",
        "--target",
        "a",
        "--out",
        "plan.json",
        "--output",
        "json",
    ]);
    plan.ok();
    let doc = json(&plan);
    assert_eq!(entry(&doc, "b")["status"], "skipped");
    assert_eq!(entry(&doc, "b")["reason"], "not selected");
    assert_eq!(sim.total_requests(), 1, "only a was fetched");
    let out = ws.roster(&["apply", "plan.json"]);
    out.ok();
    assert!(converged(&sim, 1) && !converged(&sim, 2), "{}", out.all());
    assert!(
        out.stdout.contains("Skipped (not in the saved plan): b."),
        "{}",
        out.stdout
    );
    let out = ws.roster(&["apply", "plan.json", "--target", "b"]);
    assert_eq!(out.code, 2, "clap refuses the combination: {}", out.all());

    // A typo in an unselected target's manifest is still an error, and nothing is sent.
    ws.write(
        "users/b.yaml",
        "target: b\nusers:\n  - email: x@example.com\n    nmae: X\n",
    );
    sim.reset_requests();
    let out = ws.roster(&["plan", "--target", "a"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("users/b.yaml:4:5"), "{}", out.stderr);
    assert_eq!(sim.total_requests(), 0);
}

#[test]
fn the_daemon_keeps_reconciling_while_one_of_twenty_is_down_and_picks_it_up_when_it_recovers() {
    let sim = Sim::xtracta(&seed(20), &[]);
    let down = util::free_addr();
    let mut config = String::from("manifests: users\ntargets:\n");
    for g in 1..=20 {
        let name = format!("t{g:02}");
        let url = if g == 7 {
            format!("http://{down}/v1")
        } else {
            sim.url()
        };
        config.push_str(&target(&name, &url, g, "    max_attempts: 1\n"));
    }
    config
        .push_str("daemon:\n  listen: 127.0.0.1:0\n  debounce: 200ms\n  schedule: \"0 0 1 1 *\"\n");
    let ws = Workspace::new(&config);
    for g in 1..=20 {
        manifest(&ws, &format!("t{g:02}"), g);
    }
    let d = Daemon::start(&ws, &[]);
    d.wait_for("the 19 healthy targets", 30, || {
        (1..=20).filter(|g| *g != 7).all(|g| converged(&sim, g))
    });
    d.wait_for("t07 to fail", 30, || {
        d.metric("roster_consecutive_failures", "t07") >= 1.0
    });
    assert_eq!(d.get("/readyz").0, 200, "ready while targets reconcile");
    assert!(d.log().contains("connection failed"), "{}", d.log());
    // An edit of a healthy target is applied while t07 is still down.
    ws.write("users/t03.yaml", "target: t03\nusers:\n  - email: u3@example.com\n    name: Edited\n  - email: fresh3@example.com\n    name: Fresh\n");
    d.wait_for("the edit of t03", 30, || {
        sim.user_by_email("u3@example.com")
            .is_some_and(|u| u.1 == "Edited")
    });
    // t07's vendor comes back: its own retry picks it up, without a restart.
    let recovered = Sim::xtracta_at(&down, &seed(20), &[]);
    d.wait_for("t07 after its vendor recovered", 40, || {
        converged(&recovered, 7)
    });
    d.wait_for("t07's failures to reset", 10, || {
        d.metric("roster_consecutive_failures", "t07") == 0.0
    });
    let m = d.get("/metrics").1;
    for line in [
        "roster_last_success_timestamp_seconds{target=\"t07\"}",
        "roster_reconciles_total{target=\"t07\",result=\"failure\"}",
        "roster_pending_drift{target=\"t07\"} 0",
        "roster_needs_person{target=\"t01\"} 0",
        "roster_changes_applied_total{target=\"t07\",kind=\"create\"} 1",
        "roster_vendor_requests_total{target=\"t07\",endpoint=\"/v1/user\",status=\"error\"}",
        "roster_vendor_request_duration_seconds_count{target=\"t01\",endpoint=\"/v1/user\"}",
    ] {
        assert!(m.contains(line), "missing {line} in:\n{m}");
    }
}

#[test]
fn an_invalid_edit_holds_back_only_the_target_it_touches() {
    let sim = Sim::xtracta(&seed(2), &[]);
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n{}{}daemon:\n  listen: 127.0.0.1:0\n  debounce: 200ms\n  schedule: \"0 0 1 1 *\"\n",
        target("a", &sim.url(), 1, ""),
        target("b", &sim.url(), 2, "")
    ));
    manifest(&ws, "a", 1);
    manifest(&ws, "b", 2);
    let d = Daemon::start(&ws, &[]);
    d.wait_for("both targets", 30, || {
        converged(&sim, 1) && converged(&sim, 2)
    });
    // One commit: b's manifest gets a typo, a's a valid edit.
    ws.write(
        "users/b.yaml",
        "target: b\nusers:\n  - email: u2@example.com\n    nmae: Typo\n",
    );
    ws.write("users/a.yaml", "target: a\nusers:\n  - email: u1@example.com\n    name: Again\n  - email: fresh1@example.com\n    name: Fresh\n");
    d.wait_for("a's valid edit", 30, || {
        sim.user_by_email("u1@example.com")
            .is_some_and(|u| u.1 == "Again")
    });
    d.wait_for("b held back", 10, || {
        d.metric("roster_target_ready", "\"b\"") == 0.0
    });
    assert!(
        d.log().contains("users/b.yaml:4:5: unknown field `nmae`"),
        "{}",
        d.log()
    );
    assert_eq!(d.metric("roster_manifests_valid", ""), 0.0);
    let (code, body) = d.get("/readyz");
    assert_eq!(code, 200, "a still reconciles: {body}");
    assert!(
        body.contains("b: last reconcile succeeded; manifests invalid"),
        "{body}"
    );
    assert!(converged(&sim, 2), "b kept its last good state");
    ws.write(
        "users/b.yaml",
        "target: b\nusers:\n  - email: u2@example.com\n    name: Fixed\n",
    );
    d.wait_for("b's fixed edit", 30, || {
        sim.user_by_email("u2@example.com")
            .is_some_and(|u| u.1 == "Fixed")
    });
    d.wait_for("b ready again", 10, || {
        d.metric("roster_target_ready", "\"b\"") == 1.0
    });
    // A problem outside every target's section holds both.
    ws.write(
        "roster.yaml",
        &std::fs::read_to_string(ws.path().join("roster.yaml"))
            .unwrap()
            .replace("debounce: 200ms", "debounce: 200ms\n  mode: sometimes"),
    );
    d.wait_for("not ready", 30, || d.get("/readyz").0 == 503);
}
