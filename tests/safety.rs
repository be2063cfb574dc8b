//! Guards and the lock, through the binary: mass deletes refused unless allowed, empty
//! manifests refused, protected users untouched, one applier per target.

mod util;

use std::process::{Command, Stdio};

use util::{Sim, Workspace};

fn seed(n: usize) -> String {
    let mut s = String::from("groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers:\n");
    if n == 0 {
        s.push_str("  []\n");
    }
    for i in 0..n {
        s.push_str(&format!(
            "  - {{ id: {}, name: U{i}, email: u{i}@example.com, group: 12345 }}\n",
            100 + i
        ));
    }
    s
}

fn keep(ws: &Workspace, range: std::ops::Range<usize>) {
    let mut text = String::from("users:\n");
    for i in range {
        text.push_str(&format!("  - email: u{i}@example.com\n    name: U{i}\n"));
    }
    ws.write("users/a.yaml", &text);
}

#[test]
fn mass_delete_is_refused_unless_allowed() {
    let sim = Sim::xtracta(&seed(20), &[]);
    let ws = Workspace::xtracta(&sim, "    unmanaged: delete\n");
    keep(&ws, 0..14);
    let before = sim.state();
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(
            "refusing to remove access of 6 of 20 users (6 deleted): more than max_delete = 5"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--allow-mass-delete"), "{}", out.stderr);
    assert_eq!(sim.state(), before, "nothing changed");

    let out = ws.roster(&["apply", "--yes", "--allow-mass-delete"]);
    out.ok();
    assert_eq!(sim.users().len(), 14);
}

#[test]
fn small_deletes_pass_and_fraction_guard_trips() {
    let sim = Sim::xtracta(&seed(8), &[]);
    let ws = Workspace::xtracta(&sim, "    unmanaged: delete\n");
    keep(&ws, 0..5);
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("max_delete_fraction = 0.25"),
        "{}",
        out.stderr
    );
    keep(&ws, 0..7);
    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(sim.users().len(), 7);
    assert!(sim.user_by_email("u7@example.com").is_none());
}

#[test]
fn empty_manifests_never_delete_everyone() {
    let sim = Sim::xtracta(&seed(2), &[]);
    let ws = Workspace::xtracta(
        &sim,
        "    unmanaged: delete\n    max_delete: 100\n    max_delete_fraction: 1.0\n",
    );
    ws.write("users/a.yaml", "users: []\n");
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("the manifests declare no users for this target"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.users().len(), 2);
    ws.write("users/a.yaml", "");
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("users/a.yaml:1:1: manifest is empty"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.users().len(), 2);
}

#[test]
fn protected_users_are_never_changed_or_deleted() {
    let sim = Sim::xtracta(&seed(3), &[]);
    let ws = Workspace::xtracta(
        &sim,
        "    unmanaged: delete\n    protect: [U0@example.com, u2@example.com]\n",
    );
    ws.write("users/a.yaml", "users:\n  - email: u0@example.com\n    name: Renamed\n  - email: u1@example.com\n    name: U1\n");
    let out = ws.roster(&["apply", "--yes"]);
    out.ok();
    assert!(out.stdout.contains("protected"), "{}", out.stdout);
    let users = sim.users();
    assert_eq!(users.len(), 3, "protected unmanaged user kept");
    assert_eq!(sim.user_by_email("u0@example.com").unwrap().1, "U0");
}

#[test]
fn two_applies_at_once_one_refused_nothing_twice() {
    let sim = Sim::xtracta(&seed(0), &["--latency", "400"]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n  - email: b@example.com\n    name: B\n",
    );
    let spawn = || {
        Command::new(util::roster_bin())
            .current_dir(ws.path())
            .env("XTRACTA_API_KEY", util::API_KEY)
            .args(["apply", "--yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let ok = outs.iter().filter(|o| o.status.success()).count();
    let shown: Vec<String> = outs
        .iter()
        .map(|o| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .collect();
    assert_eq!(ok, 1, "exactly one apply runs: {shown:#?}");
    let refused = outs.iter().find(|o| !o.status.success()).unwrap();
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("target acme is being applied by another roster process (pid "),
        "{err}\n{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    assert_eq!(sim.users().len(), 2, "no duplicates");
    // The lock is released when its holder exits.
    ws.roster(&["apply", "--yes"]).ok();
}

#[test]
fn sigterm_mid_apply_finishes_in_flight_reports_the_rest_and_rerun_converges() {
    let sim = Sim::xtracta(&seed(0), &["--latency", "300"]);
    let ws = Workspace::xtracta(&sim, "    concurrency: 1\n");
    ws.write("users/a.yaml", &util::xtracta_users("s", 8));
    let child = Command::new(util::roster_bin())
        .current_dir(ws.path())
        .env("XTRACTA_API_KEY", util::API_KEY)
        .args(["apply", "--yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first user exists, then stop the run.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.users().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "apply never created anyone"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("not started create"), "{stdout}");
    assert!(stderr.contains("stopped by a signal"), "{stderr}");
    let created = sim.users().len();
    assert!((1..8).contains(&created), "created {created}");
    let done = stdout.matches("  done create").count();
    assert_eq!(
        done, created,
        "every request in flight finished and was reported:\n{stdout}"
    );

    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(
        sim.users().len(),
        8,
        "rerun finishes the job without duplicates"
    );
}

#[test]
fn rate_limit_keeps_under_the_vendors_limit() {
    let sim = Sim::xtracta(&seed(0), &["--rate-limit", "5"]);
    let ws = Workspace::xtracta(&sim, "    rate_limit: 4\n    concurrency: 4\n");
    ws.write("users/a.yaml", &util::xtracta_users("r", 10));
    ws.roster(&["apply", "--yes"]).ok();
    let statuses = sim.requests()["by_endpoint_status"].to_string();
    assert!(
        !statuses.contains(" 429"),
        "paced requests were throttled: {statuses}"
    );
    assert_eq!(sim.users().len(), 10);
}

#[test]
fn oversized_manifest_is_refused() {
    let sim = Sim::xtracta(&seed(0), &[]);
    let ws = Workspace::xtracta(&sim, "");
    let f = std::fs::File::create(ws.path().join("users/big.yaml")).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("users/big.yaml:1:1: file is 68157440 bytes, over the 64 MiB limit"),
        "{}",
        out.stderr
    );
}

#[test]
fn throttling_is_waited_out_with_retry_after() {
    let sim = Sim::xtracta(&seed(0), &["--rate-limit", "2"]);
    let ws = Workspace::xtracta(&sim, "    concurrency: 4\n");
    ws.write("users/a.yaml", &util::xtracta_users("t", 6));
    ws.roster(&["apply", "--yes"]).ok();
    let statuses = sim.requests()["by_endpoint_status"].to_string();
    assert!(
        statuses.contains(" 429"),
        "the vendor never throttled: {statuses}"
    );
    assert_eq!(sim.users().len(), 6);
}

#[test]
fn an_unwritable_lock_folder_is_named_with_the_fix_and_nothing_is_sent() {
    let sim = Sim::xtracta(&seed(0), &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("not-a-folder", "");
    let config = std::fs::read_to_string(ws.path().join("roster.yaml")).unwrap();
    ws.write(
        "roster.yaml",
        &format!("state_dir: not-a-folder/locks\n{config}"),
    );
    ws.write("users/a.yaml", &util::xtracta_users("w", 1));
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("not-a-folder/locks: ")
            && out.stderr.contains("set `state_dir:` in the config"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.total_requests(), 0, "nothing sent");
}

#[test]
fn mass_deactivation_by_manifest_edit_is_refused_unless_allowed() {
    let user = |i: usize| {
        format!(
            "  - {{ username: u{i}, email: u{i}@acme.example, name: U, surname: N{i}, language: en, timezone: UTC }}\n"
        )
    };
    let seed: String = std::iter::once("users:\n".to_string())
        .chain((0..10).map(user))
        .collect();
    let sim = Sim::learningcloud(&seed, &[]);
    let ws = Workspace::learningcloud(&sim, "    synchronization: synchronous\n");
    let mut manifest = seed.clone();
    for i in 0..6 {
        manifest = manifest.replace(
            &format!("surname: N{i}, "),
            &format!("surname: N{i}, enabled: false, "),
        );
    }
    ws.write("users/a.yaml", &manifest);
    let before = sim.state();
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(
            "target academy: refusing to remove access of 6 of 10 users (6 deactivated): more than max_delete = 5"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(sim.state(), before, "nothing changed");
    ws.roster(&["apply", "--yes", "--allow-mass-delete"]).ok();
    let disabled = sim
        .lc_users()
        .iter()
        .filter(|u| u["enabled"] == false)
        .count();
    assert_eq!(disabled, 6);
}
