//! The readings of what learningCloud's documents leave open, each a simulator switch: a PUT
//! that merges or replaces, and a `startIndex` that counts from 0 or 1, users or pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Sim, args, seed};

/// A user with every field the vendor shows set, including those roster does not manage.
const FULL: &str = "\
extended_fields: [costCenter, department]
users:
  - { username: full.user, email: full@acme.example, name: Full, surname: User, language: en, timezone: UTC, enabled: false, roles: { management: [user], training: [trainer], play: [author] }, external_id: HR-9, extended_fields: { costCenter: CC-9, department: Ops }, auth_source: LDAP, office_phone: '+34 1', mobile_phone: '+34 2', interests: chess, about_me: hi, location: Madrid, image_url: 'https://img.example/full.png', password: secret-pw }
";

async fn put(sim: &Sim, user: Value) -> StatusCode {
    let (status, body) = sim
        .write(Method::PUT, "/users/full.user", json!({ "user": user }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    status
}

#[tokio::test]
async fn a_user_read_and_sent_back_whole_keeps_every_field_under_either_reading() {
    for replaces in [false, true] {
        let mut reading = args();
        reading.vendor.put_replaces = replaces;
        let sim = Sim::start(reading, FULL).await;
        let (_, before) = sim.get("/users/full.user").await;
        let mut sent = before.clone();
        sent["name"] = json!("Renamed");
        put(&sim, sent).await;
        let (_, after) = sim.get("/users/full.user").await;
        let mut want = before;
        want["name"] = json!("Renamed");
        assert_eq!(after, want, "put_replaces: {replaces}");
        sim.stop().await;
    }
}

#[tokio::test]
async fn a_put_of_the_core_fields_merges_or_replaces() {
    let core = json!({ "username": "full.user", "email": "full@acme.example", "name": "Full",
        "surname": "User", "language": "en", "timezone": "UTC" });

    let sim = Sim::start(args(), FULL).await;
    let (_, before) = sim.get("/users/full.user").await;
    put(&sim, core.clone()).await;
    assert_eq!(
        sim.get("/users/full.user").await.1,
        before,
        "merge: nothing lost"
    );
    sim.stop().await;

    let mut replacing = args();
    replacing.vendor.put_replaces = true;
    let sim = Sim::start(replacing, FULL).await;
    let (_, before) = sim.get("/users/full.user").await;
    put(&sim, core).await;
    let (_, after) = sim.get("/users/full.user").await;
    for field in [
        "externalId",
        "officePhone",
        "mobilePhone",
        "interests",
        "aboutMe",
        "location",
    ] {
        assert_eq!(after[field], Value::Null, "{field} is cleared");
    }
    assert_eq!(
        after["extendedFields"],
        json!({"costCenter": null, "department": null})
    );
    assert_eq!(after["image"], json!({"url": null}));
    assert_eq!(
        after["roles"],
        json!({"management": ["user"]}),
        "the default roles"
    );
    assert_eq!(
        (&after["authSource"], &after["enabled"]),
        (&json!("LOCAL"), &json!(true))
    );
    assert_eq!(after["id"], before["id"], "the ids are not the PUT's");
    assert_eq!(after["commonId"], before["commonId"]);
    let state = sim.sim("/_sim/state").await;
    assert_eq!(
        state["users"][0]["password"], "secret-pw",
        "the password is not the PUT's"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_role_section_sent_empty_is_emptied() {
    let sim = Sim::start(args(), FULL).await;
    let (_, mut user) = sim.get("/users/full.user").await;
    user["roles"]["training"] = json!([]);
    put(&sim, user).await;
    let (_, after) = sim.get("/users/full.user").await;
    assert_eq!(
        after["roles"],
        json!({"management": ["user"], "play": ["author"]})
    );
    assert_eq!(after["externalId"], "HR-9");
    sim.stop().await;
}

/// The usernames of the page `query` answers with.
async fn page(sim: &Sim, query: &str) -> Vec<String> {
    let (status, users) = sim.get(&format!("/users?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{users}");
    let users = users.as_array().unwrap();
    users
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn start_index_counts_from_zero_or_one_and_users_or_pages() {
    let sim = Sim::start(args(), &seed(3)).await;
    assert_eq!(page(&sim, "startIndex=1&count=1").await, ["user000"]);
    sim.stop().await;

    let mut from_one = args();
    from_one.vendor.start_index = 1;
    let sim = Sim::start(from_one.clone(), &seed(3)).await;
    assert_eq!(page(&sim, "startIndex=1&count=1").await, ["restuser.acme"]);
    assert_eq!(
        page(&sim, "startIndex=0&count=1").await,
        ["restuser.acme"],
        "below 1 reads as 1"
    );
    assert_eq!(page(&sim, "count=1").await, ["restuser.acme"]);
    assert_eq!(page(&sim, "startIndex=4&count=2").await, ["user002"]);
    sim.stop().await;

    let mut by_page = from_one;
    by_page.vendor.page_by_number = true;
    let sim = Sim::start(by_page, &seed(3)).await;
    assert_eq!(
        page(&sim, "startIndex=1&count=2").await,
        ["restuser.acme", "user000"]
    );
    assert_eq!(
        page(&sim, "startIndex=2&count=2").await,
        ["user001", "user002"]
    );
    assert!(page(&sim, "startIndex=3&count=2").await.is_empty());
    sim.stop().await;
}
