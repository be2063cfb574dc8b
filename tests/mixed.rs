//! One config with all four vendors: one `apply` reconciles them all, and the next plan is empty.

mod util;

use util::{Sim, UIPATH_PGID, Workspace};

#[test]
fn one_apply_reconciles_all_four_vendors() {
    let x = Sim::xtracta(
        "groups: [12345]\nworkflows: [{ id: 100, name: Invoices }]\nusers: []\n",
        &[],
    );
    let u = Sim::uipath("groups: [{ name: gryff-01 }]\nusers: []\n", &[]);
    let l = Sim::learningcloud("users: []\n", &[]);
    let s = Sim::scim("groups:\n  - { displayName: Finance }\n", &[]);
    let ws = Workspace::new(&format!(
        "manifests: users
targets:
  acme:
    provider: xtracta
    url: {}
    api_key: {{ env: XTRACTA_API_KEY }}
    group_id: 12345
  robots-org:
    provider: uipath
    url: {}
    client_id: {{ env: UIPATH_CLIENT_ID }}
    client_secret: {{ env: UIPATH_CLIENT_SECRET }}
    partition_global_id: {UIPATH_PGID}
  academy:
    provider: learningcloud
    url: {}
    token: {{ env: LEARNINGCLOUD_TOKEN }}
    synchronization: synchronous
  chat:
    provider: scim
    url: {}
    token: {{ env: SCIM_TOKEN }}
",
        x.url(),
        u.identity_url(),
        l.rest_url(),
        s.scim_url()
    ));
    ws.write(
        "users/xtracta.yaml",
        "target: acme\nusers:\n  - email: ana@example.com\n    name: Ana\n    workflows: [100]\n",
    );
    ws.write("users/uipath.yaml", "target: robots-org\nusers:\n  - email: harry@example.com\n    name: Harry\n    groups: [gryff-01]\n");
    ws.write(
        "users/lc.yaml",
        "target: academy\nusers:\n  - username: rest.user\n    email: rest@example.com\n    name: Rest\n    surname: User\n    language: en\n    timezone: Europe/Madrid\n    roles: { management: [user], training: [trainer] }\n",
    );
    ws.write(
        "users/scim.yaml",
        "target: chat\nusers:\n  - user_name: ana@example.com\n    email: ana@example.com\n    groups: [Finance]\n",
    );
    let plan = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("Plan: 4 to create"), "{}", plan.stdout);
    ws.roster(&["apply", "--yes"]).ok();
    assert!(x.user_by_email("ana@example.com").is_some());
    assert!(
        u.state()["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["email"] == "harry@example.com")
    );
    assert!(l.lc_user("rest.user").is_some());
    assert_eq!(s.scim_members("Finance"), ["ana@example.com"]);
    let again = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
}
