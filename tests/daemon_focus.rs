//! `roster daemon`'s focused reconciles: a manifest edit plans only the users it touched, so
//! drift elsewhere waits for the next full reconcile (SIGHUP here), a user taken out of the
//! manifests is still removed, and an edit that changes no user sends nothing. Every wait is
//! bounded and polls for the outcome.

mod util;

use util::daemon::Daemon;
use util::{Sim, Workspace};

const SEED: &str = "groups: [12345]\nusers:\n  - { id: 7, name: Keep, email: keep@example.com, group: 12345 }\n  - { id: 8, name: Other, email: other@example.com, group: 12345 }\n  - { id: 9, name: Gone, email: gone@example.com, group: 12345 }\n";

#[track_caller]
fn wait_for(what: &str, d: &Daemon, cond: impl FnMut() -> bool) {
    d.wait_for(what, 20, cond);
}

fn workspace(sim: &Sim) -> Workspace {
    Workspace::new(&format!(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n    unmanaged: delete\n    max_delete_fraction: 1.0\ndaemon:\n  listen: 127.0.0.1:0\n  debounce: 200ms\n  schedule: \"0 0 1 1 *\"\n",
        sim.url()
    ))
}

/// Writes `users/team.yaml` as an editor's atomic save: a hidden file renamed over it.
fn save(ws: &Workspace, text: &str) {
    ws.write("users/.team.yaml.tmp", text);
    std::fs::rename(
        ws.path().join("users/.team.yaml.tmp"),
        ws.path().join("users/team.yaml"),
    )
    .unwrap();
}

fn team(users: &[(&str, &str)]) -> String {
    let mut s = String::from("users:\n");
    for (email, name) in users {
        s.push_str(&format!("  - email: {email}\n    name: {name}\n"));
    }
    s
}

fn has(sim: &Sim, email: &str, name: &str) -> bool {
    sim.user_by_email(email).is_some_and(|u| u.1 == name)
}

fn count(sim: &Sim, endpoint: &str) -> u64 {
    sim.requests()["by_endpoint"][endpoint]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn an_edit_applies_only_its_users_and_drift_elsewhere_waits_for_a_full_reconcile() {
    let sim = Sim::xtracta(SEED, &[]);
    let ws = workspace(&sim);
    let all = [
        ("keep@example.com", "Keep"),
        ("other@example.com", "Other"),
        ("gone@example.com", "Gone"),
    ];
    save(&ws, &team(&all));
    let d = Daemon::start(&ws, &[]);
    wait_for("the start-up reconcile", &d, || d.successes() >= 1.0);
    assert_eq!(sim.users().len(), 3);

    // Someone edits another user in the vendor's UI; then a manifest edit renames keep.
    let mut state = sim.state();
    for u in state["users"].as_array_mut().unwrap() {
        if u["email_address"] == "other@example.com" {
            u["name"] = "Edited by hand".into();
        }
    }
    sim.put_state(&state);
    sim.reset_requests();
    save(
        &ws,
        &team(&[
            ("keep@example.com", "Kept"),
            ("other@example.com", "Other"),
            ("gone@example.com", "Gone"),
        ]),
    );
    wait_for("the edit", &d, || d.successes() >= 2.0);
    assert!(has(&sim, "keep@example.com", "Kept"), "{:?}", sim.users());
    assert!(
        has(&sim, "other@example.com", "Edited by hand"),
        "the focused reconcile left the drift elsewhere alone: {:?}",
        sim.users()
    );
    assert_eq!(count(&sim, "/v1/user/update"), 1, "{}", sim.requests());
    assert!(d.log().contains("focused on 1 users"), "{}", d.log());
    assert_eq!(d.metric("roster_pending_drift", "acme"), 0.0);

    // A user taken out of the manifest is removed by the focused reconcile (unmanaged: delete).
    sim.reset_requests();
    save(
        &ws,
        &team(&[("keep@example.com", "Kept"), ("other@example.com", "Other")]),
    );
    wait_for("the removal", &d, || d.successes() >= 3.0);
    assert!(
        sim.user_by_email("gone@example.com").is_none(),
        "{:?}",
        sim.users()
    );
    assert_eq!(count(&sim, "/v1/user/delete"), 1, "{}", sim.requests());
    assert_eq!(count(&sim, "/v1/user/update"), 0, "{}", sim.requests());
    assert!(has(&sim, "other@example.com", "Edited by hand"));

    // An edit that changes no user (a comment, every line moved down) sends nothing.
    sim.reset_requests();
    save(
        &ws,
        &format!(
            "# the team\n{}",
            team(&[("keep@example.com", "Kept"), ("other@example.com", "Other")])
        ),
    );
    wait_for("the comment to be read", &d, || {
        d.log().contains("no user changed")
    });
    let reqs = sim.requests();
    assert!(
        count(&sim, "/v1/user") <= 1 && reqs["total"] == count(&sim, "/v1/user"),
        "no write, at most the list fetched during the debounce: {reqs}"
    );

    // The next full reconcile finds the drift.
    d.signal("-HUP");
    wait_for("SIGHUP to fix the drift", &d, || {
        has(&sim, "other@example.com", "Other")
    });
    assert!(has(&sim, "keep@example.com", "Kept"));
}

/// A daemon on `seed`, with `users/team.yaml` applied by its start-up reconcile.
fn started(sim: &Sim, users: &[(&str, &str)]) -> (Workspace, Daemon) {
    let ws = workspace(sim);
    save(&ws, &team(users));
    let d = Daemon::start(&ws, &[]);
    wait_for("the start-up reconcile", &d, || d.successes() >= 1.0);
    (ws, d)
}

#[test]
fn the_list_fetched_during_the_debounce_serves_the_edit() {
    let sim = Sim::xtracta(SEED, &[]);
    let keep = [("other@example.com", "Other"), ("gone@example.com", "Gone")];
    let (ws, d) = started(&sim, &[&[("keep@example.com", "Keep")][..], &keep].concat());
    sim.reset_requests();
    save(
        &ws,
        &team(&[&[("keep@example.com", "Kept")][..], &keep].concat()),
    );
    wait_for("the edit", &d, || d.successes() >= 2.0);
    assert!(has(&sim, "keep@example.com", "Kept"));
    let reqs = sim.requests();
    assert_eq!(
        reqs["total"], 2,
        "one list (during the debounce), one update: {reqs}"
    );
    assert_eq!(count(&sim, "/v1/user"), 1, "{reqs}");
    assert_eq!(count(&sim, "/v1/user/update"), 1, "{reqs}");
    assert!(
        d.log()
            .contains("using the list fetched during the debounce"),
        "{}",
        d.log()
    );
    // Every request is counted in the metrics, the list during the debounce too.
    assert_eq!(
        d.metric("roster_vendor_requests_total", "endpoint=\"/v1/user\""),
        2.0,
        "{}",
        d.metrics()
    );
}

#[test]
fn a_list_fetched_for_other_groups_is_not_used() {
    let sim = Sim::xtracta(
        "groups: [12345, 777]\nusers:\n  - { id: 7, name: Keep, email: keep@example.com, group: 12345 }\n",
        &[],
    );
    let (ws, d) = started(&sim, &[("keep@example.com", "Keep")]);
    sim.reset_requests();
    // The new user is in another group: the reconcile lists that group too, so the list
    // fetched during the debounce (the target's group alone) does not serve it.
    ws.write(
        "users/.team.yaml.tmp",
        "users:\n  - email: keep@example.com\n    name: Keep\n  - email: partner@example.com\n    name: Partner\n    group_id: 777\n",
    );
    std::fs::rename(
        ws.path().join("users/.team.yaml.tmp"),
        ws.path().join("users/team.yaml"),
    )
    .unwrap();
    wait_for("the edit", &d, || d.successes() >= 2.0);
    let partner = sim.user_by_email("partner@example.com");
    assert_eq!(partner.map(|u| u.3), Some(777), "{:?}", sim.users());
    let reqs = sim.requests();
    assert_eq!(
        count(&sim, "/v1/user"),
        3,
        "the debounce's list, then both groups listed again: {reqs}"
    );
    assert_eq!(count(&sim, "/v1/user/add"), 1, "{reqs}");
    assert!(
        d.log().contains("does not serve this reconcile"),
        "{}",
        d.log()
    );
}
