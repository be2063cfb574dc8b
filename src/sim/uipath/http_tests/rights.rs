//! The readings of what UiPath leaves unsaid: a client without partition-administrator rights,
//! and groups whose name is null.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{GRYFF, PGID, Sim, args, seed};
use crate::sim::test_sim::{json, text};

#[tokio::test]
async fn without_partition_admin_rights_group_writes_are_forbidden() {
    let mut denied = args();
    denied.vendor.deny_partition_admin = true;
    let sim = Sim::start(denied, &seed(1)).await;
    let token = sim.token("PM.User PM.Group").await;
    let in_group =
        json!({ "email": "ana@example.com", "partitionGlobalId": PGID, "groupIDs": [GRYFF] });
    let (status, problem) = json(sim.call(Method::POST, "/User", &token).json(&in_group)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        (&problem["status"], &problem["title"]),
        (&json!(403), &json!("Forbidden"))
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("Creating user in a group requires partition administrator"),
        "{detail}"
    );
    assert_eq!(sim.user_count().await, 1, "nothing was created");

    let plain = json!({ "email": "ana@example.com", "partitionGlobalId": PGID });
    let (status, _) = text(sim.call(Method::POST, "/User", &token).json(&plain)).await;
    assert_eq!(status, StatusCode::OK, "a user in no group can be created");
    let state = sim.sim("/_sim/state").await;
    let path = format!("/User/{}", state["users"][1]["id"].as_str().unwrap());
    let regroup = json!({ "groupIDsToAdd": [GRYFF] });
    let (status, problem) = json(sim.call(Method::PUT, &path, &token).json(&regroup)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("Updating user groups requires partition administrator"),
        "{detail}"
    );
    let rename = json!({ "surname": "Lima", "groupIDsToAdd": [], "groupIDsToRemove": [] });
    let (status, _) = text(sim.call(Method::PUT, &path, &token).json(&rename)).await;
    assert_eq!(status, StatusCode::OK, "other fields still change");
    let users = format!("/User/users/{PGID}");
    let (status, page) = json(sim.call(Method::GET, &users, &token)).await;
    assert_eq!(status, StatusCode::OK, "listing needs no such rights");
    assert_eq!(page["results"][1]["surname"], "Lima");
    assert_eq!(
        page["results"][1]["groupIDs"].as_array().unwrap().len(),
        1,
        "only Everyone"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_group_without_a_name_is_listed_with_a_null_name() {
    let seed = format!(
        "groups:\n  - {{ id: {GRYFF}, name: null }}\nusers:\n  - {{ email: a@example.com, groups: [{GRYFF}] }}\n"
    );
    let sim = Sim::start(args(), &seed).await;
    let token = sim.token("PM.User PM.Group").await;
    let (status, groups) = json(sim.call(Method::GET, &format!("/Group/{PGID}"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    let groups = groups.as_array().unwrap();
    assert_eq!(
        groups.len(),
        3,
        "Everyone, Administrators and the nameless one"
    );
    let nameless = groups.iter().find(|g| g["id"] == GRYFF).unwrap();
    assert_eq!(
        (&nameless["name"], &nameless["displayName"]),
        (&Value::Null, &Value::Null)
    );
    let (_, page) = json(sim.call(Method::GET, &format!("/User/users/{PGID}"), &token)).await;
    assert!(
        page["results"][0]["groupIDs"]
            .as_array()
            .unwrap()
            .contains(&json!(GRYFF))
    );
    sim.stop().await;
}
