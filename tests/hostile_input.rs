//! Hostile input from the user's own files: the config, the manifests folder, secret files.
//! Whatever they hold, roster answers with located problems, never a panic, a hang or a leak.

mod util;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use util::{Out, Sim, Workspace};

const SEED: &str = "groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers: []\n";

/// How long any one run may take before the test calls it a hang.
const DEADLINE: Duration = Duration::from_secs(20);

/// `roster ARGS` in `dir`, killed (and the test failed) if it runs past [`DEADLINE`].
fn roster_within_deadline(dir: &Path, args: &[&str]) -> Out {
    let mut child = Command::new(util::roster_bin())
        .current_dir(dir)
        .env("XTRACTA_API_KEY", util::API_KEY)
        .env("LEARNINGCLOUD_TOKEN", util::LC_TOKEN)
        .env_remove("ROSTER_CONFIG")
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("roster {args:?} hung for more than {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Refused with exit 1, with `expected` in stderr, without a panic.
#[track_caller]
fn refused(out: &Out, expected: &str) {
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(!out.all().contains("panicked"), "{}", out.all());
    assert!(
        out.stderr.contains(expected),
        "missing {expected:?} in:\n{}",
        out.stderr
    );
}

const ONE_USER: &str = "users:\n  - email: a@example.com\n    name: A\n";

#[test]
fn numbers_and_durations_out_of_range_are_located_and_never_panic() {
    let sim = Sim::xtracta(SEED, &[]);
    for (extra, expected) in [
        (
            "    timeout: 99999999999999999999h\n",
            "roster.yaml:8:14: target acme: timeout: duration \"99999999999999999999h\" is out of range (1ms to 1h)",
        ),
        (
            "    rate_limit: 1e-20\n",
            "roster.yaml:8:17: target acme: `rate_limit` must be 0.001 to 100000 requests per second",
        ),
        (
            "daemon:\n  debounce: 99999999999999999999h\n",
            "roster.yaml:9:13: daemon: debounce: duration \"99999999999999999999h\" is out of range (10ms to 1h)",
        ),
    ] {
        let ws = Workspace::xtracta(&sim, extra);
        ws.write("users/a.yaml", ONE_USER);
        for cmd in [&["validate"][..], &["plan"][..], &["daemon"][..]] {
            refused(&roster_within_deadline(ws.path(), cmd), expected);
        }
    }
    assert_eq!(sim.total_requests(), 0);
}

#[test]
fn credentials_in_a_url_are_refused_without_echoing_the_password() {
    let ws = Workspace::new(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: https://bob:hunter2@api-app.xtracta.com/v1\n    api_key: { env: XTRACTA_API_KEY }\n    group_id: 12345\n",
    );
    ws.write("users/a.yaml", ONE_USER);
    let out = roster_within_deadline(ws.path(), &["validate"]);
    refused(
        &out,
        "roster.yaml:5:10: target acme: url \"https://***@api-app.xtracta.com/v1\" carries credentials",
    );
    assert!(!out.all().contains("hunter2"), "{}", out.all());
    assert!(!out.all().contains("bob"), "{}", out.all());
}

#[test]
fn a_target_name_that_is_not_a_file_name_is_refused() {
    let ws = Workspace::new(
        "manifests: users\ntargets:\n  ../../tmp/x:\n    provider: xtracta\n    url: https://api-app.xtracta.com/v1\n    api_key: { env: XTRACTA_API_KEY }\n    group_id: 12345\n",
    );
    ws.write("users/a.yaml", ONE_USER);
    refused(
        &roster_within_deadline(ws.path(), &["validate"]),
        "roster.yaml:4:5: invalid target name \"../../tmp/x\": it contains a path separator",
    );
}

#[test]
fn a_large_imported_account_validates() {
    let sim = Sim::xtracta(SEED, &[]);
    let mut state = sim.state();
    let users: Vec<serde_json::Value> = (0..30_000u64)
        .map(|i| {
            serde_json::json!({
                "user_id": 2000 + i,
                "name": format!("User {i}"),
                "email_address": format!("user{i}@example.com"),
                "primary_group_id": 12345,
                "assigned_workflows": [100],
            })
        })
        .collect();
    state["users"] = users.into();
    state["next_user_id"] = 40_000.into();
    sim.put_state(&state);
    let ws = Workspace::xtracta(&sim, "");
    ws.roster(&["import", "--target", "acme"]).ok();
    let out = ws.roster(&["validate"]);
    out.ok();
    assert!(out.stdout.contains("30000 users"), "{}", out.stdout);
}

/// A small file whose aliases expand to 20 million workflow ids (over a gigabyte as parsed):
/// the worst amplification roster's typed manifests allow.
fn alias_bomb() -> String {
    let ids: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let mut text = format!(
        "users:\n  - {{ email: u@example.com, name: U, workflows: &w [{}] }}\n",
        ids.join(", ")
    );
    for i in 0..10_000 {
        text.push_str(&format!(
            "  - {{ email: u{i}@example.com, name: U, workflows: *w }}\n"
        ));
    }
    text
}

/// `roster ARGS` in `dir` with its address space capped at 1 GiB.
fn roster_in_little_memory(dir: &Path, args: &str) -> Out {
    let script = format!(
        "ulimit -v 1048576 && exec '{}' {args}",
        util::roster_bin().display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .env("XTRACTA_API_KEY", util::API_KEY)
        .env_remove("ROSTER_CONFIG")
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn an_alias_bomb_fails_fast_in_little_memory() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/a.yaml", ONE_USER);
    // The cap leaves room for a normal run...
    roster_in_little_memory(ws.path(), "validate").ok();
    ws.write("users/bomb.yaml", &alias_bomb());
    let started = Instant::now();
    let out = roster_in_little_memory(ws.path(), "validate");
    // ...and none for 20 million workflow ids.
    refused(&out, "users/bomb.yaml:");
    assert!(
        out.stderr.contains(
            "too large or too deeply aliased: aliases expand to more than 250000 YAML nodes"
        ),
        "{}",
        out.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// A one-target Xtracta config whose API key is `{ file: KEY }`.
fn with_key_file(sim: &Sim, key: &str) -> Workspace {
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ file: {key} }}\n    group_id: 12345\n",
        sim.url()
    ));
    ws.write("users/a.yaml", ONE_USER);
    ws
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

#[test]
fn a_secret_file_others_can_read_is_named_in_one_warning_without_its_content() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Sim::xtracta(SEED, &[]);
    let ws = with_key_file(&sim, "acme.key");
    let key = ws.path().join("acme.key");
    std::fs::write(&key, format!("{}\n", util::API_KEY)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    for cmd in [&["validate"][..], &["plan"][..]] {
        let out = roster_within_deadline(ws.path(), cmd);
        out.ok();
        let warning =
            "secret file ./acme.key is readable by its group or others (mode 0644); `chmod 600` it";
        assert_eq!(
            out.stderr.matches(warning).count(),
            1,
            "{cmd:?}: {}",
            out.stderr
        );
        assert!(!out.all().contains(util::API_KEY), "{}", out.all());
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = roster_within_deadline(ws.path(), &["validate"]);
    out.ok();
    assert!(!out.stderr.contains("readable"), "{}", out.stderr);
}

#[test]
fn a_secret_file_that_is_a_fifo_a_device_or_huge_is_refused_without_blocking() {
    let sim = Sim::xtracta(SEED, &[]);
    for (key, expected) in [
        (
            "fifo.key",
            "api_key: secret file ./fifo.key: not a regular file (a fifo)",
        ),
        (
            "zero.key",
            "api_key: secret file ./zero.key: not a regular file (a character device)",
        ),
        (
            "big.key",
            "api_key: secret file ./big.key: file is 1048576 bytes, over the 64 KiB limit",
        ),
    ] {
        let ws = with_key_file(&sim, key);
        mkfifo(&ws.path().join("fifo.key"));
        std::os::unix::fs::symlink("/dev/zero", ws.path().join("zero.key")).unwrap();
        std::fs::write(ws.path().join("big.key"), vec![b'k'; 1 << 20]).unwrap();
        for cmd in [&["validate"][..], &["plan"][..]] {
            refused(&roster_within_deadline(ws.path(), cmd), expected);
        }
    }
    assert_eq!(sim.total_requests(), 0);
}

#[test]
fn link_loops_in_the_manifests_folder_end_fast() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/a.yaml", ONE_USER);
    ws.write(
        "users/team/b.yaml",
        "users:\n  - email: b@example.com\n    name: B\n",
    );
    let users = ws.path().join("users");
    // Two loops in each folder made the walk exponential, and a hang.
    for (link, to) in [
        ("here", "."),
        ("team/here", "."),
        ("team/up", ".."),
        ("team/again", "../team"),
    ] {
        std::os::unix::fs::symlink(to, users.join(link)).unwrap();
    }
    let started = Instant::now();
    let out = roster_within_deadline(ws.path(), &["validate"]);
    out.ok();
    assert!(
        out.stdout.contains("2 manifest files, 2 users"),
        "{}",
        out.stdout
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_dangling_link_in_the_manifests_folder_is_an_error_naming_it() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/a.yaml", ONE_USER);
    std::os::unix::fs::symlink("../elsewhere/b.yaml", ws.path().join("users/b.yaml")).unwrap();
    for cmd in [&["validate"][..], &["plan"][..], &["apply", "--yes"][..]] {
        refused(
            &roster_within_deadline(ws.path(), cmd),
            "users/b.yaml:1:1: broken link to \"../elsewhere/b.yaml\"",
        );
    }
    assert_eq!(sim.total_requests(), 0);
}

#[test]
fn a_fifo_or_a_device_in_the_manifests_folder_is_refused_without_hanging() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/a.yaml", ONE_USER);
    mkfifo(&ws.path().join("users/fifo.yaml"));
    std::os::unix::fs::symlink("/dev/zero", ws.path().join("users/zero.yaml")).unwrap();
    let out = roster_within_deadline(ws.path(), &["validate"]);
    refused(&out, "users/fifo.yaml:1:1: not a regular file (a fifo)");
    refused(
        &out,
        "users/zero.yaml:1:1: not a regular file (a character device)",
    );
    // The same for the config, and for a manifests path that is itself a FIFO.
    let ws = Workspace::xtracta(&sim, "");
    std::fs::remove_dir(ws.path().join("users")).unwrap();
    mkfifo(&ws.path().join("users"));
    refused(
        &roster_within_deadline(ws.path(), &["validate"]),
        "manifests users: not a regular file or folder (a fifo)",
    );
    std::fs::remove_file(ws.path().join("roster.yaml")).unwrap();
    mkfifo(&ws.path().join("roster.yaml"));
    refused(
        &roster_within_deadline(ws.path(), &["validate"]),
        "roster.yaml:1:1: not a regular file (a fifo)",
    );
}

#[test]
fn a_manifest_growing_while_read_is_never_read_past_the_cap() {
    use std::io::Write;
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    let path = ws.path().join("users/a.yaml");
    std::fs::write(&path, "users:\n").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, path) = (stop.clone(), path.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            let chunk = "# growing\n".repeat(100_000);
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && written < 80 << 20 {
                f.write_all(chunk.as_bytes()).unwrap();
                written += chunk.len();
            }
        })
    };
    let out = roster_in_little_memory(ws.path(), "validate");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        [
            "kept changing while being read",
            "over the 64 MiB limit",
            "users/a.yaml:"
        ]
        .iter()
        .any(|m| out.stderr.contains(m)),
        "{}",
        out.stderr
    );
}

#[test]
fn a_symlinked_manifests_folder_is_read_below_where_it_pointed_and_shown_as_configured() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::new(&format!(
        "manifests: current/users\ntargets:\n  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n",
        sim.url()
    ));
    // git-sync's layout: `current` is a link to one checkout, swapped atomically for the next.
    ws.write("rev-1/users/a.yaml", ONE_USER);
    ws.write(
        "rev-2/users/a.yaml",
        "users:\n  - email: a@example.com\n    nmae: typo\n",
    );
    std::os::unix::fs::symlink("rev-1", ws.path().join("current")).unwrap();
    roster_within_deadline(ws.path(), &["validate"]).ok();
    let next = ws.path().join("current.next");
    std::os::unix::fs::symlink("rev-2", &next).unwrap();
    std::fs::rename(&next, ws.path().join("current")).unwrap();
    refused(
        &roster_within_deadline(ws.path(), &["validate"]),
        "current/users/a.yaml:3:5: unknown field `nmae`",
    );
}

#[test]
fn learningcloud_values_refuse_control_characters_too() {
    let sim = Sim::learningcloud("users: []\n", &[]);
    let ws = Workspace::learningcloud(&sim, "");
    ws.write(
        "users/a.yaml",
        "users:\n  - username: \"bo\\e[31m\"\n    email: bo@acme.example\n    name: Bo\n    surname: Chen\n    language: es\n    timezone: Europe/Madrid\n    external_id: \"HR\\u0085\"\n    extended_fields: { costCenter: \"CC\\r\" }\n",
    );
    let out = roster_within_deadline(ws.path(), &["validate"]);
    for expected in [
        "users/a.yaml:2:15: `username` contains a control character or line break (U+001B)",
        "users/a.yaml:8:18: `external_id` contains a control character or line break (U+0085)",
        "users/a.yaml:9:36: `extended_fields.costCenter` contains a control character or line break (U+000D)",
    ] {
        refused(&out, expected);
    }
    assert!(!out.all().contains('\u{1b}'), "{:?}", out.all());
}
