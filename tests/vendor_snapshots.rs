//! The plan of each vendor as a reviewer reads it (human, markdown) and as machines read it
//! (JSON), pinned as insta snapshots; and `validate`'s problems for a config and manifests that
//! get many things wrong at once. Each plan has a create, an update, a membership or group
//! change and a removal, against the vendor's simulator.

mod util;

use util::{Sim, UIPATH_PGID, Workspace};

/// The plan in the three forms, with the simulator's random address made stable.
fn plans(ws: &Workspace, sim: &Sim) -> [String; 3] {
    let shown = |args: &[&str]| {
        let out = ws.roster(args);
        assert!(out.code == 0 || out.code == 2, "{args:?}: {}", out.all());
        out.stdout.replace(&sim.addr, "SIM")
    };
    [
        shown(&["plan", "--detailed-exitcode"]),
        shown(&["plan", "--output", "json"]),
        shown(&["plan", "--output", "markdown"]),
    ]
}

fn snapshot(vendor: &str, [human, json, markdown]: [String; 3]) {
    insta::assert_snapshot!(format!("{vendor}_plan_human"), human);
    insta::assert_snapshot!(format!("{vendor}_plan_json"), json);
    insta::assert_snapshot!(format!("{vendor}_plan_markdown"), markdown);
}

#[test]
fn xtracta_plan() {
    let sim = Sim::xtracta(
        "groups: [12345]\nworkflows:\n  - { id: 100, name: Invoices }\n  - { id: 200, name: Receipts }\nusers:\n  - { id: 4092, name: Bo, email: bo@example.com, group: 12345, workflows: [100] }\n  - { id: 4093, name: Old, email: old@example.com, group: 12345 }\n",
        &[],
    );
    let ws = Workspace::xtracta(
        &sim,
        "    unmanaged: delete\n    max_delete: 5\n    max_delete_fraction: 1.0\n",
    );
    ws.write(
        "users/acme.yaml",
        "users:\n  - email: bo@example.com\n    name: Bo Chen\n    workflows: [200]\n  - email: ana@example.com\n    name: Ana Lima\n    workflows: [100]\n",
    );
    snapshot("xtracta", plans(&ws, &sim));
}

#[test]
fn uipath_plan() {
    let sim = Sim::uipath(
        "groups: [{ name: gryff-01 }, { name: alumni-02 }]\nusers:\n  - { email: harry@example.com, name: Harry, surname: Potter, groups: [gryff-01] }\n  - { email: draco@example.com, name: Draco, surname: Malfoy }\n",
        &[],
    );
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  robots-org:\n    provider: uipath\n    url: {}\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n    unmanaged: deactivate\n    max_delete_fraction: 1.0\n",
        sim.identity_url()
    ));
    ws.write(
        "users/robots.yaml",
        "users:\n  - email: harry@example.com\n    name: Harry\n    surname: Potter-Evans\n    groups: [alumni-02]\n  - email: hermione@example.com\n    name: Hermione\n    surname: Granger\n    groups: [gryff-01]\n",
    );
    let ids = |text: String| {
        // The simulator gives seeded users random GUIDs: keep their shape, not their value.
        let mut out = String::new();
        for word in text.split_inclusive(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
            let (body, tail) = word.split_at(
                word.len()
                    - word.chars().last().map_or(0, |c| {
                        if c.is_ascii_hexdigit() || c == '-' {
                            0
                        } else {
                            c.len_utf8()
                        }
                    }),
            );
            if body.len() == 36 && body.matches('-').count() == 4 && body != UIPATH_PGID {
                out.push_str("GUID");
            } else {
                out.push_str(body);
            }
            out.push_str(tail);
        }
        out
    };
    snapshot("uipath", plans(&ws, &sim).map(ids));
}

#[test]
fn learningcloud_plan() {
    let sim = Sim::learningcloud(
        "users:\n  - { username: rest.user, email: rest@acme.example, name: Rest, surname: User, language: en, timezone: Europe/Madrid, roles: { management: [user] } }\n  - { username: legacy, email: legacy@acme.example, name: Leg, surname: Acy, language: en, timezone: UTC }\n",
        &[],
    );
    let ws = Workspace::learningcloud(
        &sim,
        "    unmanaged: deactivate\n    max_delete_fraction: 1.0\n",
    );
    ws.write(
        "users/academy.yaml",
        "users:\n  - username: rest.user\n    email: rest@acme.example\n    name: Rest\n    surname: User-Smith\n    language: en\n    timezone: Europe/Madrid\n    roles: { management: [user], training: [trainer] }\n  - username: ana.lima\n    email: ana@acme.example\n    name: Ana\n    surname: Lima\n    language: pt\n    timezone: Europe/Lisbon\n",
    );
    snapshot("learningcloud", plans(&ws, &sim));
}

#[test]
fn validate_problems() {
    let sim = Sim::xtracta("groups: [12345]\nusers: []\n", &[]);
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_idd: 3\n    timeout: 2h\n  lc:\n    provider: learningcloud\n    url: http://example.com/rest\n    token: {{ env: ROSTER_SURELY_UNSET }}\n    group_id: 4\n  odd:\n    provider: nothing\n    url: https://x.example\n",
        sim.url()
    ));
    ws.write(
        "users/a.yaml",
        "target: acme\nusers:\n  - email: not-an-email\n    name: A\n    surname: B\n  - email: b@example.com\n    nmae: B\n  - email: c@example.com\n    name: C\n    workflows: [1, 1]\n    ignore: [nmae]\n",
    );
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.all());
    insta::assert_snapshot!("validate_problems", out.stderr.replace(&sim.addr, "SIM"));
    // With the config valid, the manifests' problems, every one at once.
    let ws = Workspace::xtracta(&sim, "");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: not-an-email\n    name: A\n    surname: B\n  - email: b@example.com\n    nmae: B\n  - email: c@example.com\n    name: C\n    workflows: [1, 1]\n    ignore: [nmae]\n  - id: abc\n    email: d@example.com\n    name: D\n    group_id: -3\n",
    );
    ws.write("users/b.yaml", "target: nowhere\nusers: []\n");
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.all());
    insta::assert_snapshot!("validate_manifest_problems", out.stderr);
    assert_eq!(sim.total_requests(), 0);
}

#[test]
fn scim_plan() {
    let sim = Sim::scim(
        "users:\n  - { userName: carla@example.com, name: { givenName: Carla, familyName: Souza }, active: true }\n  - { userName: dan@example.com, active: true }\ngroups:\n  - { displayName: Finance, members: [carla@example.com, dan@example.com] }\n  - { displayName: Admins }\n",
        &[],
    );
    let ws = Workspace::scim(
        &sim.scim_url(),
        "    unmanaged: deactivate\n    max_delete_fraction: 1.0\n",
    );
    ws.write(
        "users/chat.yaml",
        "users:\n  - user_name: carla@example.com\n    given_name: Carla\n    family_name: Lima\n    groups: [Admins]\n  - user_name: ana@example.com\n    email: ana@example.com\n    display_name: Ana Lima\n    groups: [Finance]\n",
    );
    snapshot("scim", plans(&ws, &sim));
}
