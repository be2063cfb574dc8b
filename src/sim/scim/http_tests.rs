//! The simulator over real HTTP on an ephemeral loopback port, each quirk switch included.
//! Asserts on `serde_json::Value`, never on typed structs a client could borrow.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Args, start};
use crate::sim::test_sim::{TestSim, texts};

const TOKEN: &str = "test-scim-token";
const BASE: &str = "/scim/v2";

const SEED: &str = "\
users:
  - { userName: ana@example.com, active: true, title: Boss, name: { givenName: Ana } }
  - { userName: bo@example.com, externalId: HR-2 }
  - { userName: cy@example.com }
groups:
  - { displayName: Finance, members: [ana@example.com, bo@example.com] }
";

/// Marks the SCIM calls of the shared harness.
enum Scim {}

type Sim = TestSim<Scim>;

fn args(configure: impl FnOnce(&mut Args)) -> Args {
    let mut args = Args::default();
    args.vendor.token = TOKEN.to_owned();
    configure(&mut args);
    args
}

/// The status of an answer and the `scimType` of its error message.
fn scim_type((status, error): &(StatusCode, Value)) -> (StatusCode, Option<&str>) {
    (*status, error["scimType"].as_str())
}

impl TestSim<Scim> {
    async fn with(configure: impl FnOnce(&mut Args)) -> Self {
        Self::new(start(args(configure), Some(SEED))).await
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut rb = self
            .http
            .request(method, self.url(&format!("{BASE}{path}")))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let response = rb.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn id_of(&self, user_name: &str) -> String {
        let (_, list) = self
            .get(&format!("/Users?filter=userName%20eq%20%22{user_name}%22"))
            .await;
        list["Resources"][0]["id"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn bearer_token_discovery_and_error_messages() {
    let sim = Sim::with(|_| {}).await;
    let response = sim
        .http
        .get(sim.url(&format!("{BASE}/Users")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "401");
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    let (status, config) = sim.get("/ServiceProviderConfig").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            &config["patch"]["supported"],
            &config["filter"]["maxResults"]
        ),
        (&json!(true), &json!(200))
    );
    let (_, types) = sim.get("/ResourceTypes").await;
    assert_eq!(types["totalResults"], 2);
    let (status, schema) = sim
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")
        .await;
    assert_eq!((status, &schema["name"]), (StatusCode::OK, &json!("Group")));
    let (status, _) = sim.get("/Robots").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    sim.stop().await;
}

#[tokio::test]
async fn filters_paging_and_attribute_selection() {
    let sim = Sim::with(|a| a.vendor.max_results = 2).await;
    let (_, page) = sim
        .get("/Users?startIndex=2&count=5&attributes=userName")
        .await;
    assert_eq!(
        (&page["totalResults"], &page["itemsPerPage"]),
        (&json!(3), &json!(2)),
        "{page}"
    );
    assert_eq!(page["Resources"][0]["userName"], "bo@example.com");
    assert!(page["Resources"][0].get("externalId").is_none(), "{page}");
    let (_, found) = sim
        .get("/Users?filter=USERNAME%20Eq%20%22ANA@example.com%22")
        .await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["name"]["givenName"], "Ana");
    let (_, none) = sim.get("/Users?filter=externalId%20eq%20%22hr-2%22").await;
    assert_eq!(none["totalResults"], 0, "externalId is case-exact");
    let (_, groups) = sim
        .get("/Groups?filter=displayName%20eq%20%22FINANCE%22%20and%20externalId%20eq%20null")
        .await;
    assert_eq!(groups["totalResults"], 1, "{groups}");
    let (_, both) = sim
        .get("/Users?filter=userName%20eq%20%22bo@example.com%22%20and%20externalId%20eq%20%22HR-2%22")
        .await;
    assert_eq!(both["totalResults"], 1);
    let refused = sim.get("/Users?filter=title%20co%20%22B%22").await;
    let want = (StatusCode::BAD_REQUEST, Some("invalidFilter"));
    assert_eq!(scim_type(&refused), want);
    sim.stop().await;
}

#[tokio::test]
async fn etags_if_match_and_uniqueness() {
    let sim = Sim::with(|a| a.vendor.require_if_match = true).await;
    let id = sim.id_of("cy@example.com").await;
    let response = sim
        .http
        .get(sim.url(&format!("{BASE}/Users/{id}")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "W/\"1\"");
    let put = |tag: Option<&'static str>| {
        let mut rb = sim
            .http
            .put(sim.url(&format!("{BASE}/Users/{id}")))
            .bearer_auth(TOKEN);
        if let Some(t) = tag {
            rb = rb.header("If-Match", t);
        }
        rb.json(&json!({"userName": "cy@example.com", "title": "New"}))
            .send()
    };
    assert_eq!(
        put(None).await.unwrap().status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    assert_eq!(
        put(Some("W/\"7\"")).await.unwrap().status(),
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(put(Some("W/\"1\"")).await.unwrap().status(), StatusCode::OK);
    let twin = json!({"userName": "ANA@example.com"});
    let refused = sim.call(Method::POST, "/Users", Some(twin)).await;
    assert_eq!(
        scim_type(&refused),
        (StatusCode::CONFLICT, Some("uniqueness"))
    );
    sim.stop().await;
}

#[tokio::test]
async fn patch_members_and_deletes_and_the_log() {
    let sim = Sim::with(|_| {}).await;
    let (_, groups) = sim.get("/Groups").await;
    let gid = groups["Resources"][0]["id"].as_str().unwrap().to_string();
    let (ana, cy) = (
        sim.id_of("ana@example.com").await,
        sim.id_of("cy@example.com").await,
    );
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "Add", "path": "members", "value": [{"value": cy}]},
        {"op": "remove", "path": format!("members[value eq \"{ana}\"]")}
    ]});
    let (status, g) = sim
        .call(Method::PATCH, &format!("/Groups/{gid}"), Some(ops))
        .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    let members = texts(&g["members"], "value");
    assert_eq!(members.len(), 2);
    assert!(members.contains(&cy.as_str()) && !members.contains(&ana.as_str()));
    let (status, _) = sim
        .call(Method::DELETE, &format!("/Users/{cy}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, e) = sim
        .call(Method::DELETE, &format!("/Users/{cy}"), None)
        .await;
    assert_eq!(
        (status, &e["status"]),
        (StatusCode::NOT_FOUND, &json!("404"))
    );
    let (_, g) = sim.get(&format!("/Groups/{gid}")).await;
    assert_eq!(
        g["members"].as_array().unwrap().len(),
        1,
        "a deleted user leaves its groups"
    );
    let log = sim.sim("/_sim/log").await;
    let endpoints = texts(&log, "endpoint");
    assert_eq!(
        endpoints,
        [
            "GET /Groups",
            "GET /Users",
            "GET /Users",
            "PATCH /Groups/{id}",
            "DELETE /Users/{id}",
            "DELETE /Users/{id}"
        ]
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_quirks_of_real_servers() {
    let sim = Sim::with(|a| {
        a.vendor.no_patch = true;
        a.vendor.no_filter = true;
        a.vendor.pascal_case = true;
        a.vendor.bool_strings = true;
        a.vendor.numeric_status = true;
        a.vendor.groups_without_members = true;
    })
    .await;
    let (_, config) = sim.get("/ServiceProviderConfig").await;
    assert_eq!(
        (
            &config["Patch"]["Supported"],
            &config["Filter"]["Supported"]
        ),
        (&json!("False"), &json!("False"))
    );
    let (_, list) = sim.get("/Users?count=1").await;
    assert_eq!(list["TotalResults"], 3);
    assert_eq!(list["Resources"][0]["UserName"], "ana@example.com");
    assert_eq!(list["Resources"][0]["Active"], "True");
    let (_, groups) = sim.get("/Groups").await;
    assert!(groups["Resources"][0].get("Members").is_none(), "{groups}");
    let gid = groups["Resources"][0]["Id"].as_str().unwrap().to_string();
    let (_, g) = sim.get(&format!("/Groups/{gid}")).await;
    assert_eq!(g["Members"].as_array().unwrap().len(), 2);
    let (status, e) = sim.get("/Users?filter=userName%20eq%20%22a%22").await;
    assert_eq!(
        (status, &e["ScimType"], &e["Status"]),
        (
            StatusCode::BAD_REQUEST,
            &json!("invalidFilter"),
            &json!(400)
        )
    );
    let (status, _) = sim
        .call(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(json!({"Operations": []})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    sim.stop().await;

    let sim = Sim::with(|a| {
        a.vendor.no_discovery = true;
        a.vendor.ignore_count = true;
        a.vendor.max_results = 2;
    })
    .await;
    assert_eq!(
        sim.get("/ServiceProviderConfig").await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = sim.get("/Users?count=1").await;
    assert_eq!(list["itemsPerPage"], 2, "count ignored, up to maxResults");
    sim.stop().await;
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_took_effect() {
    let sim = Sim::with(|a| a.faults.ambiguous_rate = 1.0).await;
    let response = sim
        .http
        .post(sim.url(&format!("{BASE}/Users")))
        .bearer_auth(TOKEN)
        .json(&json!({"userName": "new@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.text().await.is_err(), "the body breaks off");
    assert_eq!(sim.user_count().await, 4);
    sim.stop().await;
}
