//! The real binary against `roster sim learningcloud`: validate, plan, apply, plan again.

mod util;

use serde_json::json;
use util::{LC_TOKEN, Out, Sim, Workspace};

/// rest.user is `…0001`, bo.chen `…0002`, legacy `…0003`.
const SEED: &str = "\
extended_fields: [costCenter, department]
users:
  - { username: rest.user, email: rest@acme.example, name: Rest, surname: User, language: en, timezone: Europe/Madrid, roles: { management: [user], training: [user] }, external_id: HR-1, extended_fields: { costCenter: CC-1, department: Ops } }
  - { username: bo.chen, email: bo@acme.example, name: Bo, surname: Chen, language: es, timezone: Europe/Madrid }
  - { username: legacy }
";

const BO_ID: &str = "ff8081818d2e4a010000000000000002";

/// rest.user and bo.chen exactly as seeded.
const SAME: &str = "\
target: academy
users:
  - username: rest.user
    email: rest@acme.example
    name: Rest
    surname: User
    language: en
    timezone: Europe/Madrid
    roles: { management: [user], training: [user] }
    external_id: HR-1
    extended_fields: { costCenter: CC-1 }
  - username: bo.chen
    email: bo@acme.example
    name: Bo
    surname: Chen
    language: es
    timezone: Europe/Madrid
";

const ANA: &str = "\
users:
  - username: Ana.Lima
    email: ana@acme.example
    name: Ana
    surname: Lima
    language: pt
    timezone: Europe/Lisbon
    roles:
      management: [user]
      training: [trainer]
      social: [admin]
    external_id: HR-7
    extended_fields: { costCenter: CC-9 }
    password: { env: ANA_FIRST_PASSWORD }
";

const ANA_PASSWORD: &str = "Tr4in!ng-day-41";

const SYNC: &str = "    synchronization: synchronous\n";
/// In a world of three users, one or two losing access (disabled, renamed, a role dropped)
/// is over the default 25% guard; these tests are not about the guard.
const SMALL: &str = "    max_delete_fraction: 1.0\n";

fn run(ws: &Workspace, args: &[&str]) -> Out {
    ws.roster_env(args, &[("ANA_FIRST_PASSWORD", ANA_PASSWORD)])
}

#[track_caller]
fn assert_converged(ws: &Workspace) {
    let plan = run(ws, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "plan after apply is not empty:\n{}",
        plan.all()
    );
    assert!(
        plan.stdout.contains("Plan: 0 to create, 0 to update"),
        "{}",
        plan.stdout
    );
}

#[track_caller]
fn assert_no_secrets(out: &Out) {
    for secret in [LC_TOKEN, ANA_PASSWORD] {
        assert!(!out.all().contains(secret), "secret leaked:\n{}", out.all());
    }
}

#[test]
fn create_with_roles_extended_fields_and_password() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(&sim, SYNC);
    ws.write("users/same.yaml", SAME);
    ws.write("users/ana.yaml", ANA);

    let plan = run(&ws, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    for line in [
        "+ create ana.lima",
        "+roles: [management:user, social:admin, training:trainer]",
        "+extended_fields: {costCenter: \"CC-9\"}",
        "+external_id: \"HR-7\"",
        "+password: (sensitive)",
        "Plan: 1 to create, 0 to update, 1 unmanaged",
    ] {
        assert!(
            plan.stdout.contains(line),
            "{line:?} not in\n{}",
            plan.stdout
        );
    }
    assert_no_secrets(&plan);

    sim.reset_requests();
    // Trace logs include the HTTP stack's; the token and the password must not be there.
    let apply = run(&ws, &["--log-level", "trace", "apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stdout.contains("done create ana.lima"),
        "{}",
        apply.stdout
    );
    assert_no_secrets(&apply);
    assert_eq!(sim.count("POST /users"), 1);
    assert_eq!(
        sim.requests()["total"],
        2,
        "one list, one create: {}",
        sim.requests()
    );

    let ana = sim.lc_user("ana.lima").expect("ana created");
    assert_eq!(ana["username"], "Ana.Lima");
    assert_eq!(
        ana["roles"],
        json!({"management": ["user"], "training": ["trainer"], "social": ["admin"]})
    );
    assert_eq!(ana["extended_fields"], json!({"costCenter": "CC-9"}));
    assert_eq!(ana["external_id"], "HR-7");
    assert_eq!(ana["enabled"], true);
    assert_eq!(
        (
            &ana["name"],
            &ana["surname"],
            &ana["language"],
            &ana["timezone"]
        ),
        (
            &json!("Ana"),
            &json!("Lima"),
            &json!("pt"),
            &json!("Europe/Lisbon")
        )
    );
    assert_eq!(ana["password"], ANA_PASSWORD);

    let headers = sim.lc_headers();
    let write = &headers["last_write"];
    assert_eq!(write["endpoint"], "POST /users");
    assert_eq!(write["accept"], "application/vnd.netex.nlc-api+json");
    assert_eq!(write["synchronization"], "synchronous");
    assert_eq!(write["content_type"], "application/json");

    sim.reset_requests();
    assert_converged(&ws);
    let headers = sim.lc_headers();
    assert_eq!(headers["endpoint"], "GET /users");
    assert_eq!(headers["accept"], "application/vnd.netex.nlc-api+json");
    assert_eq!(
        headers["synchronization"],
        serde_json::Value::Null,
        "reads carry no synchronization"
    );
    assert_eq!(sim.requests()["total"], 1);

    // A changed password is never sent to an existing user.
    let again = ws.roster_env(&["apply", "--yes"], &[("ANA_FIRST_PASSWORD", "Other!pw-2")]);
    again.ok();
    assert_eq!(sim.lc_user("ana.lima").unwrap()["password"], ANA_PASSWORD);
}

#[test]
fn updates_every_field_kind() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(&sim, &format!("{SYNC}{SMALL}"));
    ws.write(
        "users/same.yaml",
        &SAME
            .replace("name: Rest", "name: Restituta")
            .replace("training: [user]", "training: [trainer], play: [author]")
            .replace("external_id: HR-1", "external_id: HR-2")
            .replace("{ costCenter: CC-1 }", "{ department: Sales }")
            .replace("language: es", "language: fr\n    enabled: false"),
    );
    let plan = run(&ws, &["plan"]);
    plan.ok();
    for line in [
        "~ name: \"Rest\" → \"Restituta\"",
        "~ roles: + play:author, training:trainer − training:user",
        "~ external_id: \"HR-1\" → \"HR-2\"",
        "~ extended_fields: {department: \"Ops\" → \"Sales\"}",
        "~ enabled: true → false",
        "~ language: \"es\" → \"fr\"",
        "Plan: 0 to create, 2 to update",
    ] {
        assert!(
            plan.stdout.contains(line),
            "{line:?} not in\n{}",
            plan.stdout
        );
    }

    sim.reset_requests();
    let apply = run(&ws, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    // One PUT per user; enabled rides in bo's update body with the language change.
    assert_eq!(sim.count("PUT /users/{id}"), 2, "{}", sim.requests());
    assert_eq!(sim.count("PUT /users/{id}/deactivate"), 0);

    let rest = sim.lc_user("rest.user").unwrap();
    assert_eq!(rest["name"], "Restituta");
    assert_eq!(rest["surname"], "User", "unchanged core fields are resent");
    assert_eq!(
        rest["roles"],
        json!({"management": ["user"], "training": ["trainer"], "play": ["author"]})
    );
    assert_eq!(rest["external_id"], "HR-2");
    assert_eq!(
        rest["extended_fields"],
        json!({"costCenter": "CC-1", "department": "Sales"}),
        "only the managed extended field changes"
    );
    let bo = sim.lc_user("bo.chen").unwrap();
    assert_eq!(
        (&bo["language"], &bo["enabled"]),
        (&json!("fr"), &json!(false))
    );
    assert_eq!(bo["email"], "bo@acme.example");
    assert_converged(&ws);
}

#[test]
fn username_changes_through_the_bound_id() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(&sim, &format!("{SYNC}{SMALL}"));
    ws.write(
        "users/same.yaml",
        &SAME.replace(
            "  - username: bo.chen\n",
            &format!("  - id: {BO_ID}\n    username: Bo.Chen-Lima\n"),
        ),
    );
    let plan = run(&ws, &["plan"]);
    plan.ok();
    assert!(
        plan.stdout
            .contains(&format!("~ update bo.chen  (id {BO_ID}")),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("~ username: \"bo.chen\" → \"Bo.Chen-Lima\""),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("Plan: 0 to create, 1 to update"),
        "{}",
        plan.stdout
    );

    run(&ws, &["apply", "--yes"]).ok();
    let users = sim.lc_users();
    let bo = users.iter().find(|u| u["id"] == BO_ID).unwrap();
    assert_eq!(bo["username"], "Bo.Chen-Lima");
    assert_eq!(bo["name"], "Bo");
    assert_eq!(users.len(), 3, "renamed, not created");
    assert_converged(&ws);
}

#[test]
fn disable_and_re_enable() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(&sim, &format!("{SYNC}{SMALL}"));
    ws.write(
        "users/same.yaml",
        &SAME.replace("language: es", "language: es\n    enabled: false"),
    );
    sim.reset_requests();
    let apply = run(&ws, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stdout.contains("done update bo.chen"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        sim.count("PUT /users/{id}/deactivate"),
        1,
        "{}",
        sim.requests()
    );
    assert_eq!(sim.count("PUT /users/{id}"), 0);
    assert_eq!(sim.lc_user("bo.chen").unwrap()["enabled"], false);
    assert_converged(&ws);

    // Leaving `enabled` out means enabled.
    ws.write("users/same.yaml", SAME);
    sim.reset_requests();
    run(&ws, &["apply", "--yes"]).ok();
    assert_eq!(
        sim.count("PUT /users/{id}/activate"),
        1,
        "{}",
        sim.requests()
    );
    assert_eq!(sim.lc_user("bo.chen").unwrap()["enabled"], true);
    assert_converged(&ws);
}

#[test]
fn bad_role_is_rejected_at_validate_time_with_its_location() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(&sim, SYNC);
    ws.write("users/same.yaml", SAME);
    ws.write(
        "users/bad.yaml",
        &ANA.replace("social: [admin]", "social: [trainer]").replace(
            "management: [user]",
            "management: [user]\n      games: [user]",
        ),
    );
    for cmd in ["validate", "plan"] {
        let out = run(&ws, &[cmd]);
        assert_eq!(out.code, 1, "{}", out.all());
        assert!(
            out.stderr.contains(
                "users/bad.yaml:12:16: invalid role \"trainer\" in roles.social (allowed: user, admin)"
            ),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("users/bad.yaml:10:14: unknown roles section \"games\""),
            "{}",
            out.stderr
        );
    }
    assert_eq!(sim.requests()["total"], 0, "nothing is sent");
}

#[test]
fn asynchronous_mode_is_reported_as_accepted_and_verified_by_the_next_plan() {
    let sim = Sim::learningcloud(SEED, &[]);
    // No `synchronization:` key: asynchronous, the documented default.
    let ws = Workspace::learningcloud(&sim, "");
    ws.write("users/same.yaml", &SAME.replace("name: Bo", "name: Bob"));
    ws.write("users/ana.yaml", ANA);
    let apply = run(&ws, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    for line in [
        "accepted, not yet confirmed create ana.lima: training, social queued (asynchronous)",
        "accepted, not yet confirmed update bo.chen: training, social queued (asynchronous)",
        "Apply academy: 0 done, 2 accepted but not yet confirmed, 0 failed, 0 not started.",
    ] {
        assert!(
            apply.stdout.contains(line),
            "{line:?} not in\n{}",
            apply.stdout
        );
    }
    assert_eq!(
        sim.lc_headers()["last_write"]["synchronization"],
        "asynchronous"
    );
    assert_converged(&ws);
}

#[test]
fn platform_error_names_the_platform_and_is_not_retried() {
    let sim = Sim::learningcloud(SEED, &["--platform-fail", "training"]);
    let ws = Workspace::learningcloud(&sim, SYNC);
    ws.write("users/same.yaml", &SAME.replace("name: Bo", "name: Bob"));
    ws.write("users/ana.yaml", ANA);
    sim.reset_requests();
    let apply = run(&ws, &["apply", "--yes"]);
    assert_eq!(apply.code, 1, "{}", apply.all());
    let why = "platform training answered 500: simulated training platform failure (overall 500: error in platform training)";
    for line in [
        format!("FAILED update bo.chen: PUT /users/{{id}}: {why}"),
        format!("FAILED create ana.lima: POST /users: {why}"),
    ] {
        assert!(
            apply.stdout.contains(&line),
            "{line:?} not in\n{}",
            apply.stdout
        );
    }
    assert!(!apply.all().contains("Partial {"), "{}", apply.all());
    // A definite answer: neither retried nor looked up again.
    assert_eq!(sim.count("PUT /users/{id}"), 1, "{}", sim.requests());
    assert_eq!(sim.count("POST /users"), 1);
    assert_eq!(sim.count("GET /users/{id}"), 0);
}

#[test]
fn unmanaged_users_are_deactivated_or_deleted() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(
        &sim,
        &format!(
            "{SYNC}    unmanaged: deactivate\n    max_delete_fraction: 0.5\n    protect: [Rest.User]\n"
        ),
    );
    ws.write("users/same.yaml", SAME);
    let plan = run(&ws, &["plan"]);
    assert!(
        plan.stdout.contains("- deactivate legacy"),
        "{}",
        plan.all()
    );
    sim.reset_requests();
    run(&ws, &["apply", "--yes"]).ok();
    // legacy has no name or e-mail, which an update would have to resend: the deactivate
    // service needs none.
    assert_eq!(
        sim.count("PUT /users/{id}/deactivate"),
        1,
        "{}",
        sim.requests()
    );
    assert_eq!(sim.lc_user("legacy").unwrap()["enabled"], false);
    let again = run(&ws, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(
        again.stdout.contains("legacy (id "),
        "still listed as unmanaged:\n{}",
        again.stdout
    );

    let ws = Workspace::learningcloud(
        &sim,
        &format!("{SYNC}    unmanaged: delete\n    max_delete_fraction: 0.5\n"),
    );
    ws.write("users/same.yaml", SAME);
    run(&ws, &["apply", "--yes"]).ok();
    assert!(sim.lc_user("legacy").is_none());
    assert_eq!(sim.lc_users().len(), 2);
    assert_converged(&ws);
}

#[test]
fn paging_goes_past_500_users() {
    let mut seed = String::from("users:\n");
    let mut manifest = String::from("users:\n");
    for i in 0..600 {
        seed.push_str(&format!(
            "  - {{ username: u{i:04}, email: u{i:04}@acme.example, name: U, surname: N{i}, language: en, timezone: UTC }}\n"
        ));
        manifest.push_str(&format!(
            "  - {{ username: u{i:04}, email: u{i:04}@acme.example, name: U, surname: N{i}, language: en, timezone: UTC }}\n"
        ));
    }
    let sim = Sim::learningcloud(&seed, &[]);
    let ws = Workspace::learningcloud(&sim, "");
    ws.write("users/all.yaml", &manifest);
    let plan = run(&ws, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(
        plan.stdout.contains("600 users in scope, 600 declared"),
        "{}",
        plan.stdout
    );
    // 500 at startIndex=0; at startIndex=1 the 500 from the second user on, which tell that
    // startIndex counts users from 0; then a short page of 99 at startIndex=501.
    assert_eq!(sim.count("GET /users"), 3, "{}", sim.requests());
    assert_eq!(sim.requests()["total"], 3);
}

#[test]
fn a_create_whose_answer_is_lost_is_looked_up_not_repeated() {
    let sim = Sim::learningcloud(SEED, &["--ambiguous-rate", "1"]);
    let ws = Workspace::learningcloud(&sim, SYNC);
    ws.write("users/same.yaml", SAME);
    ws.write("users/ana.yaml", ANA);
    sim.reset_requests();
    let apply = run(&ws, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert_eq!(sim.count("POST /users"), 1, "{}", sim.requests());
    assert_eq!(sim.count("GET /users/{id}"), 1, "looked up by username");
    assert_eq!(sim.lc_users().len(), 4);
}

#[test]
fn unreadable_answers_fail_the_plan_instead_of_looking_empty() {
    let sim = Sim::learningcloud(SEED, &["--malformed-rate", "1", "--fault-seed", "7"]);
    let ws = Workspace::learningcloud(&sim, "    max_attempts: 2\n");
    ws.write("users/same.yaml", SAME);
    for _ in 0..3 {
        let out = run(&ws, &["plan"]);
        assert_eq!(out.code, 1, "{}", out.all());
        assert!(
            out.stderr
                .contains("fetch users of target academy: GET /users: unreadable answer"),
            "{}",
            out.stderr
        );
        assert!(!out.stdout.contains("to create"), "{}", out.stdout);
    }
}

#[test]
fn a_wrong_token_is_one_clear_error_that_does_not_show_it() {
    let sim = Sim::learningcloud(SEED, &[]);
    let ws = Workspace::learningcloud(&sim, "");
    ws.write("users/same.yaml", SAME);
    let out = ws.roster_env(&["plan"], &[("LEARNINGCLOUD_TOKEN", "wrong-token-0042")]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(
            "fetch users of target academy: GET /users: vendor answered 401: invalid or missing X-Cloud-Auth-Token"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains("wrong-token-0042"), "{}", out.all());
}

#[test]
fn xtracta_and_learningcloud_reconcile_in_one_apply() {
    let lc = Sim::learningcloud(SEED, &[]);
    let xt = Sim::xtracta(
        "groups: [12345]\nworkflows:\n  - { id: 100, name: Invoices }\nusers: []\n",
        &[],
    );
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  academy:\n    provider: learningcloud\n    url: {}\n    token: {{ env: LEARNINGCLOUD_TOKEN }}\n{SYNC}  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n",
        lc.rest_url(),
        xt.url()
    ));
    ws.write("users/same.yaml", SAME);
    ws.write("users/ana.yaml", &format!("target: academy\n{ANA}"));
    ws.write(
        "users/finance.yaml",
        "target: acme\nusers:\n  - { email: ana@acme.example, name: Ana Lima, workflows: [100] }\n",
    );
    let apply = run(&ws, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stdout.contains("Apply academy: 1 done"),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains("Apply acme: 1 done"),
        "{}",
        apply.stdout
    );
    assert!(lc.lc_user("ana.lima").is_some());
    assert!(xt.user_by_email("ana@acme.example").is_some());
    assert_converged(&ws);
}
