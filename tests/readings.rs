//! roster under each reading of what the vendors' documents leave open (issue 14): the same
//! manifests converge to the same vendor state whichever reading the simulator takes, and no
//! field roster does not manage is lost.

mod util;

use serde_json::{Value, json};
use util::{Out, Sim, UIPATH_PGID, Workspace};

const SMALL: &str = "    max_delete_fraction: 1.0\n    synchronization: synchronous\n";

/// rest.user carries every field roster does not manage; bo.chen has a training role.
const LC_SEED: &str = r#"
extended_fields: [costCenter, department]
users:
  - { username: rest.user, email: rest@acme.example, name: Rest, surname: User, language: en, timezone: Europe/Madrid, roles: { management: [user], training: [trainer], play: [author] }, external_id: HR-1, extended_fields: { costCenter: CC-1, department: Ops }, auth_source: LDAP, office_phone: "+34 91 000 00 00", mobile_phone: "+34 600 000 000", interests: chess, about_me: hello, location: Madrid, image_url: "https://img.example/rest.png", password: s3cret-Pw1 }
  - { username: bo.chen, email: bo@acme.example, name: Bo, surname: Chen, language: es, timezone: Europe/Madrid, roles: { management: [user], training: [trainer] }, location: Lisbon, interests: go }
"#;

/// rest.user renamed, nothing else of it managed; bo.chen's training section emptied.
const LC_MANIFEST: &str = "\
target: academy
users:
  - { username: rest.user, email: rest@acme.example, name: Restituta, surname: User, language: en, timezone: Europe/Madrid }
  - { username: bo.chen, email: bo@acme.example, name: Bo, surname: Chen, language: es, timezone: Europe/Madrid, roles: { management: [user] } }
";

#[track_caller]
fn converged(ws: &Workspace) {
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "plan after apply is not empty:\n{}",
        plan.all()
    );
}

fn lc_world(put: &[&str]) -> (Vec<Value>, Vec<Value>) {
    let sim = Sim::learningcloud(LC_SEED, put);
    let ws = Workspace::learningcloud(&sim, SMALL);
    ws.write("users/academy.yaml", LC_MANIFEST);
    let before = sim.lc_users();
    ws.roster(&["apply", "--yes"]).ok();
    converged(&ws);
    (before, sim.lc_users())
}

#[test]
fn learningcloud_a_rename_keeps_every_unmanaged_field_whether_put_replaces_or_merges() {
    let (before, merged) = lc_world(&[]);
    let (_, replaced) = lc_world(&["--put-replaces"]);
    assert_eq!(merged, replaced, "the same world under either reading");

    let mut want = before[0].clone();
    want["name"] = json!("Restituta");
    assert_eq!(replaced[0], want, "only the name of rest.user changed");
    assert_eq!(replaced[0]["password"], "s3cret-Pw1", "no hash sent back");

    let bo = &replaced[1];
    let training = &bo["roles"]["training"];
    assert!(
        training.is_null() || training == &json!([]),
        "the emptied section is emptied: {bo}"
    );
    assert_eq!(bo["roles"]["management"], json!(["user"]));
    assert_eq!(
        (&bo["location"], &bo["interests"]),
        (&json!("Lisbon"), &json!("go"))
    );
}

fn many_users(n: usize) -> (String, String) {
    let mut seed = String::from("users:\n");
    let mut manifest = String::from("users:\n");
    for i in 0..n {
        let line = format!(
            "  - {{ username: u{i:04}, email: u{i:04}@acme.example, name: U, surname: N{i}, language: en, timezone: UTC }}\n"
        );
        seed.push_str(&line);
        manifest.push_str(&line);
    }
    (seed, manifest)
}

#[test]
fn learningcloud_lists_every_user_whichever_way_start_index_counts() {
    let (seed, manifest) = many_users(1001);
    for reading in [
        &[][..],
        &["--start-index", "1"],
        &["--page-by-number"],
        &["--start-index", "1", "--page-by-number"],
    ] {
        let sim = Sim::learningcloud(&seed, reading);
        let ws = Workspace::learningcloud(&sim, "");
        ws.write("users/all.yaml", &manifest);
        let plan = ws.roster(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.code, 0, "{reading:?}: {}", plan.all());
        assert!(
            plan.stdout.contains("1001 users in scope, 1001 declared"),
            "{reading:?}: {}",
            plan.stdout
        );
        // Three pages of data, and at most two more to tell how startIndex counts.
        let lists = sim.count("GET /users");
        assert!((3..=5).contains(&lists), "{reading:?}: {}", sim.requests());
    }
}

#[test]
fn learningcloud_one_page_needs_nothing_to_be_told() {
    let (seed, manifest) = many_users(3);
    for reading in [&[][..], &["--start-index", "1", "--page-by-number"]] {
        let sim = Sim::learningcloud(&seed, reading);
        let ws = Workspace::learningcloud(&sim, "");
        ws.write("users/all.yaml", &manifest);
        ws.roster(&["plan"]).ok();
        assert_eq!(sim.count("GET /users"), 1, "{}", sim.requests());
    }
}

const UI_NAMELESS: &str = "0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e99";

fn uipath(sim: &Sim, extra: &str) -> Workspace {
    Workspace::new(&format!(
        "manifests: users\ntargets:\n  robots-org:\n    provider: uipath\n    url: {}\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n    max_delete_fraction: 1.0\n{extra}",
        sim.identity_url()
    ))
}

#[test]
fn uipath_a_group_without_a_name_is_skipped_with_a_warning_and_left_alone() {
    let seed = format!(
        "groups:\n  - {{ id: {UI_NAMELESS}, name: null }}\n  - {{ name: gryff-01 }}\nusers:\n  - {{ email: harry@example.com, name: Harry, groups: [{UI_NAMELESS}, gryff-01] }}\n"
    );
    let sim = Sim::uipath(&seed, &[]);
    let ws = uipath(&sim, "");
    ws.write(
        "users/org.yaml",
        "users:\n  - { email: harry@example.com, name: Harry, groups: [gryff-01, Administrators] }\n",
    );
    let plan = ws.roster(&["plan"]);
    plan.ok();
    assert!(
        plan.stderr.contains("a group has no name"),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stdout.contains("~ groups: + Administrators"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains(UI_NAMELESS), "{}", plan.stdout);
    ws.roster(&["apply", "--yes"]).ok();
    let groups = &sim.state()["users"][0]["group_ids"];
    assert!(
        groups.as_array().unwrap().iter().any(|g| g == UI_NAMELESS),
        "membership in the nameless group is left alone: {groups}"
    );
    converged(&ws);
}

#[test]
fn uipath_without_partition_admin_rights_the_error_names_them() {
    let sim = Sim::uipath(
        "groups: [{ name: gryff-01 }]\n",
        &["--deny-partition-admin"],
    );
    let ws = uipath(&sim, "");
    ws.write(
        "users/org.yaml",
        "users:\n  - { email: ana@example.com, name: Ana, groups: [gryff-01] }\n  - { email: bo@example.com, name: Bo }\n",
    );
    let apply = ws.roster(&["apply", "--yes"]);
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert!(
        apply.stdout.contains(
            "the external application lacks partition administrator rights, which creating a user in a group needs"
        ),
        "{}",
        apply.all()
    );
    assert!(
        apply.stdout.contains("done create bo@example.com"),
        "{}",
        apply.stdout
    );
}

#[test]
fn uipath_a_403_on_the_user_list_names_the_missing_scope() {
    let sim = Sim::uipath("", &["--grant-scopes", "PM.Group"]);
    let ws = uipath(&sim, "    scope: PM.Group\n");
    ws.write(
        "users/org.yaml",
        "users:\n  - { email: ana@example.com, name: Ana }\n",
    );
    let plan = ws.roster(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        plan.stderr.contains(
            "vendor answered 403: the external application lacks the scope to read users (PM.User or PM.User.Read; asked for \"PM.Group\", granted \"PM.Group\")"
        ),
        "{}",
        plan.stderr
    );
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

const XT_MANIFEST: &str = "\
users:
  - { email: ana@example.com, name: Ana, workflows: [100, 200] }
  - { id: 4092, email: bo@example.com, name: Bo Chen, workflows: [200] }
";

#[test]
fn xtracta_converges_the_same_whether_or_not_the_key_has_its_own_group() {
    let mut worlds = Vec::new();
    for reading in [&[][..], &["--key-group", "777"]] {
        let sim = Sim::xtracta(XT_SEED, reading);
        let ws = Workspace::xtracta(&sim, "    max_delete_fraction: 1.0\n");
        ws.write("users/acme.yaml", XT_MANIFEST);
        ws.roster(&["apply", "--yes"]).ok();
        converged(&ws);
        worlds.push(sim.users());
    }
    assert_eq!(worlds[0], worlds[1]);
    let ana = worlds[1].iter().find(|u| u.2 == "ana@example.com").unwrap();
    assert_eq!(
        (ana.3, ana.4.clone()),
        (12345, vec![100, 200]),
        "in the target's group"
    );
    let partner = worlds[1].iter().find(|u| u.0 == 5001).unwrap();
    assert_eq!(partner.4, [100], "the key's group is not roster's to touch");
}

#[test]
fn retry_after_as_an_http_date_is_waited_for() {
    let sim = Sim::xtracta(XT_SEED, &["--rate-limit", "1", "--retry-after-date"]);
    let ws = Workspace::xtracta(&sim, "    concurrency: 1\n    max_delete_fraction: 1.0\n");
    ws.write(
        "users/acme.yaml",
        "users:\n  - { email: a@example.com, name: A }\n  - { email: b@example.com, name: B }\n",
    );
    let apply: Out = ws.roster(&["apply", "--yes"]);
    apply.ok();
    assert!(sim.user_by_email("b@example.com").is_some());
    assert!(
        sim.requests()["by_endpoint_status"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.ends_with(" 429")),
        "the simulator did refuse some: {}",
        sim.requests()
    );
}
