//! The real binary against `roster sim scim` (each quirk switch), against a stub that pages
//! badly, against scim2-server (an independent SCIM server), and the simulator checked by
//! scim2-tester (an independent checker).

mod util;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use util::scim::{SCIM_TOKEN, Scim2Server, venv_tool};
use util::{Out, Sim, Workspace};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Carla has a home and a work e-mail, neither primary, and attributes roster does not manage.
const SEED: &str = "\
users:
  - { userName: carla@example.com, name: { givenName: Carla, familyName: Souza }, active: true,
      emails: [{ value: carla@home.example, type: home }, { value: carla@example.com, type: work }],
      title: Analyst, phoneNumbers: [{ value: '+1 555 0100', type: work }] }
  - { userName: dan@example.com, active: true }
groups:
  - { displayName: Finance, members: [carla@example.com, dan@example.com] }
  - { displayName: Admins }
";

fn config(sim: &Sim, extra: &str) -> Workspace {
    Workspace::scim(&sim.scim_url(), extra)
}

fn assert_converged(ws: &Workspace) {
    assert_converged_env(ws, &[]);
}

fn assert_converged_env(ws: &Workspace, env: &[(&str, &str)]) {
    let plan = ws.roster_env(&["plan", "--detailed-exitcode"], env);
    assert_eq!(plan.code, 0, "a second plan must be empty:\n{}", plan.all());
}

fn assert_no_secrets(out: &Out, secrets: &[&str]) {
    for s in secrets {
        assert!(!out.all().contains(s), "secret {s:?} shown:\n{}", out.all());
    }
}

/// The paths of the operations of every logged PATCH to `endpoint`.
fn patch_paths(sim: &Sim, endpoint: &str) -> Vec<Vec<String>> {
    sim.scim_logged(endpoint)
        .iter()
        .map(|l| {
            l["body"]["Operations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["path"].as_str().unwrap_or("(none)").to_string())
                .collect()
        })
        .collect()
}

fn carla_id(sim: &Sim) -> String {
    sim.scim_user("carla@example.com").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn manifest(carla: &str) -> String {
    format!(
        "\
target: chat
users:
  - user_name: ana@example.com
    email: ana@example.com
    given_name: Ana
    family_name: Lima
    display_name: Ana Lima
    external_id: HR-00123
    groups: [Finance, Admins]
    enterprise: {{ employee_number: '701984', department: Ops, manager: {carla} }}
    password: {{ env: ANA_FIRST_PASSWORD }}
  - user_name: Carla@Example.com
    email: carla@example.com
    given_name: Carla
    family_name: Lima
    groups: [Admins]
    enterprise: {{ cost_center: CC-7 }}
"
    )
}

#[test]
fn plan_apply_plan_creates_updates_memberships_and_deactivates() {
    let sim = Sim::scim(SEED, &[]);
    let ws = config(
        &sim,
        "    unmanaged: deactivate\n    max_delete_fraction: 1.0\n",
    );
    let carla = carla_id(&sim);
    ws.write("users/chat.yaml", &manifest(&carla));
    let env = [("ANA_FIRST_PASSWORD", "Op3n-Sesame!")];
    let plan = ws.roster_env(&["plan", "--detailed-exitcode"], &env);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains(
            "Plan: 1 to create, 1 to update, 2 group memberships to change, 1 to deactivate"
        ),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("~ email"),
        "the first work e-mail is the one managed:\n{}",
        plan.stdout
    );
    sim.reset_requests();
    let apply = ws.roster_env(&["apply", "--yes"], &env);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert_no_secrets(&apply, &[SCIM_TOKEN, "Op3n-Sesame!"]);
    assert_eq!(
        sim.requests()["by_endpoint"]["GET /ServiceProviderConfig"],
        1,
        "discovery once per run"
    );
    let lists = sim.scim_logged("GET /Users");
    let query = lists[0]["query"].as_str().unwrap();
    assert!(
        query.contains(
            "attributes=userName%2Cname%2CdisplayName%2Cemails%2Cactive%2CexternalId%2Curn"
        ),
        "{query}"
    );
    assert!(
        !query.contains("title") && !query.contains("phoneNumbers"),
        "{query}"
    );

    let ana = sim.scim_user("ana@example.com").unwrap();
    assert_eq!(
        ana["name"],
        json!({"givenName": "Ana", "familyName": "Lima"})
    );
    assert_eq!(ana["displayName"], "Ana Lima");
    assert_eq!(ana["externalId"], "HR-00123");
    assert_eq!(ana["password"], "Op3n-Sesame!");
    assert_eq!(
        ana[ENTERPRISE],
        json!({"employeeNumber": "701984", "department": "Ops", "manager": {"value": carla}})
    );
    let c = sim.scim_user("carla@example.com").unwrap();
    assert_eq!(c["name"]["familyName"], "Lima");
    assert_eq!(c["title"], "Analyst", "unmanaged attributes stay");
    assert_eq!(c["phoneNumbers"][0]["value"], "+1 555 0100");
    assert_eq!(c["emails"].as_array().unwrap().len(), 2);
    assert_eq!(c[ENTERPRISE]["costCenter"], "CC-7");
    assert_eq!(sim.scim_user("dan@example.com").unwrap()["active"], false);
    assert_eq!(
        sim.scim_members("Admins"),
        ["ana@example.com", "carla@example.com"],
        "the user name matched whatever its case"
    );
    assert_eq!(
        sim.scim_members("Finance"),
        ["ana@example.com", "dan@example.com"]
    );

    // PATCH replaces exactly the attributes that changed.
    let mut paths = patch_paths(&sim, "PATCH /Users/{id}");
    paths.sort();
    assert_eq!(
        paths,
        [
            vec!["active".to_string()],
            vec![
                format!("{ENTERPRISE}:costCenter"),
                "name.familyName".to_string()
            ],
        ]
    );
    let removals: Vec<String> = patch_paths(&sim, "PATCH /Groups/{id}").concat();
    assert!(
        removals.contains(&format!("members[value eq \"{carla}\"]")),
        "{removals:?}"
    );
    assert_converged_env(&ws, &env);
}

#[test]
fn import_then_plan_shows_nothing() {
    let sim = Sim::scim(SEED, &[]);
    let ws = config(&sim, "");
    let out = ws.roster(&["import", "--target", "chat"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let text = std::fs::read_to_string(ws.path().join("users/chat.yaml")).unwrap();
    assert!(text.contains("user_name: \"carla@example.com\""), "{text}");
    assert!(text.contains("email: \"carla@example.com\""), "{text}");
    assert!(text.contains("groups: [\"Finance\"]"), "{text}");
    assert_converged(&ws);
}

#[test]
fn without_patch_the_whole_resource_is_read_and_put_back() {
    for (flags, extra) in [(&["--no-patch"][..], ""), (&[][..], "    patch: never\n")] {
        let sim = Sim::scim(SEED, flags);
        let ws = config(&sim, &format!("{extra}    max_delete_fraction: 1.0\n"));
        ws.write(
            "users/chat.yaml",
            "users:\n  - user_name: carla@example.com\n    email: carla@work.example\n    family_name: Lima\n    groups: [Admins]\n    enterprise: { department: Ops }\n",
        );
        let apply = ws.roster(&["apply", "--yes"]);
        assert_eq!(apply.code, 0, "{flags:?}: {}", apply.all());
        assert!(sim.scim_logged("PATCH /Users/{id}").is_empty());
        assert!(sim.scim_logged("PATCH /Groups/{id}").is_empty());
        let puts = sim.scim_logged("PUT /Users/{id}");
        assert_eq!(puts.len(), 1);
        assert_eq!(
            puts[0]["if_match"], "W/\"1\"",
            "If-Match with the version read"
        );
        let c = sim.scim_user("carla@example.com").unwrap();
        assert_eq!(
            (&c["title"], &c["name"]["givenName"]),
            (&json!("Analyst"), &json!("Carla"))
        );
        assert_eq!(c["phoneNumbers"][0]["type"], "work");
        let emails: Vec<&str> = c["emails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["value"].as_str().unwrap())
            .collect();
        assert_eq!(emails, ["carla@home.example", "carla@work.example"]);
        assert_eq!(c[ENTERPRISE]["department"], "Ops");
        // dan is no manifest's: he stays in Finance when carla leaves it.
        assert_eq!(sim.scim_members("Finance"), ["dan@example.com"]);
        assert_eq!(sim.scim_members("Admins"), ["carla@example.com"]);
        for put in sim.scim_logged("PUT /Groups/{id}") {
            assert!(put["if_match"].is_string(), "{put}");
        }
        assert_converged(&ws);
    }
}

#[test]
fn without_discovery_the_safe_defaults_hold() {
    let sim = Sim::scim(SEED, &["--no-discovery"]);
    let ws = config(&sim, "    max_delete_fraction: 1.0\n");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    title_is_not_managed: x\n",
    );
    assert_eq!(ws.roster(&["validate"]).code, 1, "unknown keys are refused");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    display_name: Carla S\n    groups: [Admins]\n  - user_name: eve@example.com\n",
    );
    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(
        sim.requests()["by_endpoint_status"]["GET /ServiceProviderConfig 404"],
        1
    );
    assert!(
        sim.scim_logged("PATCH /Users/{id}").is_empty(),
        "no PATCH without discovery"
    );
    assert_eq!(sim.scim_logged("PUT /Users/{id}").len(), 1);
    assert_eq!(sim.scim_members("Admins"), ["carla@example.com"]);
    assert!(sim.scim_user("eve@example.com").is_some());
    assert_converged(&ws);
}

fn numbered(n: usize) -> String {
    let mut seed = String::from("users:\n");
    for i in 0..n {
        seed.push_str(&format!("  - {{ userName: u{i:03}@example.com }}\n"));
    }
    seed
}

#[test]
fn paging_copes_with_capped_short_and_ignored_counts() {
    for (flags, extra, pages, count) in [
        (&["--max-results", "5"][..], "", 5, "count=5"),
        (
            &["--ignore-count", "--max-results", "10"][..],
            "    page_size: 4\n",
            3,
            "count=4",
        ),
        (&[][..], "    page_size: 7\n", 4, "count=7"),
    ] {
        let sim = Sim::scim(&numbered(23), flags);
        let ws = config(&sim, extra);
        ws.write("users/chat.yaml", "users: []\n");
        let plan = ws.roster(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.code, 0, "{flags:?}: {}", plan.all());
        assert!(
            plan.stdout.contains("23 users in scope"),
            "{flags:?}: {}",
            plan.stdout
        );
        let lists = sim.scim_logged("GET /Users");
        assert_eq!(lists.len(), pages, "{flags:?}: {lists:?}");
        assert!(
            lists[0]["query"].as_str().unwrap().contains(count),
            "{lists:?}"
        );
    }
}

/// How a stub answers `GET /Users?startIndex=N`.
type Answer = fn(u64) -> String;

/// A server answering `GET /Users` by `answer(startIndex)` and nothing else.
fn stub(answer: Answer) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        // Until the test asks for `/quit`.
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { break };
            let mut line = String::new();
            let mut reader = BufReader::new(s.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            let (status, body) = if path.contains("/Groups") {
                ("200 OK", r#"{"totalResults":0,"Resources":[]}"#.to_string())
            } else if path.contains("/Users") {
                let start = path
                    .split(['?', '&'])
                    .find_map(|p| p.strip_prefix("startIndex="))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1);
                ("200 OK", answer(start))
            } else if path.contains("/quit") {
                break;
            } else {
                ("404 Not Found", String::new())
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (addr, handle)
}

fn users_page(total: u64, ids: std::ops::Range<u64>) -> String {
    let users: Vec<Value> = ids
        .map(|i| json!({"id": format!("u{i}"), "userName": format!("u{i}@example.com")}))
        .collect();
    json!({"totalResults": total, "Resources": users}).to_string()
}

#[test]
fn paging_that_cannot_be_trusted_is_an_error_never_a_short_list() {
    let cases: [(Answer, &str); 3] = [
        // Says 5, brings 2, then nothing.
        (
            |s| {
                if s == 1 {
                    users_page(5, 0..2)
                } else {
                    users_page(5, 0..0)
                }
            },
            "the page at startIndex=3 is empty, but totalResults is 5",
        ),
        // Ignores startIndex: the same page forever.
        (
            |_| users_page(9, 0..3),
            "the page at startIndex=4 repeats users already listed",
        ),
        // Says 3, brings the same user three times.
        (
            |s| users_page(3, s..s + 1).replace(&format!("u{s}\""), "u0\""),
            "repeats users already listed",
        ),
    ];
    for (answer, expected) in cases {
        let (addr, handle) = stub(answer);
        let ws = Workspace::scim(&format!("http://{addr}/scim/v2"), "    max_attempts: 1\n");
        ws.write("users/chat.yaml", "users: []\n");
        let plan = ws.roster(&["plan"]);
        assert_eq!(plan.code, 1, "{}", plan.all());
        assert!(
            plan.stderr.contains(expected),
            "{expected}:\n{}",
            plan.stderr
        );
        let _ = util::scim::http(&addr, "GET", "/quit", "x", "");
        handle.join().unwrap();
    }
}

#[test]
fn groups_listed_without_members_are_read_one_by_one() {
    let sim = Sim::scim(SEED, &["--groups-without-members"]);
    let ws = config(&sim, "    max_delete_fraction: 1.0\n");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    groups: [Admins]\n  - user_name: dan@example.com\n    groups: [Finance]\n",
    );
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("-member carla@example.com"),
        "{}",
        plan.stdout
    );
    assert_eq!(sim.requests()["by_endpoint"]["GET /Groups/{id}"], 2);
    ws.roster(&["apply", "--yes"]).ok();
    assert_eq!(sim.scim_members("Finance"), ["dan@example.com"]);
    assert_converged(&ws);
}

#[test]
fn a_create_whose_user_appeared_meanwhile_adopts_it() {
    for flags in [
        &["--latency", "300"][..],
        &["--latency", "300", "--no-filter"][..],
    ] {
        let sim = Sim::scim(SEED, flags);
        let ws = config(&sim, "");
        ws.write(
            "users/chat.yaml",
            "users:\n  - user_name: ana@example.com\n    given_name: Ana\n    groups: [Admins]\n",
        );
        std::thread::scope(|s| {
            s.spawn(|| {
                let deadline = Instant::now() + Duration::from_secs(20);
                while sim.requests()["by_endpoint"].get("GET /Users").is_none() {
                    assert!(Instant::now() < deadline);
                    std::thread::sleep(Duration::from_millis(10));
                }
                // Someone else creates ana after roster listed the users.
                let mut state = sim.state();
                let ana = json!({"id": "made-elsewhere", "version": 1, "created": "2026-01-01T00:00:00Z",
                    "last_modified": "2026-01-01T00:00:00Z", "attributes": {"userName": "ANA@example.com"}});
                state["users"].as_array_mut().unwrap().push(ana);
                sim.put_state(&state);
            });
            let apply = ws.roster(&["apply", "--yes"]);
            assert_eq!(apply.code, 0, "{flags:?}: {}", apply.all());
        });
        let statuses = &sim.requests()["by_endpoint_status"];
        assert_eq!(statuses["POST /Users 409"], 1, "{statuses}");
        let anas: Vec<Value> = sim
            .scim_users()
            .into_iter()
            .filter(|u| {
                u["attributes"]["userName"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case("ana@example.com")
            })
            .collect();
        assert_eq!(anas.len(), 1, "never a duplicate");
        assert_eq!(
            anas[0]["attributes"]["name"]["givenName"], "Ana",
            "made as the create would"
        );
        assert_eq!(
            sim.scim_members("Admins"),
            ["ANA@example.com"],
            "the adopted user joins"
        );
        let looked_up = sim.scim_logged("GET /Users").last().unwrap()["query"].clone();
        let filtered = looked_up.as_str().unwrap_or("").contains("filter=");
        assert_eq!(filtered, !flags.contains(&"--no-filter"), "{looked_up}");
        assert_converged(&ws);
    }
}

#[test]
fn lost_answers_never_make_a_duplicate() {
    let sim = Sim::scim(SEED, &["--ambiguous-rate", "0.5", "--fault-seed", "7"]);
    let ws = config(&sim, "    max_attempts: 6\n");
    let mut text = String::from("users:\n");
    for i in 0..6 {
        text.push_str(&format!(
            "  - user_name: new{i}@example.com\n    groups: [Admins]\n"
        ));
    }
    ws.write("users/chat.yaml", &text);
    let mut converged = false;
    for _ in 0..6 {
        ws.roster(&["apply", "--yes"]);
        if ws.roster(&["plan", "--detailed-exitcode"]).code == 0 {
            converged = true;
            break;
        }
    }
    assert!(converged, "{}", ws.roster(&["plan"]).all());
    assert_eq!(sim.scim_users().len(), 2 + 6, "one user per manifest entry");
    assert_eq!(sim.scim_members("Admins").len(), 6);
}

#[test]
fn memberships_change_in_chunks_of_a_hundred() {
    let mut seed = numbered(150);
    seed.push_str("groups:\n  - { displayName: Big }\n");
    let sim = Sim::scim(&seed, &[]);
    let ws = config(&sim, "");
    let mut text = String::from("users:\n");
    for i in 0..150 {
        text.push_str(&format!(
            "  - user_name: u{i:03}@example.com\n    groups: [Big]\n"
        ));
    }
    ws.write("users/chat.yaml", &text);
    ws.roster(&["apply", "--yes"]).ok();
    let sizes: Vec<usize> = sim
        .scim_logged("PATCH /Groups/{id}")
        .iter()
        .map(|l| {
            l["body"]["Operations"][0]["value"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [100, 50]);
    assert_eq!(sim.scim_members("Big").len(), 150);
    assert_converged(&ws);
}

#[test]
fn a_delete_whose_answer_was_lost_is_done_by_the_servers_own_not_found() {
    let sim = Sim::scim(SEED, &["--ambiguous-rate", "1"]);
    let ws = config(
        &sim,
        "    unmanaged: delete\n    max_delete_fraction: 1.0\n",
    );
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n",
    );
    let apply = ws.roster(&["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    let statuses = &sim.requests()["by_endpoint_status"];
    assert_eq!(statuses["DELETE /Users/{id} 504"], 1, "{statuses}");
    assert_eq!(statuses["DELETE /Users/{id} 404"], 1, "{statuses}");
    assert!(sim.scim_user("dan@example.com").is_none());
    assert_eq!(sim.scim_members("Finance"), ["carla@example.com"]);
}

#[test]
fn servers_that_spell_things_otherwise_read_the_same() {
    for flags in [
        &["--pascal-case"][..],
        &["--bool-strings"][..],
        &["--pascal-case", "--bool-strings", "--numeric-status"][..],
    ] {
        let sim = Sim::scim(
            &SEED.replace(
                "dan@example.com, active: true",
                "dan@example.com, active: false",
            ),
            flags,
        );
        let ws = config(&sim, "");
        ws.roster(&["import", "--target", "chat"]).ok();
        let text = std::fs::read_to_string(ws.path().join("users/chat.yaml")).unwrap();
        assert!(text.contains("active: false"), "{flags:?}: {text}");
        assert!(text.contains("given_name: \"Carla\""), "{flags:?}: {text}");
        assert_converged(&ws);
        ws.write(
            "users/chat.yaml",
            &text
                .replace("\"Souza\"", "\"Lima\"")
                .replace("active: false", "active: true"),
        );
        ws.roster(&["apply", "--yes"]).ok();
        assert_converged(&ws);
        assert_eq!(sim.scim_user("dan@example.com").unwrap()["active"], true);
    }
}

#[test]
fn errors_read_as_one_line_and_never_show_the_token() {
    for flags in [&[][..], &["--numeric-status", "--pascal-case"][..]] {
        let sim = Sim::scim(SEED, flags);
        let ws = config(&sim, "");
        ws.write("users/chat.yaml", "users: []\n");
        let plan = ws.roster_env(&["plan"], &[("SCIM_TOKEN", "wrong-token-123")]);
        assert_eq!(plan.code, 1);
        assert!(
            plan.stderr.contains(
                "GET /ServiceProviderConfig: vendor answered 401: invalid or missing bearer token"
            ),
            "{flags:?}: {}",
            plan.stderr
        );
        assert_no_secrets(&plan, &["wrong-token-123"]);
    }
    let sim = Sim::scim(SEED, &["--no-patch"]);
    let ws = config(&sim, "    patch: always\n");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    family_name: Lima\n",
    );
    let apply = ws.roster(&["apply", "--yes"]);
    assert_eq!(apply.code, 1);
    assert!(
        apply
            .all()
            .contains("PATCH /Users/{id}: vendor answered 501: PATCH is not supported"),
        "{}",
        apply.all()
    );
}

#[test]
fn a_server_that_requires_if_match_gets_it() {
    let sim = Sim::scim(SEED, &["--require-if-match"]);
    let ws = config(
        &sim,
        "    unmanaged: delete\n    max_delete_fraction: 1.0\n",
    );
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    family_name: Lima\n    groups: [Admins]\n",
    );
    let apply = ws.roster(&["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    let statuses = &sim.requests()["by_endpoint_status"];
    for key in [
        "PATCH /Users/{id} 428",
        "PATCH /Groups/{id} 428",
        "DELETE /Users/{id} 428",
    ] {
        assert!(
            statuses[key].as_u64().unwrap_or(0) >= 1,
            "{key}: {statuses}"
        );
    }
    assert!(sim.scim_user("dan@example.com").is_none());
    assert_eq!(sim.scim_members("Admins"), ["carla@example.com"]);
    assert_converged(&ws);
}

#[test]
fn secrets_never_show_at_trace_level() {
    let sim = Sim::scim(SEED, &[]);
    let ws = config(&sim, "");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: ana@example.com\n    password: { env: ANA_PW }\n",
    );
    let env = [("ANA_PW", "Tr4ce-Secret!"), ("RUST_LOG", "trace")];
    let apply = ws.roster_env(&["--log-level", "trace", "apply", "--yes"], &env);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stderr.contains("TRACE") || apply.stderr.contains("trace"),
        "trace logging ran"
    );
    assert_no_secrets(&apply, &[SCIM_TOKEN, "Tr4ce-Secret!"]);
}

// Servers nobody here wrote.

#[test]
fn against_scim2_server_every_flow_converges() {
    let Some(server) = Scim2Server::start() else {
        return;
    };
    server.group("Finance");
    server.group("Admins");
    for extra in ["", "    patch: never\n"] {
        let ws = Workspace::scim(
            &server.url(),
            &format!("    unmanaged: deactivate\n    max_delete_fraction: 1.0\n{extra}"),
        );
        ws.write(
            "users/chat.yaml",
            "users:\n  - user_name: ana@example.com\n    email: ana@example.com\n    given_name: Ana\n    family_name: Lima\n    groups: [Finance, Admins]\n    enterprise: { department: Ops }\n  - user_name: bo@example.com\n    groups: [Finance]\n",
        );
        ws.roster(&["apply", "--yes"]).ok();
        assert_converged(&ws);
        // Update, membership changes, and bo no longer declared: deactivated.
        let second = "users:\n  - user_name: ana@example.com\n    email: ana.lima@example.com\n    given_name: Anna\n    family_name: Lima\n    external_id: HR-1\n    groups: [Admins]\n    enterprise: { department: Sales, cost_center: C1 }\n";
        ws.write("users/chat.yaml", second);
        ws.roster(&["apply", "--yes"]).ok();
        assert_converged(&ws);
        let users = server.list("Users");
        let bo = users
            .iter()
            .find(|u| u["userName"] == "bo@example.com")
            .unwrap();
        assert_eq!(bo["active"], false, "{bo}");
        let ana = users
            .iter()
            .find(|u| u["userName"] == "ana@example.com")
            .unwrap();
        assert_eq!(ana["name"]["givenName"], "Anna");
        assert_eq!(ana["emails"][0]["value"], "ana.lima@example.com");
        assert_eq!(ana[ENTERPRISE]["costCenter"], "C1");
        // bo is no manifest's any more: deactivated, he keeps his groups. (scim2-server keeps
        // deleted users as members too, so the previous round's bo may still be there.)
        let finance = server
            .list("Groups")
            .into_iter()
            .find(|g| g["displayName"] == "Finance")
            .unwrap();
        let members: Vec<&Value> = finance["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["value"])
            .collect();
        assert!(
            members.contains(&&bo["id"]) && !members.contains(&&ana["id"]),
            "{finance}"
        );

        // Import into another folder: a plan of it changes nothing.
        let imported = Workspace::scim(&server.url(), "");
        imported.roster(&["import", "--target", "chat"]).ok();
        assert_converged(&imported);

        // Delete, under `unmanaged: delete` only.
        let ws_delete = Workspace::scim(
            &server.url(),
            "    unmanaged: delete\n    max_delete_fraction: 1.0\n",
        );
        ws_delete.write("users/chat.yaml", second);
        ws_delete.roster(&["apply", "--yes"]).ok();
        let names: Vec<Value> = server
            .list("Users")
            .iter()
            .map(|u| u["userName"].clone())
            .collect();
        assert_eq!(names, ["ana@example.com"]);
        assert_converged(&ws_delete);
        ws_delete.write("users/chat.yaml", "users: []\n");
        ws_delete
            .roster(&["apply", "--yes", "--allow-mass-delete"])
            .ok();
        assert!(server.list("Users").is_empty());
    }
}

#[test]
fn the_simulator_passes_scim2_tester() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scim_conformance.py");
    for (flags, conforms) in [
        (&[][..], true),
        // Not what the RFC says: the checker must notice.
        (&["--bool-strings"][..], false),
    ] {
        let sim = Sim::scim("users: []\n", flags);
        let out = std::process::Command::new(&python)
            .arg(&script)
            .args([sim.scim_url().as_str(), SCIM_TOKEN])
            .output()
            .expect("run scim2-tester");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains(" checks: "),
            "the checker did not run:\n{stdout}\n{stderr}"
        );
        assert_eq!(
            out.status.success(),
            conforms,
            "{flags:?}:\n{stdout}\n{stderr}"
        );
        if conforms {
            assert!(stdout.contains(" 0 failed"), "{stdout}");
            assert!(
                stdout.contains("SUCCESS check_replace_attribute [User]")
                    || flags.contains(&"--no-patch"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn an_unknown_group_is_a_plan_error_with_its_place() {
    let sim = Sim::scim(SEED, &[]);
    let ws = config(&sim, "");
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    groups: [Finance, Nope]\n",
    );
    let plan = ws.roster(&["plan"]);
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr.contains(
            "users/chat.yaml:2:5: user carla@example.com: unknown group \"Nope\" (the server has: Admins, Finance)"
        ),
        "{}",
        plan.stderr
    );
    assert!(sim.scim_logged("PATCH /Groups/{id}").is_empty());
}

#[test]
fn server_errors_and_malformed_answers_are_retried_to_the_same_end() {
    let sim = Sim::scim(
        SEED,
        &[
            "--fail-rate",
            "0.2",
            "--malformed-rate",
            "0.1",
            "--fault-seed",
            "11",
        ],
    );
    let ws = config(&sim, "    max_attempts: 8\n    concurrency: 4\n");
    let mut text = String::from("users:\n");
    for i in 0..8 {
        text.push_str(&format!(
            "  - user_name: Busy{i}@Example.com\n    given_name: B{i}\n    groups: [Admins]\n"
        ));
    }
    ws.write("users/chat.yaml", &text);
    let mut converged = false;
    for _ in 0..4 {
        ws.roster(&["apply", "--yes"]);
        if ws.roster(&["plan", "--detailed-exitcode"]).code == 0 {
            converged = true;
            break;
        }
    }
    assert!(converged, "{}", ws.roster(&["plan"]).all());
    assert_eq!(sim.scim_users().len(), 2 + 8, "one user per manifest entry");
    assert_eq!(sim.scim_members("Admins").len(), 8);
    let statuses: Vec<String> = sim.requests()["by_endpoint_status"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    // The seed makes the faults the same each run: some requests were refused with a 5xx.
    assert!(statuses.iter().any(|s| s.contains(" 50")), "{statuses:?}");
}

#[test]
fn a_rate_limit_is_waited_out() {
    // One request a second: the second of a plan's three reads comes back 429 with
    // `Retry-After: 1`, and roster waits rather than fails.
    let sim = Sim::scim(SEED, &["--rate-limit", "1"]);
    let ws = config(&sim, "");
    ws.write("users/chat.yaml", "users: []\n");
    let started = Instant::now();
    let plan = ws.roster(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let limited = sim.requests()["by_endpoint_status"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.ends_with(" 429"))
        .map(|(_, n)| n.as_u64().unwrap())
        .sum::<u64>();
    assert!(limited >= 1, "{}", sim.requests());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
}
