//! The GitOps workflow: import, saved plans and their staleness checks, JSON and markdown
//! output, redaction, schemas, ignored fields, and the example repo.

mod util;

use std::path::Path;

use serde_json::Value;
use util::{API_KEY, LC_TOKEN, Sim, UIPATH_CLIENT_SECRET, UIPATH_PGID, Workspace};

const XSEED: &str = "\
groups: [12345, 777]
workflows:
  - { id: 100, name: Invoices }
  - { id: 200, name: Receipts }
users:
  - { id: 4092, name: \"Bo \\\"Bobby\\\" O'Chen: #1\", email: bo@example.com, group: 12345, workflows: [200, 100], password: Secret-pw-1 }
  - { id: 4093, name: Carla Souza, email: carla@example.com, group: 12345, workflows: [] }
  - { id: 5001, name: Outsider, email: out@partner.example, group: 777, workflows: [100] }
";

fn schema(kind: &str) -> Value {
    let out = std::process::Command::new(util::roster_bin())
        .args(["schema", kind])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[track_caller]
fn assert_valid(schema: &Value, doc: &Value) {
    let validator = jsonschema::validator_for(schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "document does not match its schema:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

#[test]
fn import_then_plan_is_empty_for_xtracta() {
    let sim = Sim::xtracta(XSEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.roster(&["import", "--target", "acme"]).ok();
    let text = std::fs::read_to_string(ws.path().join("users/acme.yaml")).unwrap();
    assert!(
        !text.contains("Secret-pw-1") && !text.contains("password"),
        "{text}"
    );
    assert!(
        text.contains("id: 4092") && !text.contains("out@partner.example"),
        "{text}"
    );
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{text}", plan.all());
    assert!(
        ws.roster(&["import", "--target", "acme"]).code != 0,
        "refuses to overwrite"
    );
    ws.roster(&[
        "import",
        "--target",
        "acme",
        "--force",
        "--out",
        "elsewhere",
    ])
    .ok();
}

#[test]
fn import_then_plan_is_empty_for_uipath() {
    let seed = "groups: [{ name: gryff-01 }]\nusers:\n  - { email: h@example.com, user_name: hgranger, name: Hermione, surname: Granger, groups: [Administrators, gryff-01] }\n  - { email: r@example.com, name: Ron, active: false }\n  - { email: robot@example.com, name: Robo, type: robot }\n";
    let sim = Sim::uipath(seed, &[]);
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  robots-org:\n    provider: uipath\n    url: {}\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n",
        sim.identity_url()
    ));
    ws.roster(&["import", "--target", "robots-org"]).ok();
    let text = std::fs::read_to_string(ws.path().join("users/robots-org.yaml")).unwrap();
    assert!(
        text.contains("user_name: \"hgranger\"") && text.contains("active: false"),
        "{text}"
    );
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{text}", plan.all());
}

#[test]
fn import_then_plan_is_empty_for_learningcloud() {
    let seed = "users:\n  - { username: rest.user, email: rest@example.com, name: Rest, surname: User, language: en, timezone: Europe/Madrid, enabled: false, roles: { management: [user, admin], training: [trainer] }, external_id: HR-1, extended_fields: { costCenter: CC-1 } }\n";
    let sim = Sim::learningcloud(seed, &[]);
    let ws = Workspace::learningcloud(&sim, "");
    ws.roster(&["import", "--target", "academy"]).ok();
    let text = std::fs::read_to_string(ws.path().join("users/academy.yaml")).unwrap();
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{text}", plan.all());
    assert!(!text.contains(LC_TOKEN));
}

fn saved_world() -> (Sim, Workspace) {
    let sim = Sim::xtracta(XSEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: bo@example.com\n    name: Bo Chen\n    workflows: [100, 200]\n  - email: new@example.com\n    name: New\n    password: { env: NEW_PASSWORD }\n",
    );
    (sim, ws)
}

const PW: [(&str, &str); 1] = [("NEW_PASSWORD", "Very-secret-9")];

#[test]
fn a_saved_plan_is_applied_exactly_and_holds_no_secrets() {
    let (sim, ws) = saved_world();
    ws.roster_env(&["plan", "--out", "plan.json"], &PW).ok();
    let file = ws.path().join("plan.json");
    let text = std::fs::read_to_string(&file).unwrap();
    for secret in ["Very-secret-9", API_KEY] {
        assert!(!text.contains(secret), "secret in the saved plan");
    }
    assert!(text.contains("NEW_PASSWORD"), "the password is referenced");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No --yes and no terminal: the file is the approval.
    let out = ws.roster_env(&["apply", "plan.json"], &PW);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(sim.user_by_email("bo@example.com").unwrap().1, "Bo Chen");
    assert_eq!(
        sim.password_of("new@example.com").as_deref(),
        Some("Very-secret-9")
    );
    assert_eq!(ws.roster_env(&["plan", "--detailed-exitcode"], &PW).code, 0);
}

#[test]
fn a_stale_saved_plan_is_refused_for_each_cause() {
    type Spoil = fn(&Sim, &Workspace);
    let causes: [(&str, Spoil); 4] = [
        ("the config", |_, ws| {
            let p = ws.path().join("roster.yaml");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(p, text + "    max_delete: 3\n").unwrap();
        }),
        ("the manifests under users changed", |_, ws| {
            ws.write(
                "users/b.yaml",
                "users:\n  - email: other@example.com\n    name: Other\n",
            );
        }),
        (
            "user bo@example.com (id 4092) changed at the vendor",
            |sim, _| {
                let mut state = sim.state();
                state["users"][0]["name"] = "Changed by hand".into();
                sim.put_state(&state);
            },
        ),
        (
            "user new@example.com, which the plan creates, now exists",
            |sim, _| {
                let mut state = sim.state();
                let mut user = state["users"][1].clone();
                user["user_id"] = 9999.into();
                user["email_address"] = "new@example.com".into();
                state["users"].as_array_mut().unwrap().push(user);
                sim.put_state(&state);
            },
        ),
    ];
    for (reason, spoil) in causes {
        let (sim, ws) = saved_world();
        ws.roster_env(&["plan", "--out", "plan.json"], &PW).ok();
        spoil(&sim, &ws);
        let before = sim.state();
        sim.reset_requests();
        let out = ws.roster_env(&["apply", "plan.json"], &PW);
        assert_eq!(out.code, 1, "{reason}: {}", out.all());
        assert!(
            out.stderr.contains("is stale") && out.stderr.contains(reason),
            "{reason}:\n{}",
            out.stderr
        );
        assert_eq!(sim.state(), before, "{reason}: nothing changed");
        let reqs = sim.requests();
        for write in ["/v1/user/add", "/v1/user/update", "/v1/workflow/update"] {
            assert!(reqs["by_endpoint"].get(write).is_none(), "{reason}: {reqs}");
        }
    }
}

#[test]
fn json_output_matches_its_published_schema() {
    let (_sim, ws) = saved_world();
    let plan: Value =
        serde_json::from_str(&ws.roster_env(&["plan", "--output", "json"], &PW).stdout).unwrap();
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["kind"], "plan");
    assert_eq!(plan["summary"]["create"], 1);
    assert_valid(&schema("plan-output"), &plan);
    let applied = ws.roster_env(&["apply", "--yes", "--output", "json"], &PW);
    let applied: Value =
        serde_json::from_str(&applied.stdout).unwrap_or_else(|e| panic!("{e}: {}", applied.all()));
    assert_eq!(applied["kind"], "apply");
    assert_eq!(applied["ok"], true);
    assert_valid(&schema("plan-output"), &applied);
    let valid: Value =
        serde_json::from_str(&ws.roster_env(&["validate", "--output", "json"], &PW).stdout)
            .unwrap();
    assert_valid(&schema("validate-output"), &valid);
    ws.write("users/bad.yaml", "users:\n  - email: nope\n    name: X\n");
    let invalid = ws.roster_env(&["validate", "--output", "json"], &PW);
    assert_eq!(invalid.code, 1);
    let invalid: Value = serde_json::from_str(&invalid.stdout).unwrap();
    assert_eq!(invalid["valid"], false);
    assert_eq!(invalid["problems"][0]["file"], "users/bad.yaml");
    assert_eq!(invalid["problems"][0]["line"], 2);
    assert_valid(&schema("validate-output"), &invalid);
}

#[test]
fn markdown_output_snapshot() {
    let (sim, ws) = saved_world();
    let out = ws.roster_env(&["plan", "--output", "markdown"], &PW);
    out.ok();
    insta::assert_snapshot!("gitops_plan_markdown", out.stdout.replace(&sim.addr, "SIM"));
}

#[test]
fn redact_leaves_no_personal_data() {
    let (_sim, ws) = saved_world();
    for format in ["human", "json", "markdown"] {
        let out = ws.roster_env(&["plan", "--redact", "--output", format], &PW);
        out.ok();
        for personal in [
            "bo@example.com",
            "new@example.com",
            "carla@example.com",
            "Bo Chen",
            "Carla Souza",
            "O'Chen",
            "example.com",
        ] {
            assert!(
                !out.stdout.contains(personal),
                "{format}: {personal} in\n{}",
                out.stdout
            );
        }
        assert!(
            out.stdout.contains("b***@e***.com#"),
            "{format}: users can still be told apart:\n{}",
            out.stdout
        );
    }
}

#[test]
fn ignored_fields_are_left_alone() {
    let sim = Sim::xtracta(XSEED, &[]);
    let ws = Workspace::xtracta(&sim, "    ignore: [workflows]\n");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: carla@example.com\n    name: Carla by Git\n    ignore: [name]\n    workflows: [100]\n",
    );
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(!plan.stdout.contains("ignored"), "{}", plan.stdout);
    let shown = ws.roster(&["plan", "--show-ignored"]);
    assert!(
        shown.stdout.contains("= ignored carla@example.com"),
        "{}",
        shown.stdout
    );
    assert!(
        shown
            .stdout
            .contains("name is \"Carla Souza\", manifest says \"Carla by Git\""),
        "{}",
        shown.stdout
    );
    ws.roster(&["apply", "--yes"]).ok();
    let carla = sim.user_by_email("carla@example.com").unwrap();
    assert_eq!((carla.1.as_str(), carla.4.len()), ("Carla Souza", 0));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: carla@example.com\n    name: C\n    ignore: [nmae]\n",
    );
    let bad = ws.roster(&["validate"]);
    assert!(
        bad.stderr
            .contains("users/a.yaml:4:14: unknown field \"nmae\" in `ignore`"),
        "{}",
        bad.stderr
    );
}

fn gitops_example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gitops")
}

#[test]
fn published_schemas_are_current_and_the_examples_match_them() {
    let dir = gitops_example();
    for kind in ["config", "manifest"] {
        let file: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("schema/{kind}.schema.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            file,
            schema(kind),
            "examples/gitops/schema/{kind}.schema.json is out of date: regenerate it with `roster schema {kind}`"
        );
    }
    let check = |path: &Path, kind: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{} lacks the schema line",
            path.display()
        );
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        assert_valid(&schema(kind), &doc);
    };
    check(&dir.join("roster.yaml"), "config");
    for entry in std::fs::read_dir(dir.join("users")).unwrap() {
        check(&entry.unwrap().path(), "manifest");
    }
    // A typo the schema catches, as an editor would show it.
    let typo: Value =
        serde_saphyr::from_str("users:\n  - email: a@example.com\n    nmae: A\n").unwrap();
    let validator = jsonschema::validator_for(&schema("manifest")).unwrap();
    assert!(!validator.is_valid(&typo));
}

#[test]
fn the_gitops_example_validates_plans_and_applies_against_the_simulators() {
    let x = Sim::xtracta(
        "groups: [12345]\nworkflows: [{ id: 496553, name: A }, { id: 496941, name: B }, { id: 498082, name: C }]\nusers:\n  - { id: 1, name: IT Admin, email: it-admin@example.com, group: 12345 }\n",
        &[],
    );
    let u = Sim::uipath("groups: [{ name: gryff-01 }]\nusers: []\n", &[]);
    let ws = Workspace::new("placeholder: true\n");
    let src = gitops_example();
    let config = std::fs::read_to_string(src.join("roster.yaml"))
        .unwrap()
        .replace("https://api-app.xtracta.com/v1", &x.url())
        .replace("https://cloud.uipath.com/acme/identity_", &u.identity_url());
    ws.write("roster.yaml", &config);
    for entry in std::fs::read_dir(src.join("users")).unwrap() {
        let entry = entry.unwrap();
        ws.write(
            &format!("users/{}", entry.file_name().to_string_lossy()),
            &std::fs::read_to_string(entry.path()).unwrap(),
        );
    }
    ws.roster(&["validate"]).ok();
    let plan = ws.roster(&[
        "plan",
        "--out",
        "plan.json",
        "--output",
        "markdown",
        "--redact",
    ]);
    plan.ok();
    assert!(
        plan.stdout.contains("| `acme` (xtracta) | 3 |"),
        "{}",
        plan.stdout
    );
    ws.roster(&["apply", "plan.json", "--redact"]).ok();
    assert_eq!(ws.roster(&["plan", "--detailed-exitcode"]).code, 0);
    assert!(!plan.all().contains(UIPATH_CLIENT_SECRET));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = std::process::Command::new(util::roster_bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("roster"),
            "{shell}"
        );
    }
    let man = std::process::Command::new(util::roster_bin())
        .arg("man")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(
        text.contains(".TH roster") && text.contains("apply"),
        "{text}"
    );
}

#[test]
fn every_example_matches_the_schema_and_the_demo_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let validator = |kind: &str| jsonschema::validator_for(&schema(kind)).unwrap();
    for (file, kind) in [
        ("examples/roster.yaml", "config"),
        ("examples/demo.yaml", "config"),
        ("examples/users/finance.yaml", "manifest"),
        ("examples/users/operations.yaml", "manifest"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{file}"
        );
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        assert!(
            validator(kind).is_valid(&doc),
            "{file} does not match the {kind} schema"
        );
    }
    let out = std::process::Command::new(util::roster_bin())
        .current_dir(root)
        .env("NO_COLOR", "1")
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Nothing left to do"), "{stdout}");
}

#[test]
fn a_long_apply_shows_progress_on_a_terminal_and_nothing_otherwise() {
    let sim = Sim::xtracta("groups: [12345]\nusers: []\n", &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/a.yaml", &util::xtracta_users("p", 12));
    let plain = ws.roster(&["plan"]);
    assert!(!plain.stderr.contains("changes,"), "{}", plain.stderr);
    // `script` gives the run a terminal, as a person at a shell would have.
    let cmd = format!("{} apply --yes", util::roster_bin().display());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(ws.path())
        .env("XTRACTA_API_KEY", API_KEY)
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{all}");
    assert!(
        all.contains("/12 changes"),
        "no progress bar on a terminal:\n{all}"
    );
    assert_eq!(sim.users().len(), 12);
}

/// A saved plan, edited as an attacker with write access to the file would.
fn forge(ws: &Workspace, edit: impl FnOnce(&mut Value)) {
    let path = ws.path().join("plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut plan["plan"]["targets"][0]);
    std::fs::write(path, plan.to_string()).unwrap();
}

/// Applies the forged `plan.json`: refused with `line`, nothing written.
#[track_caller]
fn assert_refused(sim: &Sim, ws: &Workspace, line: &str) -> util::Out {
    let before = sim.state();
    sim.reset_requests();
    let out = ws.roster_env(&["apply", "plan.json"], &PW);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("does not match a fresh plan; nothing was changed")
            && out.stderr.contains(&format!("  - {line}\n")),
        "{}",
        out.stderr
    );
    assert_eq!(sim.state(), before, "nothing changed");
    let reqs = sim.requests();
    let endpoints: Vec<&String> = reqs["by_endpoint"].as_object().unwrap().keys().collect();
    assert_eq!(
        endpoints,
        ["/v1/user"],
        "only the fresh plan's read: {reqs}"
    );
    out
}

#[test]
fn a_forged_delete_of_a_protected_user_is_refused() {
    let sim = Sim::xtracta(XSEED, &[]);
    let ws = Workspace::xtracta(&sim, "    protect: [carla@example.com]\n");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: bo@example.com\n    name: Bo Chen\n",
    );
    ws.roster(&["plan", "--out", "plan.json"]).ok();
    forge(&ws, |t| {
        t["deletes"] = serde_json::json!([{ "key": "carla@example.com", "id": "4093" }]);
    });
    assert_refused(
        &sim,
        &ws,
        "target acme: the saved plan deletes carla@example.com; a fresh plan does not",
    );
}

#[test]
fn a_forged_password_reference_is_refused_and_never_read() {
    let (sim, ws) = saved_world();
    ws.roster_env(&["plan", "--out", "plan.json"], &PW).ok();
    forge(&ws, |t| {
        t["creates"][0]["password"] = serde_json::json!({ "file": "/etc/hostname" });
    });
    let out = assert_refused(
        &sim,
        &ws,
        "target acme: the saved plan creates new@example.com differently from a fresh plan",
    );
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        assert!(
            host.is_empty() || !out.all().contains(host),
            "{}",
            out.all()
        );
    }
    assert!(sim.user_by_email("new@example.com").is_none());
}

#[test]
fn a_forged_extra_create_is_refused() {
    let (sim, ws) = saved_world();
    ws.roster_env(&["plan", "--out", "plan.json"], &PW).ok();
    forge(&ws, |t| {
        let mut evil = t["creates"][0].clone();
        evil["user"]["key"] = "evil@example.com".into();
        evil["fields"]["email"] = serde_json::json!({ "text": "evil@example.com" });
        t["creates"].as_array_mut().unwrap().push(evil);
    });
    assert_refused(
        &sim,
        &ws,
        "target acme: the saved plan creates evil@example.com; a fresh plan does not",
    );
    assert!(sim.user_by_email("evil@example.com").is_none());
}

#[test]
fn a_plan_file_that_is_not_a_plan_is_a_clean_error() {
    let (sim, ws) = saved_world();
    for (name, text) in [
        ("junk.json", "\u{1b}[2J not json at all".to_string()),
        ("deep.json", "[".repeat(100_000)),
        (
            "other.json",
            "{\"format_version\": 1, \"kind\": \"hunter2\"}".into(),
        ),
    ] {
        ws.write(name, &text);
        let out = ws.roster_env(&["apply", name], &PW);
        assert_eq!(out.code, 1, "{name}: {}", out.all());
        assert!(
            out.stderr
                .contains(&format!("{name}: not a roster saved plan")),
            "{name}: {}",
            out.stderr
        );
        assert!(!out.all().contains("hunter2") && !out.all().contains('\u{1b}'));
    }
    assert_eq!(sim.total_requests(), 0, "nothing sent");
}

#[test]
fn the_guards_are_checked_again_when_a_saved_plan_is_applied() {
    let sim = Sim::xtracta(XSEED, &[]);
    let ws = Workspace::xtracta(&sim, "    unmanaged: delete\n");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: bo@example.com\n    name: Bo\n",
    );
    let plan = ws.roster(&["plan", "--out", "plan.json"]);
    plan.ok();
    assert!(
        plan.stderr.contains("warning: apply would refuse"),
        "{}",
        plan.stderr
    );
    let out = ws.roster(&["apply", "plan.json"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("refusing to remove access of 1 of 2 users (1 deleted)"),
        "{}",
        out.stderr
    );
    assert!(sim.user_by_email("carla@example.com").is_some());
    ws.roster(&["apply", "plan.json", "--allow-mass-delete"])
        .ok();
    assert!(sim.user_by_email("carla@example.com").is_none());
}
