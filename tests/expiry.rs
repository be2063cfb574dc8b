//! Access that ends (`expires`) with the real binary against every simulator: a user and a
//! membership ending per vendor, the plan's reasons and notices in every format, the guards,
//! `validate`'s refusals and warnings, `import`, and the daemon acting at the instant of an
//! expiry a few seconds away. Every wait polls with a deadline.

mod util;

use chrono::{SecondsFormat, TimeZone, Utc};
use serde_json::Value;
use util::daemon::Daemon;
use util::{Sim, UIPATH_PGID, Workspace};

const XTRACTA_SEED: &str = "\
groups: [12345]
workflows: [{ id: 100, name: Invoices }, { id: 200, name: Audits }]
users:
  - { id: 7, name: Ana, email: ana@example.com, group: 12345, workflows: [100, 200] }
  - { id: 8, name: Bo, email: bo@example.com, group: 12345, workflows: [100] }
  - { id: 9, name: Carla, email: carla@example.com, group: 12345 }
";

/// Fails naming the first of `lines` that `text` lacks, with the whole text.
#[track_caller]
fn assert_all_in(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
}

/// A day three days from now, and the instant it ends in Berlin.
fn soon() -> (String, String) {
    let day = (Utc::now() + chrono::Duration::days(3)).date_naive();
    let next = day.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
    let ends = chrono_tz::Europe::Berlin
        .from_local_datetime(&next)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    (
        day.to_string(),
        ends.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn xtracta_manifest(soon: &str) -> String {
    format!(
        "\
users:
  - email: ana@example.com
    name: Ana
    workflows: [100, {{id: 200, expires: 2020-01-15}}]
  - email: bo@example.com
    name: Bo
    expires: 2020-03-31
    on_expiry: delete
  - email: carla@example.com
    name: Carla
    expires: 2020-03-31
  - email: dan@example.com
    name: Dan
    expires: {soon}
    workflows: [{{id: 100, expires: {soon}}}]
"
    )
}

#[test]
fn xtracta_a_user_and_a_workflow_end() {
    let sim = Sim::xtracta(XTRACTA_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "    max_delete: 1\n");
    let config = std::fs::read_to_string(ws.path().join("roster.yaml")).unwrap();
    ws.write("roster.yaml", &format!("timezone: Europe/Berlin\n{config}"));
    let (day, ends) = soon();
    ws.write("users/team.yaml", &xtracta_manifest(&day));

    let v = ws.roster(&["validate"]);
    v.ok();
    for w in [
        "warning: users/team.yaml:4:41: ana@example.com's workflow 200 expired 2020-01-15, which has passed: the next apply takes it away",
        "warning: users/team.yaml:7:14: bo@example.com expired 2020-03-31, which has passed: the next apply deletes this user",
        "warning: users/team.yaml:11:14: carla@example.com expired 2020-03-31, which has passed: xtracta cannot deactivate users, so roster reports it as drift that needs a person",
    ] {
        assert!(v.stderr.contains(w), "{w:?} not in:\n{}", v.stderr);
    }
    assert!(!v.stderr.contains("dan@"), "{}", v.stderr);

    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_all_in(
        &plan.stdout,
        &[
            "      -member ana@example.com  (expired 2020-01-15)\n",
            "  - delete bo@example.com  (id 8, users/team.yaml:5:5)  expired 2020-03-31\n",
            "  ! needs a person: carla@example.com  (id 9, users/team.yaml:9:5): expired 2020-03-31; xtracta cannot deactivate users: take its access away at the vendor, or say on_expiry: delete\n",
            "  * 2 ends of access within expiry_warning (notices, not changes):\n",
            &format!(
                "      dan@example.com  (users/team.yaml:12:5): expires {day} ({ends}): roster will report it to a person"
            ),
            &format!(
                "      dan@example.com  (users/team.yaml:12:5): workflow 100 expires {day} ({ends}): the user will leave workflow 100"
            ),
            "2 ends of access coming (notices)",
        ],
    );

    let json: Value =
        serde_json::from_str(&ws.roster(&["plan", "--output", "json"]).stdout).unwrap();
    let t = &json["targets"][0];
    let actions: Vec<&str> = t["expired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["leave", "delete", "report"], "{t:#}");
    assert_eq!(t["expired"][0]["member"], "200");
    assert_eq!(t["expiring"][0]["at"], ends.as_str());
    assert_eq!(json["summary"]["expiring"], 2);
    let md = ws.roster(&["plan", "--output", "markdown"]).stdout;
    assert!(
        md.contains("-      -member ana@example.com  (expired 2020-01-15)"),
        "{md}"
    );
    assert!(md.contains("notices, not changes"), "{md}");

    // The guards count an end like any removal of access: a leave and a deletion are two.
    let refused = ws.roster(&["apply", "--yes"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    assert!(
        refused
            .all()
            .contains("refusing to remove access of 2 of 3 users (1 deleted, 1 leaving workflows)"),
        "{}",
        refused.all()
    );
    ws.roster(&["apply", "--yes", "--allow-mass-delete"]).ok();
    assert_eq!(sim.user_by_email("ana@example.com").unwrap().4, [100]);
    assert!(sim.user_by_email("bo@example.com").is_none());
    assert!(sim.user_by_email("carla@example.com").is_some());
    assert_eq!(sim.user_by_email("dan@example.com").unwrap().4, [100]);

    // What is left is a person's drift and notices: nothing to change.
    let again = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(
        again.stdout.contains("notices, not changes"),
        "{}",
        again.stdout
    );
}

const UIPATH_SEED: &str = "\
groups: [{ name: Finance }, { name: Auditors }]
users:
  - { email: hermione@example.com, name: Hermione, surname: Granger, groups: [Finance, Auditors] }
  - { email: ron@example.com, name: Ron, surname: Weasley, groups: [Finance] }
";

fn uipath_workspace(sim: &Sim, extra: &str) -> Workspace {
    Workspace::new(&format!(
        "manifests: users\ntargets:\n  robots-org:\n    provider: uipath\n    url: {}\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n    max_delete_fraction: 1\n{extra}",
        sim.identity_url()
    ))
}

fn uipath_manifest(user_ends: &str, group_ends: &str) -> String {
    format!(
        "\
users:
  - email: hermione@example.com
    name: Hermione
    surname: Granger
    groups: [Finance, {{name: Auditors, expires: '{group_ends}'}}]
  - email: ron@example.com
    name: Ron
    surname: Weasley
    groups: [Finance]
    expires: '{user_ends}'
"
    )
}

/// (active, group names) of a UiPath user.
fn uipath_user(sim: &Sim, email: &str) -> (bool, Vec<String>) {
    let state = sim.state();
    let name_of = |id: &Value| {
        state["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == *id)
            .and_then(|g| g["name"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let u = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("{email} missing"));
    let mut groups: Vec<String> = u["group_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(name_of)
        .filter(|n| n != "Everyone")
        .collect();
    groups.sort();
    (u["is_active"].as_bool().unwrap(), groups)
}

#[test]
fn uipath_a_user_and_a_group_end_and_import_invents_none() {
    let sim = Sim::uipath(UIPATH_SEED, &[]);
    let ws = uipath_workspace(&sim, "");
    ws.write(
        "users/team.yaml",
        &uipath_manifest("2020-03-31", "2020-02-01T18:00:00Z"),
    );
    let plan = ws.roster(&["plan"]);
    plan.ok();
    assert_all_in(
        &plan.stdout,
        &[
            "      ~ groups: − Auditors\n      (group Auditors: expired 2020-02-01T18:00:00Z)\n",
            "  - deactivate ron@example.com  (id ",
            "  expired 2020-03-31\n",
        ],
    );
    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(
        uipath_user(&sim, "hermione@example.com"),
        (true, vec!["Finance".into()])
    );
    assert_eq!(
        uipath_user(&sim, "ron@example.com"),
        (false, vec!["Finance".into()])
    );
    let again = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);

    ws.roster(&["import", "--target", "robots-org", "--out", "imported"])
        .ok();
    let imported = std::fs::read_to_string(ws.path().join("imported/robots-org.yaml")).unwrap();
    assert!(imported.contains("ron@example.com"), "{imported}");
    assert!(
        !imported.contains("expires") && !imported.contains("on_expiry"),
        "{imported}"
    );
}

const LC_SEED: &str = "\
users:
  - { username: bo.chen, email: bo@acme.example, name: Bo, surname: Chen, language: es, timezone: Europe/Madrid }
";

#[test]
fn learningcloud_a_user_ends_and_roles_do_not() {
    let sim = Sim::learningcloud(LC_SEED, &[]);
    let ws = Workspace::learningcloud(
        &sim,
        "    synchronization: synchronous\n    max_delete_fraction: 1\n",
    );
    let bo = "users:\n  - username: bo.chen\n    email: bo@acme.example\n    name: Bo\n    surname: Chen\n    language: es\n    timezone: Europe/Madrid\n";
    ws.write("users/a.yaml", &format!("{bo}    expires: 2020-03-31\n"));
    let plan = ws.roster(&["plan"]);
    plan.ok();
    assert!(
        plan.stdout.contains("  - deactivate bo.chen  (id ")
            && plan.stdout.contains("  expired 2020-03-31\n"),
        "{}",
        plan.stdout
    );
    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(sim.lc_user("bo.chen").unwrap()["enabled"], false);
    let again = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());

    // Roles are one map sent whole, not memberships: an end on a role is refused.
    ws.write(
        "users/a.yaml",
        &format!("{bo}    roles:\n      management: [user]\n      training: [{{name: trainer, expires: 2030-01-01}}]\n"),
    );
    let v = ws.roster(&["validate"]);
    assert_eq!(v.code, 1, "{}", v.all());
    assert!(
        v.stderr
            .contains("users/a.yaml:10:18: `roles` must be text, not a mapping"),
        "{}",
        v.stderr
    );
}

const SCIM_SEED: &str = "\
users:
  - { userName: carla@example.com, active: true }
  - { userName: dan@example.com, active: true }
groups:
  - { displayName: Finance, members: [carla@example.com, dan@example.com] }
  - { displayName: Auditors, members: [carla@example.com] }
";

#[test]
fn scim_a_user_and_a_group_membership_end() {
    let sim = Sim::scim(SCIM_SEED, &[]);
    let ws = Workspace::scim(&sim.scim_url(), "    max_delete_fraction: 1\n");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    groups: [Finance, {name: Auditors, expires: 2020-02-01}]\n  - user_name: dan@example.com\n    groups: [Finance]\n    expires: 2020-03-31\n",
    );
    let plan = ws.roster(&["plan"]);
    plan.ok();
    assert_all_in(
        &plan.stdout,
        &[
            "-member carla@example.com  (expired 2020-02-01)",
            "  - deactivate dan@example.com  (id ",
            "  expired 2020-03-31\n",
        ],
    );
    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(sim.scim_members("Auditors"), Vec::<String>::new());
    assert_eq!(
        sim.scim_members("Finance"),
        ["carla@example.com", "dan@example.com"]
    );
    assert_eq!(sim.scim_user("dan@example.com").unwrap()["active"], false);
    let again = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
}

#[test]
fn validate_refuses_what_is_not_a_date_and_bad_settings() {
    let sim = Sim::xtracta(XTRACTA_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "    expiry_warning: 10 days\n");
    let config = std::fs::read_to_string(ws.path().join("roster.yaml")).unwrap();
    ws.write("roster.yaml", &format!("timezone: Mars/Olympus\n{config}"));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n",
    );
    let v = ws.roster(&["validate"]);
    assert_eq!(v.code, 1, "{}", v.all());
    assert!(
        v.stderr
            .contains("roster.yaml:1:11: unknown time zone \"Mars/Olympus\""),
        "{}",
        v.stderr
    );
    assert!(v.stderr.contains("roster.yaml:9:21: target acme: expiry_warning: invalid duration unit in \"10 days\" (use ms, s, m, h or d)"), "{}", v.stderr);

    ws.write("roster.yaml", &config.replace("10 days", "10d"));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n    expires: 31/03/2027\n    workflows: [{id: 100, expires: 2027-02-30}]\n",
    );
    let v = ws.roster(&["validate", "--output", "json"]);
    assert_eq!(v.code, 1, "{}", v.all());
    for p in [
        "users/a.yaml:4:14: `expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not \"31/03/2027\"",
        "users/a.yaml:5:36: `expires` \"2027-02-30\" is not a day of the calendar",
    ] {
        assert!(v.stderr.contains(p), "{p:?} not in:\n{}", v.stderr);
    }
    assert_eq!(
        sim.total_requests(),
        0,
        "nothing is sent when validation fails"
    );
}

/// `roster daemon` in `ws`, its log collected.
#[test]
fn the_daemon_ends_access_at_the_instant() {
    let sim = Sim::uipath(UIPATH_SEED, &[]);
    let ws = uipath_workspace(
        &sim,
        "daemon:\n  listen: 127.0.0.1:0\n  schedule: \"0 0 1 1 *\"\n",
    );
    // A whole second a few seconds away: the start-up reconcile comes well before it.
    let at = Utc.timestamp_opt(Utc::now().timestamp() + 4, 0).unwrap();
    let written = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    ws.write("users/team.yaml", &uipath_manifest(&written, &written));
    let d = Daemon::start(
        &ws,
        &[
            ("UIPATH_CLIENT_ID", util::UIPATH_CLIENT_ID),
            ("UIPATH_CLIENT_SECRET", util::UIPATH_CLIENT_SECRET),
        ],
    );
    d.wait_for("the start-up reconcile", 20, || {
        d.metrics()
            .contains("roster_reconciles_total{target=\"robots-org\",result=\"success\"} 1")
    });
    assert!(
        Utc::now() < at,
        "the start-up reconcile ended after the instant; log:\n{}",
        d.log()
    );
    assert!(uipath_user(&sim, "ron@example.com").0);
    assert!(
        uipath_user(&sim, "hermione@example.com")
            .1
            .contains(&"Auditors".to_string())
    );
    let gauge = format!(
        "roster_next_expiry_timestamp_seconds{{target=\"robots-org\"}} {}",
        at.timestamp()
    );
    assert!(
        d.metrics().contains(&gauge),
        "{gauge:?} not in:\n{}",
        d.metrics()
    );

    d.wait_for("the end of ron's access and hermione's group", 20, || {
        !uipath_user(&sim, "ron@example.com").0
            && uipath_user(&sim, "hermione@example.com").1 == ["Finance"]
    });
    assert!(Utc::now() >= at);
    assert!(d.log().contains("trigger=\"expiry\""), "{}", d.log());
    assert!(
        !d.metrics()
            .contains("roster_next_expiry_timestamp_seconds{"),
        "no end is left to come"
    );
}
