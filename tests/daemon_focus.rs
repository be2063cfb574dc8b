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
    assert_eq!(sim.total_requests(), 0, "{}", sim.requests());

    // The next full reconcile finds the drift.
    d.signal("-HUP");
    wait_for("SIGHUP to fix the drift", &d, || {
        has(&sim, "other@example.com", "Other")
    });
    assert!(has(&sim, "keep@example.com", "Kept"));
}
