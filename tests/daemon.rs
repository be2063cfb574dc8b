//! `roster daemon` against the simulator: file edits (plain, atomic-save, ConfigMap symlink
//! swap), bursts, invalid edits, the schedule, SIGHUP, SIGTERM, plan mode and guards. Every
//! wait is bounded and polls for the outcome; none sleeps hoping.

mod util;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use util::daemon::Daemon;
use util::{Sim, Workspace};

const SEED: &str = "groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers:\n  - { id: 7, name: Old, email: keep@example.com, group: 12345 }\n";

#[track_caller]
fn wait_for(what: &str, d: &Daemon, cond: impl FnMut() -> bool) {
    d.wait_for(what, 20, cond);
}

fn workspace(sim: &Sim, manifests: &str, extra_target: &str, daemon: &str) -> Workspace {
    Workspace::new(&format!(
        "manifests: {manifests}\ntargets:\n  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n{extra_target}daemon:\n  listen: 127.0.0.1:0\n  debounce: 300ms\n{daemon}",
        sim.url()
    ))
}

const FAR: &str = "  schedule: \"0 0 1 1 *\"\n";

fn user(email: &str, name: &str) -> String {
    format!("users:\n  - email: {email}\n    name: {name}\n")
}

fn has(sim: &Sim, email: &str, name: &str) -> bool {
    sim.user_by_email(email).is_some_and(|u| u.1 == name)
}

#[test]
fn edits_reach_the_vendor_including_atomic_saves() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Kept"));
    let d = Daemon::start(&ws, &[]);
    wait_for("start-up reconcile", &d, || {
        has(&sim, "keep@example.com", "Kept")
    });
    wait_for("ready", &d, || d.get("/readyz").0 == 200);
    assert_eq!(d.get("/healthz").0, 200);

    ws.write("users/new.yaml", &user("new@example.com", "New"));
    wait_for("new user", &d, || has(&sim, "new@example.com", "New"));

    // An editor's atomic save: write a hidden temporary file, rename it over the original.
    ws.write("users/.new.yaml.tmp", &user("new@example.com", "Renamed"));
    std::fs::rename(
        ws.path().join("users/.new.yaml.tmp"),
        ws.path().join("users/new.yaml"),
    )
    .unwrap();
    wait_for("rename after atomic save", &d, || {
        has(&sim, "new@example.com", "Renamed")
    });

    let m = d.get("/metrics").1;
    for name in [
        "roster_reconciles_total{target=\"acme\",result=\"success\"}",
        "roster_reconcile_duration_seconds_count",
        "roster_last_success_timestamp_seconds",
        "roster_changes_applied_total{target=\"acme\",kind=\"create\"}",
        "roster_vendor_requests_total{target=\"acme\",endpoint=\"/v1/user/add\",status=\"200\"}",
        "roster_vendor_request_duration_seconds_count{target=\"acme\",endpoint=\"/v1/user/add\"}",
        "roster_consecutive_failures{target=\"acme\"} 0",
        "roster_target_ready{target=\"acme\"} 1",
        "roster_manifests_valid 1",
        "roster_pending_drift{target=\"acme\"} 0",
    ] {
        assert!(m.contains(name), "missing {name} in:\n{m}");
    }
}

#[test]
fn configmap_symlink_swap_is_seen() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "cm", "", FAR);
    let cm = ws.path().join("cm");
    std::fs::create_dir_all(cm.join("..v1")).unwrap();
    std::fs::write(cm.join("..v1/users.yaml"), user("keep@example.com", "V1")).unwrap();
    std::os::unix::fs::symlink("..v1", cm.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/users.yaml", cm.join("users.yaml")).unwrap();
    let d = Daemon::start(&ws, &[]);
    wait_for("v1", &d, || has(&sim, "keep@example.com", "V1"));

    std::fs::create_dir_all(cm.join("..v2")).unwrap();
    std::fs::write(cm.join("..v2/users.yaml"), user("keep@example.com", "V2")).unwrap();
    std::os::unix::fs::symlink("..v2", cm.join("..data_tmp")).unwrap();
    std::fs::rename(cm.join("..data_tmp"), cm.join("..data")).unwrap();
    wait_for("v2 after the swap", &d, || {
        has(&sim, "keep@example.com", "V2")
    });
    std::fs::remove_dir_all(cm.join("..v1")).unwrap();
}

#[test]
fn a_swapped_manifest_folder_symlink_is_followed() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "current", "", FAR);
    ws.write("releases/v1/users.yaml", &user("keep@example.com", "R1"));
    ws.write("releases/v2/users.yaml", &user("keep@example.com", "R2"));
    std::os::unix::fs::symlink("releases/v1", ws.path().join("current")).unwrap();
    let d = Daemon::start(&ws, &[]);
    wait_for("r1", &d, || has(&sim, "keep@example.com", "R1"));
    std::os::unix::fs::symlink("releases/v2", ws.path().join("current.tmp")).unwrap();
    std::fs::rename(ws.path().join("current.tmp"), ws.path().join("current")).unwrap();
    wait_for("r2 after the folder swap", &d, || {
        has(&sim, "keep@example.com", "R2")
    });
    // Edits inside the new folder are seen too.
    ws.write("releases/v2/users.yaml", &user("keep@example.com", "R2b"));
    wait_for("an edit in the new folder", &d, || {
        has(&sim, "keep@example.com", "R2b")
    });
}

#[test]
fn systemd_hears_ready_status_and_reloading() {
    use std::os::unix::net::UnixDatagram;
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Old"));
    let sock_path = ws.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut child = Command::new(util::roster_bin())
        .current_dir(ws.path())
        .env("XTRACTA_API_KEY", util::API_KEY)
        .env("NOTIFY_SOCKET", &sock_path)
        .env("WATCHDOG_USEC", "300000")
        .args(["daemon"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut heard = String::new();
    let mut buf = [0u8; 4096];
    let mut next = || {
        let n = sock.recv(&mut buf).expect("a notification");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    while !(heard.contains("READY=1") && heard.contains("STATUS=") && heard.contains("WATCHDOG=1"))
    {
        heard.push_str(&next());
        heard.push('\n');
    }
    assert!(
        Command::new("kill")
            .args(["-HUP", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let mut after = String::new();
    while !(after.contains("RELOADING=1") && after.contains("READY=1")) {
        after.push_str(&next());
        after.push('\n');
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(
        heard.contains("STATUS=") && heard.contains("to create"),
        "{heard}"
    );
}

#[test]
fn a_burst_of_edits_gives_one_reconcile() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Old"));
    let d = Daemon::start(&ws, &[]);
    wait_for("start-up", &d, || d.successes() >= 1.0);
    let before = d.successes();
    // Like a `git pull` touching many files at once.
    let texts: Vec<String> = (0..40)
        .map(|i| user(&format!("b{i}@example.com"), &format!("B{i}")))
        .collect();
    for (i, t) in texts.iter().enumerate() {
        ws.write(&format!("users/b{i}.yaml"), t);
    }
    wait_for("all 40 users", &d, || sim.users().len() == 41);
    wait_for("the reconcile to be counted", &d, || d.successes() > before);
    std::thread::sleep(Duration::from_millis(900)); // longer than the debounce: any late event has fired
    assert_eq!(d.successes(), before + 1.0, "log:\n{}", d.log());
}

#[test]
fn an_invalid_edit_is_reported_not_applied_and_the_next_valid_one_is() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Old"));
    let d = Daemon::start(&ws, &[]);
    wait_for("ready", &d, || d.get("/readyz").0 == 200);
    ws.write(
        "users/keep.yaml",
        "users:\n  - email: keep@example.com\n    name: Broken\n    nmae: typo\n",
    );
    wait_for("manifests_valid 0", &d, || {
        d.metric("roster_manifests_valid", "") == 0.0
    });
    assert_eq!(d.get("/readyz").0, 503);
    wait_for("the location in the log", &d, || {
        d.log()
            .contains("users/keep.yaml:4:5: unknown field `nmae`")
    });
    assert!(
        has(&sim, "keep@example.com", "Old"),
        "the invalid state was applied"
    );
    ws.write("users/keep.yaml", &user("keep@example.com", "Fixed"));
    wait_for("the valid edit", &d, || {
        has(&sim, "keep@example.com", "Fixed")
    });
    wait_for("ready again", &d, || d.get("/readyz").0 == 200);
}

#[test]
fn drift_is_corrected_by_the_schedule_and_by_sighup_and_sigterm_exits_cleanly() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "users", "", "  schedule: \"*/1 * * * * *\"\n");
    ws.write("users/keep.yaml", &user("keep@example.com", "Managed"));
    let d = Daemon::start(&ws, &[]);
    wait_for("start-up", &d, || has(&sim, "keep@example.com", "Managed"));
    // Someone edits the user in the vendor's UI.
    let mut state = sim.state();
    state["users"][0]["name"] = "Edited by hand".into();
    sim.put_state(&state);
    wait_for("the schedule to put it back", &d, || {
        has(&sim, "keep@example.com", "Managed")
    });
    drop(d);

    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Managed"));
    let mut d = Daemon::start(&ws, &[]);
    wait_for("ready", &d, || d.get("/readyz").0 == 200);
    let mut state = sim.state();
    state["users"][0]["name"] = "Edited again".into();
    sim.put_state(&state);
    d.signal("-HUP");
    wait_for("SIGHUP to put it back", &d, || {
        has(&sim, "keep@example.com", "Managed")
    });
    assert!(d.log().contains("SIGHUP"), "{}", d.log());

    d.signal("-TERM");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = d.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "daemon did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn plan_mode_reports_drift_and_never_writes() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(
        &sim,
        "users",
        "",
        "  schedule: \"0 0 1 1 *\"\n  mode: plan\n",
    );
    ws.write("users/keep.yaml", &user("keep@example.com", "Wanted"));
    ws.write("users/new.yaml", &user("new@example.com", "New"));
    let d = Daemon::start(&ws, &[]);
    wait_for("drift to be measured", &d, || {
        d.metric("roster_pending_drift", "acme") == 2.0
    });
    let reqs = sim.requests();
    assert!(
        reqs["by_endpoint"].get("/v1/user/add").is_none()
            && reqs["by_endpoint"].get("/v1/user/update").is_none(),
        "{reqs}"
    );
    assert!(has(&sim, "keep@example.com", "Old"));
}

#[test]
fn a_tripped_guard_holds_removals_applies_the_rest_and_keeps_running() {
    let mut seed = String::from("groups: [12345]\nusers:\n");
    for i in 0..10 {
        seed.push_str(&format!(
            "  - {{ id: {}, name: U{i}, email: u{i}@example.com, group: 12345 }}\n",
            10 + i
        ));
    }
    let sim = Sim::xtracta(&seed, &[]);
    let ws = workspace(&sim, "users", "    unmanaged: delete\n", FAR);
    ws.write("users/a.yaml", &user("fresh@example.com", "Fresh"));
    let d = Daemon::start(&ws, &[]);
    wait_for("the safe part (a create)", &d, || {
        has(&sim, "fresh@example.com", "Fresh")
    });
    wait_for("the guard to be counted", &d, || {
        d.metric("roster_guards_tripped_total", "acme") >= 1.0
    });
    assert_eq!(sim.users().len(), 11, "no user deleted");
    assert_eq!(d.metric("roster_pending_drift", "acme"), 10.0);
    assert!(d.log().contains("--allow-mass-delete"), "{}", d.log());
    assert_eq!(d.get("/healthz").0, 200);
}

#[test]
fn a_cli_apply_is_refused_while_the_daemon_holds_the_target_whatever_the_environment() {
    // Every vendor request takes 20 s, so the daemon holds the lock throughout the test.
    let sim = Sim::xtracta(SEED, &["--latency", "20000"]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Kept"));
    let (a, b) = (ws.path().join("state-a"), ws.path().join("state-b"));
    let d = Daemon::start(&ws, &[("STATE_DIRECTORY", a.to_str().unwrap())]);
    let lock = ws.path().join(".roster/acme.lock");
    let pid = d.child.id().to_string();
    wait_for("the daemon to take the lock beside the config", &d, || {
        std::fs::read_to_string(&lock).is_ok_and(|t| t.split_whitespace().next() == Some(&pid))
    });
    let out = ws.roster_env(
        &["apply", "--yes"],
        &[("STATE_DIRECTORY", b.to_str().unwrap())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(&format!(
            "target acme is being applied by another roster process (pid {pid} on "
        )),
        "{}",
        out.stderr
    );
    assert!(!a.exists() && !b.exists(), "$STATE_DIRECTORY is not used");
}

#[test]
fn a_tripped_guard_holds_mass_workflow_leaves_and_applies_the_rest() {
    let mut seed =
        String::from("groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers:\n");
    let mut manifest = String::from("users:\n  - email: fresh@example.com\n    name: Fresh\n");
    for i in 0..10 {
        seed.push_str(&format!(
            "  - {{ id: {}, name: U{i}, email: u{i}@example.com, group: 12345, workflows: [100] }}\n",
            10 + i
        ));
        let wf = if i < 6 { "[]" } else { "[100]" };
        manifest.push_str(&format!(
            "  - email: u{i}@example.com\n    name: U{i}\n    workflows: {wf}\n"
        ));
    }
    let sim = Sim::xtracta(&seed, &[]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/a.yaml", &manifest);
    let d = Daemon::start(&ws, &[]);
    wait_for("the safe part (a create)", &d, || {
        has(&sim, "fresh@example.com", "Fresh")
    });
    wait_for("the guard to be counted", &d, || {
        d.metric("roster_guards_tripped_total", "acme") >= 1.0
    });
    wait_for("the held leaves to count as pending", &d, || {
        d.metric("roster_pending_drift", "acme") == 6.0
    });
    let members = sim.users().iter().filter(|u| u.4 == [100]).count();
    assert_eq!(members, 10, "nobody left the workflow");
    assert!(d.log().contains("(6 leaving workflows)"), "{}", d.log());
}

/// Datagrams a fake systemd hears on `NOTIFY_SOCKET`.
struct Notify {
    sock: std::os::unix::net::UnixDatagram,
    path: std::path::PathBuf,
}

impl Notify {
    fn bind(ws: &Workspace, name: &str) -> Notify {
        let path = ws.path().join(name);
        let sock = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        Notify { sock, path }
    }

    /// Forgets what was sent so far.
    fn drain(&self) {
        let mut buf = [0u8; 4096];
        self.sock.set_nonblocking(true).unwrap();
        while self.sock.recv(&mut buf).is_ok() {}
        self.sock.set_nonblocking(false).unwrap();
    }

    /// Every datagram heard until `until` is true of one, or `within` has passed.
    fn listen(&self, within: Duration, mut until: impl FnMut(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + within;
        let mut heard = Vec::new();
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            if let Ok(n) = self.sock.recv(&mut buf) {
                let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
                let done = until(&msg);
                heard.push(msg);
                if done {
                    break;
                }
            }
        }
        heard
    }
}

#[test]
fn the_watchdog_is_pinged_while_the_loop_progresses_and_not_while_a_reconcile_hangs() {
    const WATCHDOG_USEC: &str = "400000";
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Kept"));
    let notify = Notify::bind(&ws, "idle.sock");
    let d = Daemon::start(
        &ws,
        &[
            ("NOTIFY_SOCKET", notify.path.to_str().unwrap()),
            ("WATCHDOG_USEC", WATCHDOG_USEC),
        ],
    );
    let done = notify.listen(Duration::from_secs(20), |m| m.contains("STATUS="));
    assert!(
        done.last().is_some_and(|m| m.contains("STATUS=")),
        "{done:?}"
    );
    let mut pings = 0;
    notify.listen(Duration::from_secs(20), |m| {
        pings += usize::from(m.contains("WATCHDOG=1"));
        pings >= 4
    });
    assert!(
        pings >= 4,
        "an idle daemon keeps pinging; log:\n{}",
        d.log()
    );
    drop(d);

    // Every vendor request takes 20 s: the start-up reconcile makes no progress.
    let slow = Sim::xtracta(SEED, &["--latency", "20000"]);
    let ws = workspace(&slow, "users", "", FAR);
    ws.write("users/keep.yaml", &user("keep@example.com", "Kept"));
    let notify = Notify::bind(&ws, "hung.sock");
    let d = Daemon::start(
        &ws,
        &[
            ("NOTIFY_SOCKET", notify.path.to_str().unwrap()),
            ("WATCHDOG_USEC", WATCHDOG_USEC),
        ],
    );
    wait_for("the watchdog to give up", &d, || {
        d.log().contains("no longer pinging the watchdog")
    });
    notify.drain();
    // Three periods of the pinger, all while the reconcile still waits for its answer.
    let after = notify.listen(Duration::from_millis(300), |_| false);
    assert!(
        !after.iter().any(|m| m.contains("WATCHDOG=1")),
        "pinged while hung: {after:?}"
    );
    assert!(
        d.log().contains("made no progress for"),
        "the reason is logged:\n{}",
        d.log()
    );
}
