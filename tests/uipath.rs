//! The real binary against `roster sim uipath`: token flow, paging, groups, renames,
//! deactivation, e-mail changes per deployment, error shapes, and a mixed-vendor apply.

mod util;

use serde_json::Value;
use util::{Sim, UIPATH_CLIENT_SECRET, UIPATH_PGID, Workspace};

const SEED: &str = "\
groups: [{ name: gryff-01 }, { name: alumni-02 }]
users:
  - { email: harry@example.com, name: Harry, surname: Potter, groups: [gryff-01] }
  - { email: ron@example.com, name: Ron, surname: Weasley, groups: [gryff-01, alumni-02] }
  - { email: draco@example.com, name: Draco, surname: Malfoy }
  - { email: robot@example.com, name: Robo, type: robot }
";

fn config(sim: &Sim, extra: &str) -> String {
    format!(
        "manifests: users\ntargets:\n  robots-org:\n    provider: uipath\n    url: {}\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n{extra}",
        sim.identity_url()
    )
}

/// (email, name, surname, active, group names), sorted by email.
fn users(sim: &Sim) -> Vec<(String, String, String, bool, Vec<String>)> {
    let state = sim.state();
    let groups: std::collections::HashMap<String, String> = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["id"].as_str().unwrap().to_string(),
                g["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut v: Vec<_> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let mut g: Vec<String> = u["group_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| groups[id.as_str().unwrap()].clone())
                .filter(|n| n != "Everyone")
                .collect();
            g.sort();
            let s = |k: &str| u[k].as_str().unwrap_or_default().to_string();
            (
                s("email"),
                s("name"),
                s("surname"),
                u["is_active"].as_bool().unwrap(),
                g,
            )
        })
        .collect();
    v.sort();
    v
}

fn user(sim: &Sim, email: &str) -> (String, String, String, bool, Vec<String>) {
    users(sim)
        .into_iter()
        .find(|u| u.0 == email)
        .unwrap_or_else(|| panic!("{email} missing"))
}

const MANIFEST: &str = "\
target: robots-org
users:
  - email: hermione@example.com
    user_name: hgranger
    name: Hermione
    surname: Granger
    groups: [Administrators, gryff-01]
    password: { env: HERMIONE_FIRST_PASSWORD }
  - email: harry@example.com
    name: Harry James
    surname: Potter
    groups: [gryff-01, alumni-02]
  - email: ron@example.com
    name: Ron
    surname: Granger-Weasley
    groups: [alumni-02]
";

#[test]
fn plan_apply_plan_with_groups_renames_and_deactivation() {
    let sim = Sim::uipath(SEED, &[]);
    let ws = Workspace::new(&config(
        &sim,
        "    unmanaged: deactivate\n    max_delete_fraction: 1.0\n",
    ));
    ws.write("users/robots.yaml", MANIFEST);
    let env = [("HERMIONE_FIRST_PASSWORD", "Wingardium-Levi0sa!")];

    let plan = ws.roster_env(&["plan", "--detailed-exitcode"], &env);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to create, 2 to update, 1 to deactivate"),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("robot@example.com"),
        "robots are out of scope:\n{}",
        plan.stdout
    );

    let apply = ws.roster_env(&["apply", "--yes"], &env);
    assert_eq!(apply.code, 0, "{}", apply.all());
    for secret in ["Wingardium-Levi0sa!", UIPATH_CLIENT_SECRET] {
        assert!(!apply.all().contains(secret) && !plan.all().contains(secret));
    }
    let state = sim.state();
    let hermione = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "hermione@example.com")
        .unwrap();
    assert_eq!(hermione["user_name"], "hgranger");
    assert_eq!(hermione["password"], "Wingardium-Levi0sa!");
    assert_eq!(
        user(&sim, "hermione@example.com").4,
        ["Administrators", "gryff-01"]
    );
    let harry = user(&sim, "harry@example.com");
    assert_eq!(
        (harry.1.as_str(), harry.4.clone()),
        (
            "Harry James",
            vec!["alumni-02".to_string(), "gryff-01".to_string()]
        )
    );
    let ron = user(&sim, "ron@example.com");
    assert_eq!(
        (ron.2.as_str(), ron.4.clone()),
        ("Granger-Weasley", vec!["alumni-02".to_string()])
    );
    let draco = user(&sim, "draco@example.com");
    assert!(!draco.3, "unmanaged user deactivated");
    assert!(user(&sim, "robot@example.com").3, "robots untouched");

    let again = ws.roster_env(&["plan", "--detailed-exitcode"], &env);
    assert_eq!(again.code, 0, "{}", again.all());

    // Deactivate and re-enable through the manifest.
    ws.write(
        "users/robots.yaml",
        &MANIFEST.replace("    name: Ron\n", "    name: Ron\n    active: false\n"),
    );
    ws.roster_env(&["apply", "--yes"], &env).ok();
    assert!(!user(&sim, "ron@example.com").3);
    ws.write("users/robots.yaml", MANIFEST);
    ws.roster_env(&["apply", "--yes"], &env).ok();
    assert!(user(&sim, "ron@example.com").3);
}

#[test]
fn tokens_are_cached_renewed_on_expiry_and_refreshed_on_401() {
    let sim = Sim::uipath(SEED, &["--token-ttl", "1", "--latency", "300"]);
    let ws = Workspace::new(&config(
        &sim,
        "    concurrency: 1\n    max_delete_fraction: 1.0\n",
    ));
    ws.write(
        "users/a.yaml",
        MANIFEST
            .replace("    password: { env: HERMIONE_FIRST_PASSWORD }\n", "")
            .as_str(),
    );
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let issued = sim.get_json("/_sim/tokens")["issued"].as_u64().unwrap();
    assert!(
        issued >= 2,
        "a one-second token must be renewed during a longer run (issued {issued})"
    );
    let reqs = sim.requests();
    assert!(
        reqs["by_endpoint_status"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.ends_with(" 401")),
        "expired tokens were used: {reqs}"
    );

    // A token revoked mid-run gets a 401; the client renews it once and carries on.
    let sim = Sim::uipath(SEED, &["--latency", "300"]);
    let ws = Workspace::new(&config(&sim, "    max_delete_fraction: 1.0\n"));
    ws.write(
        "users/a.yaml",
        MANIFEST
            .replace("    password: { env: HERMIONE_FIRST_PASSWORD }\n", "")
            .as_str(),
    );
    std::thread::scope(|s| {
        s.spawn(|| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while sim.requests()["by_endpoint"]
                .get("GET /api/Group/{pgid}")
                .is_none()
            {
                assert!(std::time::Instant::now() < deadline);
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            sim.post("/_sim/tokens/revoke");
        });
        let out = ws.roster(&["apply", "--yes"]);
        assert_eq!(out.code, 0, "{}", out.all());
    });
    let reqs = sim.requests();
    let saw_401 = reqs["by_endpoint_status"]
        .as_object()
        .unwrap()
        .keys()
        .any(|k| k.ends_with(" 401"));
    assert!(saw_401, "the revoked token was never refused: {reqs}");
    assert_eq!(sim.get_json("/_sim/tokens")["issued"], 2, "{reqs}");
    assert_eq!(ws.roster(&["plan", "--detailed-exitcode"]).code, 0);
}

#[test]
fn paging_past_one_thousand_users() {
    let mut seed = String::from("users:\n");
    let mut manifest = String::from("users:\n");
    for i in 0..1100 {
        seed.push_str(&format!("  - {{ email: u{i}@example.com, name: U{i} }}\n"));
        manifest.push_str(&format!("  - email: u{i}@example.com\n    name: U{i}\n"));
    }
    let sim = Sim::uipath(&seed, &[]);
    let ws = Workspace::new(&config(&sim, ""));
    ws.write("users/all.yaml", &manifest);
    let out = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("1100 users in scope, 1100 declared"),
        "{}",
        out.stdout
    );
    assert_eq!(
        sim.requests()["by_endpoint"]["GET /api/User/users/{pgid}"],
        2
    );
}

#[test]
fn unknown_group_is_a_plan_error_with_its_place() {
    let sim = Sim::uipath(SEED, &[]);
    let ws = Workspace::new(&config(&sim, ""));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: harry@example.com\n    name: Harry\n    groups: [slytherin-07]\n",
    );
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("users/a.yaml:2:5: user harry@example.com: unknown group \"slytherin-07\""),
        "{}",
        out.stderr
    );
    let reqs = sim.requests();
    assert!(reqs["by_endpoint"].get("PUT /api/User/{id}").is_none());
}

#[test]
fn email_change_needs_a_person_on_cloud_and_is_an_update_on_prem() {
    for (mode, extra) in [
        ("cloud", "    deployment: cloud\n"),
        // A rename takes access from the old address: one of three users is over 25%.
        (
            "onprem",
            "    deployment: onprem\n    max_delete_fraction: 0.5\n",
        ),
    ] {
        let sim = Sim::uipath(SEED, &["--deployment", mode]);
        let id = sim.state()["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "harry@example.com")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let ws = Workspace::new(&config(&sim, extra));
        ws.write(
            "users/a.yaml",
            &format!(
                "users:\n  - id: {id}\n    email: harry.potter@example.com\n    name: Harry\n"
            ),
        );
        let plan = ws.roster(&["plan"]);
        plan.ok();
        let apply = ws.roster(&["apply", "--yes"]);
        assert_eq!(apply.code, 0, "{mode}: {}", apply.all());
        let emails: Vec<String> = users(&sim).into_iter().map(|u| u.0).collect();
        if mode == "cloud" {
            assert!(
                plan.stdout.contains("1 drift needs a person"),
                "{}",
                plan.stdout
            );
            assert!(
                emails.contains(&"harry@example.com".to_string()),
                "cloud: unchanged"
            );
        } else {
            assert!(plan.stdout.contains("1 to update"), "{}", plan.stdout);
            assert!(
                emails.contains(&"harry.potter@example.com".to_string()),
                "onprem: changed"
            );
            assert_eq!(ws.roster(&["plan", "--detailed-exitcode"]).code, 0);
        }
    }
}

#[test]
fn vendor_error_shapes_become_readable_messages() {
    // IdentityResult: a user name already taken.
    let sim = Sim::uipath(SEED, &[]);
    let ws = Workspace::new(&config(&sim, ""));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: new@example.com\n    user_name: harry@example.com\n    name: New\n",
    );
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("FAILED create new@example.com: POST /api/User: vendor answered 400: DuplicateUserName: User name 'harry@example.com' is already taken."), "{}", out.all());
    // ProblemDetails: a partition the organisation does not have.
    let ws = Workspace::new(
        &config(&sim, "").replace(UIPATH_PGID, "00000000-0000-4000-8000-000000000000"),
    );
    ws.write(
        "users/a.yaml",
        "users:\n  - email: harry@example.com\n    name: Harry\n",
    );
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("vendor answered 400"), "{}", out.stderr);
    assert!(out.stderr.contains("partitionGlobalId"), "{}", out.stderr);
    // Bad client credentials.
    let out = ws.roster_env(&["plan"], &[("UIPATH_CLIENT_SECRET", "wrong")]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("POST /connect/token: vendor answered 400"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains(UIPATH_CLIENT_SECRET));
}

#[test]
fn one_apply_reconciles_xtracta_and_uipath_together() {
    let x = Sim::xtracta(
        "groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers: []\n",
        &[],
    );
    let u = Sim::uipath(SEED, &[]);
    let cfg = config(&u, "")
        + &format!(
            "  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n",
            x.url()
        );
    let ws = Workspace::new(&cfg);
    ws.write(
        "users/x.yaml",
        "target: acme\nusers:\n  - email: ana@example.com\n    name: Ana\n    workflows: [100]\n",
    );
    ws.write("users/u.yaml", "target: robots-org\nusers:\n  - email: harry@example.com\n    name: Harry\n    surname: Potter\n    groups: [gryff-01]\n  - email: luna@example.com\n    name: Luna\n");
    ws.roster(&["apply", "--yes"]).ok();
    assert!(x.user_by_email("ana@example.com").is_some());
    assert!(users(&u).iter().any(|u| u.0 == "luna@example.com"));
    let again = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
    let _: Value = u.state();
}

#[test]
fn faults_converge_without_duplicates() {
    let sim = Sim::uipath(
        "groups: [{ name: gryff-01 }]\nusers: []\n",
        &[
            "--fail-rate",
            "0.2",
            "--ambiguous-rate",
            "0.1",
            "--malformed-rate",
            "0.02",
            "--rate-limit",
            "80",
            "--fault-seed",
            "11",
        ],
    );
    let ws = Workspace::new(&config(&sim, "    max_attempts: 8\n    timeout: 5s\n"));
    let mut manifest = String::from("users:\n");
    for i in 0..60 {
        let group = if i % 2 == 0 { "[gryff-01]" } else { "[]" };
        manifest.push_str(&format!(
            "  - email: c{i}@example.com\n    name: C{i}\n    groups: {group}\n"
        ));
    }
    ws.write("users/a.yaml", &manifest);
    let mut runs = 0;
    loop {
        let out = ws.roster(&["apply", "--yes"]);
        if out.code == 0 {
            break;
        }
        runs += 1;
        assert!(runs < 3, "still failing after {runs} runs:\n{}", out.all());
    }
    let all = users(&sim);
    assert_eq!(all.len(), 60, "exactly the desired users, no duplicates");
    for (i, u) in (0..60).map(|i| (i, user(&sim, &format!("c{i}@example.com")))) {
        assert_eq!(u.4.len(), usize::from(i % 2 == 0), "c{i}");
    }
}
