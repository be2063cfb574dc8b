//! `roster doctor` against the simulators and a few stubs: a healthy target, a wrong key, an
//! unreachable host, TLS failures, a missing group, each reading of each unknown told apart
//! by `--write-probe`, and the canary removed afterwards even when the probe fails half-way.

mod util;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{API_KEY, LC_TOKEN, Out, Sim, UIPATH_CLIENT_SECRET, UIPATH_PGID, Workspace};

fn doctor(ws: &Workspace, args: &[&str]) -> Out {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    let out = ws.roster(&all);
    for secret in [API_KEY, LC_TOKEN, UIPATH_CLIENT_SECRET] {
        assert!(
            !out.all().contains(secret),
            "a secret shows:\n{}",
            out.all()
        );
    }
    out
}

/// The check's line of human output, e.g. `  ok    auth  …`.
#[track_caller]
fn line<'a>(out: &'a Out, status: &str, check: &str) -> &'a str {
    let prefix = format!("  {status:<4}  {check} ");
    out.stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {status} {check} in\n{}", out.all()))
}

fn findings(ws: &Workspace, target: &str) -> Value {
    let path = ws.path().join(format!(".roster/{target}.doctor.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const XT_SEED: &str = "\
groups: [12345, 777]
workflows:
  - { id: 100, name: Invoices }
  - { id: 200, name: Receipts }
users:
  - { id: 4092, name: Bo, email: bo@example.com, group: 12345, workflows: [100] }
  - { id: 5001, name: Partner, email: clerk@partner.example, group: 777, workflows: [100] }
";

const XT_USERS: &str =
    "users:\n  - { id: 4092, email: bo@example.com, name: Bo, workflows: [100] }\n";

#[test]
fn a_healthy_target_passes_and_its_findings_are_saved() {
    let sim = Sim::xtracta(XT_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/acme.yaml", XT_USERS);
    let out = doctor(&ws, &[]);
    out.ok();
    for check in [
        "secrets",
        "dns",
        "tcp",
        "tls",
        "auth",
        "key group",
        "workflows",
        "read",
        "names",
        "estimate",
        "clock",
        "rate limit",
        "latency",
    ] {
        line(&out, "ok", check);
    }
    assert!(
        line(&out, "ok", "read").contains("1 user in scope"),
        "{}",
        out.stdout
    );
    assert!(line(&out, "ok", "estimate").contains("nothing to apply"));
    assert!(out.stdout.contains("0 warn, 0 fail."), "{}", out.stdout);
    let saved = findings(&ws, "acme");
    assert_eq!(saved["provider"], "xtracta");
    assert_eq!(saved["findings"]["key_group"]["value"], "12345");

    let json = doctor(&ws, &["--output", "json"]);
    json.ok();
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!((&doc["kind"], &doc["ok"]), (&"doctor".into(), &true.into()));
    let checks = doc["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .all(|c| c["status"] == "ok" && c["check"].is_string()),
        "{doc}"
    );
    assert_eq!(checks[0]["target"], Value::Null);
    assert_eq!(checks[1]["target"], "acme");
    assert_eq!(sim.users().len(), 2, "read-only: nothing written");
}

#[test]
fn a_wrong_key_fails_auth_and_says_what_to_do() {
    let sim = Sim::xtracta(XT_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/acme.yaml", XT_USERS);
    let out = ws.roster_env(&["doctor"], &[("XTRACTA_API_KEY", "wrong-key-31")]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(line(&out, "fail", "auth").contains("vendor answered 401: invalid api key"));
    assert!(out.stdout.contains("→ check `api_key`"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("  ok    read"),
        "nothing more is asked:\n{}",
        out.stdout
    );
    assert!(!out.all().contains("wrong-key-31"));
}

#[test]
fn an_unreachable_host_fails_tcp_or_dns() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    for (url, check, why) in [
        (
            format!("http://127.0.0.1:{port}/v1"),
            "tcp",
            "connection refused",
        ),
        (
            "https://roster-doctor-test.invalid/v1".to_string(),
            "dns",
            "cannot resolve roster-doctor-test.invalid",
        ),
    ] {
        let ws = Workspace::new(&format!(
            "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: {url}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n    timeout: 5s\n"
        ));
        ws.write("users/acme.yaml", XT_USERS);
        let out = doctor(&ws, &[]);
        assert_eq!(out.code, 1, "{}", out.all());
        assert!(line(&out, "fail", check).contains(why), "{}", out.stdout);
        assert!(!out.stdout.contains(" auth "), "{}", out.stdout);
    }
}

/// `openssl s_server` with a self-signed certificate for 127.0.0.1, stopped when dropped.
struct TlsServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tls_server() -> Option<TlsServer> {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "2"])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is needed for the TLS test under CI"
        );
        eprintln!("skipping the self-signed TLS test: no openssl");
        return None;
    }
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let child = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "s_server", "-quiet", "-www", "-cert", "c.pem", "-key", "k.pem",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = TlsServer {
        child,
        port,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "openssl s_server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

fn https_target(port: u16) -> Workspace {
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: https://127.0.0.1:{port}/v1\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n    timeout: 5s\n"
    ));
    ws.write("users/acme.yaml", XT_USERS);
    ws
}

#[test]
fn a_self_signed_certificate_fails_tls_and_stops_there() {
    let Some(server) = tls_server() else { return };
    let out = doctor(&https_target(server.port), &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let tls = line(&out, "fail", "tls");
    assert!(
        tls.contains("TLS with 127.0.0.1 failed: invalid peer certificate"),
        "{tls}"
    );
    assert!(
        out.stdout
            .contains("does not trust the certificate's issuer"),
        "{}",
        out.stdout
    );
    line(&out, "ok", "tcp");
    assert!(!out.stdout.contains(" auth "), "{}", out.stdout);
}

#[test]
fn https_to_a_plain_http_port_fails_tls() {
    let sim = Sim::xtracta(XT_SEED, &[]);
    let port: u16 = sim.addr.rsplit(':').next().unwrap().parse().unwrap();
    let out = doctor(&https_target(port), &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        line(&out, "fail", "tls").contains("TLS with 127.0.0.1 failed"),
        "{}",
        out.stdout
    );
}

fn uipath(sim: &Sim) -> Workspace {
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  org:\n    provider: uipath\n    url: {}\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n",
        sim.identity_url()
    ));
    ws.write(
        "users/org.yaml",
        "users:\n  - { email: ron@example.com, name: Ron }\n",
    );
    ws
}

const UI_SEED: &str = "groups: [{ name: gryff-01 }]\nusers:\n  - { email: harry@example.com, name: Harry, groups: [gryff-01] }\n  - { email: ron@example.com, name: Ron }\n";

#[test]
fn a_missing_group_fails_names() {
    let sim = Sim::uipath(UI_SEED, &[]);
    let ws = uipath(&sim);
    ws.write(
        "users/org.yaml",
        "users:\n  - { email: harry@example.com, name: Harry, groups: [gryff-01, slyth-02] }\n",
    );
    let out = doctor(&ws, &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let names = line(&out, "fail", "names");
    assert!(names.contains("unknown group \"slyth-02\""), "{names}");
    line(&out, "ok", "scopes");
    assert!(line(&out, "ok", "paging").contains("skip moves on and totalCount says 2"));
}

#[test]
fn the_write_probe_is_refused_without_a_terminal_unless_yes() {
    let sim = Sim::xtracta(XT_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/acme.yaml", XT_USERS);
    let out = doctor(&ws, &["--write-probe"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("refusing --write-probe without confirmation"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.total_requests(), 0, "nothing was sent");
}

fn no_canary(users: &[Value], key: &str) {
    assert!(
        users.iter().all(|u| !u[key]
            .as_str()
            .unwrap_or_default()
            .contains("roster-canary-")),
        "a canary is left: {users:?}"
    );
}

const LC_SEED: &str = "users:\n  - { username: u1, email: u1@acme.example, name: U, surname: One, language: en, timezone: UTC }\n  - { username: u2, email: u2@acme.example, name: U, surname: Two, language: en, timezone: UTC }\n  - { username: u3, email: u3@acme.example, name: U, surname: Three, language: en, timezone: UTC }\n";

const LC_USERS: &str = "users:\n  - { username: u1, email: u1@acme.example, name: U, surname: One, language: en, timezone: UTC }\n";

#[test]
fn learningcloud_put_and_paging_readings_are_told_apart() {
    for (reading, put, paging, counting) in [
        (
            &[][..],
            "merges",
            "users-from-0",
            "startIndex counts users from 0",
        ),
        (
            &["--put-replaces", "--start-index", "1"],
            "replaces",
            "users-from-1",
            "startIndex counts users from 1",
        ),
        (
            &["--page-by-number"],
            "merges",
            "pages-from-0",
            "startIndex counts pages from 0",
        ),
        (
            &["--put-replaces", "--start-index", "1", "--page-by-number"],
            "replaces",
            "pages-from-1",
            "startIndex counts pages from 1",
        ),
    ] {
        let sim = Sim::learningcloud(LC_SEED, reading);
        let ws = Workspace::learningcloud(&sim, "");
        ws.write("users/academy.yaml", LC_USERS);
        let out = doctor(&ws, &["--write-probe", "--yes"]);
        out.ok();
        assert!(
            line(&out, "ok", "paging").contains(counting),
            "{reading:?}: {}",
            out.stdout
        );
        let want = if put == "merges" {
            "PUT merges"
        } else {
            "PUT replaces the record"
        };
        assert!(
            line(&out, "ok", "probe: put").contains(want),
            "{reading:?}: {}",
            out.stdout
        );
        for step in [
            "probe: create",
            "probe: update",
            "probe: roles",
            "probe: cleanup",
        ] {
            line(&out, "ok", step);
        }
        let saved = findings(&ws, "academy");
        assert_eq!(saved["findings"]["put"]["value"], put, "{reading:?}");
        assert_eq!(saved["findings"]["paging"]["value"], paging, "{reading:?}");
        no_canary(&sim.lc_users(), "username");
        assert_eq!(sim.lc_users().len(), 3);

        // The client reads the findings when it connects and says what it does.
        let plan = ws.roster(&["--log-level", "info", "plan"]);
        plan.ok();
        let said = if put == "merges" {
            "PUT merges into the record"
        } else {
            "PUT replaces the whole record"
        };
        assert!(plan.stderr.contains(said), "{}", plan.stderr);
        assert!(plan.stderr.contains(counting), "{}", plan.stderr);
    }
}

#[test]
fn uipath_partition_admin_rights_and_nameless_groups_are_told() {
    let seed = format!("{UI_SEED}  - {{ email: x@example.com, name: X, groups: [0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e99] }}\n")
        .replace("groups: [{ name: gryff-01 }]", "groups: [{ name: gryff-01 }, { id: 0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e99, name: null }]");
    for (reading, status, finding) in [
        (&[][..], "ok", "present"),
        (&["--deny-partition-admin"], "warn", "missing"),
    ] {
        let sim = Sim::uipath(&seed, reading);
        let ws = uipath(&sim);
        let out = doctor(&ws, &["--write-probe", "--yes"]);
        out.ok();
        let groups = line(&out, status, "probe: groups");
        if finding == "missing" {
            assert!(
                groups.contains("lacks partition administrator rights"),
                "{groups}"
            );
            assert!(
                out.stdout
                    .contains("add the external application to the organisation's administrators")
            );
        } else {
            assert!(groups.contains("joined and left gryff-01"), "{groups}");
        }
        assert!(
            line(&out, "warn", "groups").contains("1 without a name"),
            "{}",
            out.stdout
        );
        line(&out, "ok", "probe: update");
        line(&out, "ok", "probe: cleanup");
        assert_eq!(
            findings(&ws, "org")["findings"]["partition_admin"]["value"],
            finding
        );
        let users = sim.state()["users"].as_array().unwrap().clone();
        no_canary(&users, "email");
        assert_eq!(users.len(), 3);
        if finding == "missing" {
            let plan = ws.roster(&["plan"]);
            assert!(
                plan.stderr.contains("lacks partition administrator rights"),
                "{}",
                plan.stderr
            );
        }
    }
}

#[test]
fn xtracta_key_group_and_workflow_membership_are_told() {
    for (reading, group) in [
        (&[][..], "group 12345 (the target's group_id 12345)"),
        (
            &["--key-group", "777"],
            "group 777 (not the target's group_id 12345",
        ),
    ] {
        let sim = Sim::xtracta(XT_SEED, reading);
        let ws = Workspace::xtracta(&sim, "");
        // Workflow 200 has no member: leaving it again sends an empty user_ids=.
        ws.write("users/acme.yaml", "users:\n  - { id: 4092, email: bo@example.com, name: Bo, workflows: [100] }\n  - { email: new@example.com, name: New, workflows: [200] }\n");
        let out = doctor(&ws, &["--write-probe", "--yes"]);
        out.ok();
        assert!(
            line(&out, "ok", "key group").contains(group),
            "{}",
            out.stdout
        );
        let wf = line(&out, "ok", "probe: workflows");
        assert!(
            wf.contains("joined and left workflow 200, and its 0 other members stayed; leaving sent an empty user_ids=, which emptied it"),
            "{wf}"
        );
        assert_eq!(
            findings(&ws, "acme")["findings"]["empty_user_ids"]["value"],
            "empties"
        );
        line(&out, "ok", "probe: cleanup");
        let users = sim.users();
        assert_eq!(users.len(), 2);
        assert!(
            users.iter().all(|u| !u.2.contains("roster-canary-")),
            "{users:?}"
        );
        assert_eq!(users[0].4, [100], "bo's workflows are as before");
    }
}

#[test]
fn the_canary_is_removed_even_when_the_probe_fails_half_way() {
    // Every write is done, then its answer is cut off: the create is found by username, the
    // update is retried until it gives up, and the delete's repeat finds the canary gone.
    let sim = Sim::learningcloud(LC_SEED, &["--ambiguous-rate", "1"]);
    let ws = Workspace::learningcloud(&sim, "    max_attempts: 2\n");
    ws.write("users/academy.yaml", LC_USERS);
    let out = doctor(&ws, &["--write-probe", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        line(&out, "ok", "probe: create").contains("its answer was lost"),
        "{}",
        out.stdout
    );
    line(&out, "fail", "probe: update");
    assert!(
        line(&out, "ok", "probe: cleanup").contains("removed"),
        "{}",
        out.stdout
    );
    no_canary(&sim.lc_users(), "username");
    assert_eq!(sim.lc_users().len(), 3);
}

/// A learningCloud that takes every write but never deletes, and never shows a change.
fn stubborn_learningcloud() -> std::net::SocketAddr {
    use axum::http::{Method, StatusCode};
    async fn answer(method: Method, uri: axum::http::Uri) -> (StatusCode, String) {
        let envelope = |status: u16| {
            format!(r#"{{"status":{status},"message":"simulated","responsePlatforms":{{}}}}"#)
        };
        let user = r#"{"id":"ff8081818d2e4a010000000000000009","username":"roster-canary-0","email":"x@invalid.example","name":"Roster","surname":"Canary","language":"en","timezone":"UTC","enabled":true,"location":"roster doctor canary"}"#;
        let listing = uri.path().ends_with("/users");
        match method {
            Method::GET if listing => (StatusCode::OK, "[]".into()),
            Method::GET => (StatusCode::OK, user.into()),
            Method::DELETE => (StatusCode::INTERNAL_SERVER_ERROR, envelope(500)),
            _ => (StatusCode::OK, envelope(200)),
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = axum::Router::new().fallback(answer);
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn a_canary_that_cannot_be_removed_is_said_loudly() {
    let addr = stubborn_learningcloud();
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  academy:\n    provider: learningcloud\n    url: http://{addr}/integration/ws/management/rest\n    token: {{ env: LEARNINGCLOUD_TOKEN }}\n    max_attempts: 1\n"
    ));
    ws.write("users/academy.yaml", LC_USERS);
    let out = doctor(&ws, &["--write-probe", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        line(&out, "fail", "probe: update").contains("the rename did not take effect"),
        "{}",
        out.stdout
    );
    let cleanup = line(&out, "fail", "probe: cleanup");
    assert!(
        cleanup.contains("COULD NOT REMOVE the canary user roster-canary-"),
        "{cleanup}"
    );
    assert!(cleanup.contains("vendor answered 500"), "{cleanup}");
    assert!(
        out.stdout.contains("delete it by hand in learningCloud"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("error: COULD NOT REMOVE the canary user"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_write_probe_waits_for_no_one_and_writes_nothing_while_another_applies() {
    let sim = Sim::xtracta(XT_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/acme.yaml", XT_USERS);
    std::fs::create_dir_all(ws.path().join(".roster")).unwrap();
    let held = std::fs::File::create(ws.path().join(".roster/acme.lock")).unwrap();
    held.try_lock().unwrap();
    let out = doctor(&ws, &["--write-probe", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        line(&out, "fail", "probe").contains("not run:"),
        "{}",
        out.stdout
    );
    line(&out, "ok", "read");
    assert!(!out.stdout.contains("probe: create"), "{}", out.stdout);
    assert_eq!(
        sim.requests()["by_endpoint"]["/v1/user/add"],
        Value::Null,
        "{}",
        sim.requests()
    );
}
