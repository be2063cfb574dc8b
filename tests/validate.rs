//! `roster validate` and bad input: every problem with file:line:col, and nothing sent.

mod util;

use util::{Sim, Workspace};

const SEED: &str = "groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers: []\n";

#[test]
fn valid_workspace_passes() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write(
        "users/a.yaml",
        "target: acme\nusers:\n  - email: a@example.com\n    name: A\n    workflows: [100]\n",
    );
    let out = ws.roster(&["validate"]);
    out.ok();
    assert!(
        out.stdout
            .contains("valid: 1 target, 1 manifest file, 1 user"),
        "{}",
        out.stdout
    );
}

#[test]
fn every_problem_is_located_and_nothing_is_sent() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: ana@example.com\n    name: Ana\n  - email: not-an-email\n    name: X\n",
    );
    ws.write(
        "users/g.yaml",
        "users:\n  - email: c@example.com\n    nmae: typo\n",
    );
    ws.write(
        "users/b.yaml",
        "users:\n  - email: ANA@example.com\n    name: Ana again\n  - name: no email\n",
    );
    ws.write("users/c.yaml", "target: nowhere\nusers: []\n");
    ws.write("users/d.yaml", "users: [\n");
    ws.write("users/e.yaml", "users:\n  - email: e@example.com\n    name: E\n    password: { env: ROSTER_TEST_UNSET_VAR }\n");
    ws.write(
        "users/f.yaml",
        "users:\n  - email: f@example.com\n    name: F\n    surname: Nope\n",
    );
    for cmd in [&["validate"][..], &["plan"][..], &["apply", "--yes"][..]] {
        let out = ws.roster(cmd);
        assert_eq!(out.code, 1, "{cmd:?}: {}", out.all());
        let e = &out.stderr;
        for expected in [
            "users/a.yaml:4:12: invalid e-mail \"not-an-email\"",
            "users/g.yaml:3:5: unknown field `nmae`",
            "users/b.yaml:2:5: user ana@example.com declared twice (first at users/a.yaml:2:5)",
            "users/b.yaml:4:5: missing field `email`",
            "users/c.yaml:1:9: unknown target \"nowhere\"",
            "users/d.yaml:1:8: unclosed bracket",
            "users/e.yaml:4:15: password: environment variable ROSTER_TEST_UNSET_VAR is not set",
            "users/f.yaml:4:14: `surname` is not a field of xtracta users",
        ] {
            assert!(
                e.contains(expected),
                "{cmd:?}: missing {expected:?} in:\n{e}"
            );
        }
        assert!(e.contains("nothing was sent"), "{e}");
    }
    assert_eq!(sim.total_requests(), 0, "bad input must send nothing");
}

#[test]
fn config_problems_are_located() {
    let ws = Workspace::new(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: http://api-app.xtracta.com/v1\n    api_key: { env: ROSTER_TEST_UNSET_KEY }\n    group_idd: 5\n",
    );
    ws.write("users/a.yaml", "users: []\n");
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("roster.yaml:7:5: unknown field `group_idd`"),
        "{}",
        out.stderr
    );
    let ws = Workspace::new(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: http://api-app.xtracta.com/v1\n    api_key: { env: ROSTER_TEST_UNSET_KEY }\n    group_id: 5\n  other:\n    provider: salesforce\n    url: https://x.example\n",
    );
    ws.write("users/a.yaml", "target: acme\nusers: []\n");
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1);
    for expected in [
        "roster.yaml:5:10: target acme: plain http is refused",
        "roster.yaml:6:14: api_key: environment variable ROSTER_TEST_UNSET_KEY is not set",
        "roster.yaml:9:15: target other: unknown provider \"salesforce\"",
    ] {
        assert!(
            out.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            out.stderr
        );
    }
}

#[test]
fn missing_config_and_missing_manifests_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(util::roster_bin())
        .current_dir(dir.path())
        .env_remove("ROSTER_CONFIG")
        .arg("validate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read roster.yaml: entity not found"));
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    std::fs::remove_dir(ws.path().join("users")).unwrap();
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("manifests users: entity not found"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.total_requests(), 0);
}

#[test]
fn control_characters_odd_e_mails_and_overlong_values_are_located_and_nothing_is_sent() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    let long = "n".repeat(257);
    ws.write(
        "users/a.yaml",
        &format!(
            "users:\n  - email: a@example.com\n    name: \"Ana\\e]0;owned\\a\"\n  - email: \"b@example.com,eve@evil.example\"\n    name: B\n  - email: \"Eve <eve@evil.example>\"\n    name: E\n  - email: c@example.com\n    name: {long}\n  - email: \"d@example.com\\0\"\n    name: D\n  - email: o'brien@example.com\n    name: \"Line\\nbreak\"\n  - email: f@example.com\n    name: F\n    password: {{ env: \"X\\e[2J\" }}\n"
        ),
    );
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.all());
    for expected in [
        "users/a.yaml:3:11: `name` contains a control character or line break (U+001B)",
        "users/a.yaml:4:12: invalid e-mail \"b@example.com,eve@evil.example\": a comma is not allowed in an address",
        "users/a.yaml:6:12: invalid e-mail \"Eve <eve@evil.example>\": a space is not allowed in an address",
        "users/a.yaml:9:11: `name` is 257 characters long, over the 256 limit",
        "users/a.yaml:10:12: `email` contains a control character or line break (U+0000)",
        "users/a.yaml:13:11: `name` contains a control character or line break (U+000A)",
        "users/a.yaml:16:15: password: a secret's `env` contains a control character or line break",
    ] {
        assert!(
            out.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            out.stderr
        );
    }
    assert!(!out.all().contains('\u{1b}'), "{:?}", out.all());
    assert!(!out.stderr.contains("o'brien"), "{}", out.stderr);
    assert_eq!(sim.total_requests(), 0);
}
