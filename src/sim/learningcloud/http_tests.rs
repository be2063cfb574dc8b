//! The simulator over real HTTP on an ephemeral loopback port. Asserts on
//! `serde_json::Value`, never on typed structs a client could borrow.

mod readings;

use std::fmt::Write as _;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use super::{Args, start};
use crate::sim::test_sim::{TestSim, assert_broken_off, json, with_state_file};

const TOKEN: &str = "test-token";
const BASE: &str = "/integration/ws/management/rest";

fn args() -> Args {
    let mut args = Args::default();
    args.vendor.token = TOKEN.to_owned();
    args
}

/// `restuser.acme` and then `extra` numbered users.
fn seed(extra: usize) -> String {
    let mut text = "\
extended_fields: [costCenter, department]
users:
  - { username: restuser.acme, email: rest@acme.example, name: Rest, surname: User, language: en, timezone: Europe/Madrid, roles: { management: [user], training: [trainer] }, external_id: HR-1, extended_fields: { costCenter: CC-1 }, password: optional }
"
    .to_owned();
    for i in 0..extra {
        writeln!(text, "  - {{ username: user{i:03} }}").unwrap();
    }
    text
}

type Sim = TestSim<Args>;

impl TestSim<Args> {
    async fn start(args: Args, seed: &str) -> Self {
        Self::new(start(args, Some(seed))).await
    }

    /// A vendor call with the right token; `path` is relative to the REST base.
    fn call(&self, method: Method, path: &str) -> RequestBuilder {
        let url = self.url(&format!("{BASE}{path}"));
        self.http
            .request(method, url)
            .header("X-Cloud-Auth-Token", TOKEN)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        json(self.call(Method::GET, path)).await
    }

    async fn write(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        json(self.call(method, path).json(&body)).await
    }
}

/// Checks that `answer` is a refusal with `status` and `message` in the envelope.
fn assert_refused((status, body): &(StatusCode, Value), expected: StatusCode, message: &str) {
    assert_eq!(*status, expected, "{body}");
    assert_eq!(body["message"], message);
}

fn platform_statuses(envelope: &Value) -> [u64; 4] {
    ["training", "social", "play", "management"]
        .map(|p| envelope["responsePlatforms"][p]["status"].as_u64().unwrap())
}

#[tokio::test]
async fn speaks_the_learningcloud_user_api() {
    let sim = Sim::start(args(), &seed(698)).await;
    let users = sim.url(&format!("{BASE}/users"));

    let (status, body) = json(sim.http.get(&users)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let want = json!({"status": 401, "location": null,
        "message": "invalid or missing X-Cloud-Auth-Token", "responsePlatforms": {}});
    assert_eq!(body, want);
    let wrong = sim.http.get(&users).header("X-Cloud-Auth-Token", "nope");
    assert_eq!(json(wrong).await.0, StatusCode::UNAUTHORIZED);
    let html = sim
        .call(Method::GET, "/users")
        .header("Accept", "text/html");
    assert_eq!(json(html).await.0, StatusCode::NOT_ACCEPTABLE);

    let new = json!({"user": {"username": "newbie", "password": "first-pw", "name": "New",
        "surname": "Bie", "language": "es", "timezone": "Europe/Madrid",
        "email": "newbie@acme.example", "roles": {"management": ["user"], "play": ["author"]},
        "externalId": "HR-2", "extendedFields": {"department": "Ops"}}});
    let untyped = sim.call(Method::POST, "/users").body(new.to_string());
    assert_eq!(json(untyped).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let create = sim
        .call(Method::POST, "/users")
        .header("X-Cloud-Synchronization", "synchronous")
        .header("Accept", "application/vnd.netex.nlc-api.v1.0.1+json")
        .json(&new);
    let response = create.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 204);
    assert_eq!(body["location"], location.as_str());
    assert_eq!(platform_statuses(&body), [200, 204, 204, 204]);
    let id = location.strip_prefix("/users/").unwrap().to_owned();
    assert_eq!(id.len(), 32);

    let taken = sim.write(Method::POST, "/users", new.clone()).await;
    assert_refused(
        &taken,
        StatusCode::BAD_REQUEST,
        "username already exists: newbie",
    );
    assert_eq!(taken.1["responsePlatforms"], json!({}));
    let bad_role = json!({"user": {"username": "x", "roles": {"management": ["user"], "social": ["trainer"]}}});
    assert_refused(
        &sim.write(Method::POST, "/users", bad_role).await,
        StatusCode::BAD_REQUEST,
        "invalid role in roles.social: trainer (allowed: user, admin)",
    );

    let (status, first) = sim.get("/users?count=1000").await;
    assert_eq!(status, StatusCode::OK);
    let first = first.as_array().unwrap();
    assert_eq!(first.len(), 500, "count is capped");
    assert_eq!(first[0]["username"], "restuser.acme");
    let (_, second) = sim.get("/users?startIndex=500&count=500").await;
    let second = second.as_array().unwrap();
    assert_eq!(second.len(), 200);
    assert_eq!(second[199]["username"], "newbie", "creation order");
    assert_eq!(sim.get("/users?startIndex=700").await.1, json!([]));
    assert_refused(
        &sim.get("/users?startIndex=-1").await,
        StatusCode::BAD_REQUEST,
        "startIndex must be a non-negative integer: -1",
    );

    let (status, user) = sim.get("/users/NEWBIE").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["id"], id.as_str());
    assert_eq!(
        user["roles"],
        json!({"management": ["user"], "play": ["author"]})
    );
    assert_eq!(
        user["extendedFields"],
        json!({"costCenter": null, "department": "Ops"})
    );
    assert_eq!(user["externalId"], "HR-2");
    assert_eq!(
        (user["enabled"].clone(), user["authSource"].clone()),
        (json!(true), json!("LOCAL"))
    );
    assert_eq!(
        (user["image"].clone(), user["extra"].clone()),
        (json!({"url": null}), json!({}))
    );
    assert!(user["password"].as_str().unwrap().starts_with("$2a$10$"));

    let mut update = json!({"user": {"username": "newbie.renamed", "name": "Newer",
        "surname": "Bie", "language": "en", "timezone": "UTC",
        "roles": {"management": ["admin"]}, "password": "ignored"}});
    let path = format!("/users/{id}");
    let no_email = sim.write(Method::PUT, &path, update.clone()).await;
    assert_refused(&no_email, StatusCode::BAD_REQUEST, "email is required");
    update["user"]["email"] = json!("newer@acme.example");
    let (status, body) = sim.write(Method::PUT, "/users/newbie", update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        platform_statuses(&body),
        [202, 202, 204, 204],
        "asynchronous by default"
    );
    let (_, user) = sim.get(&path).await;
    assert_eq!(user["username"], "newbie.renamed");
    assert_eq!(user["roles"], json!({"management": ["admin"]}));
    assert_eq!(user["externalId"], "HR-2", "absent fields stay");

    let deactivate = json!({"message": "Sorry, your user is deactivated."});
    let (status, _) = sim
        .write(Method::PUT, &format!("{path}/deactivate"), deactivate)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.get(&path).await.1["enabled"], false);
    let headers = sim.sim("/_sim/headers").await;
    assert_eq!(headers["endpoint"], "GET /users/{id}");
    assert_eq!(
        headers["last_write"]["endpoint"],
        "PUT /users/{id}/deactivate"
    );
    assert_eq!(headers["last_write"]["synchronization"], Value::Null);

    let change = json!({"newPassword": "second-pw"});
    let (status, body) = sim
        .write(Method::PUT, &format!("{path}/changePassword"), change)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        platform_statuses(&body),
        [200, 204, 204, 204],
        "always synchronous"
    );
    let state = sim.sim("/_sim/state").await;
    assert_eq!(state["users"][699]["password"], "second-pw");

    let (status, _) = json(sim.call(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::OK);
    let gone = sim.get(&path).await;
    assert_refused(
        &gone,
        StatusCode::NOT_FOUND,
        &format!("user not found: {id}"),
    );

    sim.assert_counted(&[
        ("POST /users", 4),
        ("GET /users 401", 2),
        ("GET /users/{id} 404", 1),
        ("PUT /users/{id}/changePassword 200", 1),
        ("DELETE /users/{id} 200", 1),
    ])
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn a_failing_platform_shows_in_the_envelope_and_the_write_commits() {
    let mut failing = args();
    failing.vendor.platform_fail = Some("training".to_owned());
    let sim = Sim::start(failing, &seed(0)).await;
    let new = json!({"user": {"username": "ana"}});
    let (status, body) = sim.write(Method::POST, "/users", new).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], 500);
    assert_eq!(body["message"], "error in platform training");
    assert_eq!(
        body["responsePlatforms"]["training"]["message"],
        "simulated training platform failure"
    );
    assert_eq!(
        sim.get("/users/ana").await.0,
        StatusCode::OK,
        "committed anyway"
    );
    sim.stop().await;
}

#[tokio::test]
async fn an_unknown_failing_platform_is_refused_at_start() {
    let mut bad = args();
    bad.vendor.platform_fail = Some("talent".to_owned());
    assert!(start(bad, None).await.is_err());
}

#[tokio::test]
async fn injected_faults() {
    let mut errors = args();
    errors.faults.fail_rate = 1.0;
    let sim = Sim::start(errors, &seed(0)).await;
    let (status, body) = sim
        .write(Method::POST, "/users", json!({"user": {"username": "bo"}}))
        .await;
    assert!(status.is_server_error(), "{status}");
    assert_eq!(body["message"], "simulated server error");
    assert_eq!(sim.user_count().await, 1);
    sim.stop().await;

    let mut ambiguous = args();
    ambiguous.faults.ambiguous_rate = 1.0;
    let sim = Sim::start(ambiguous, &seed(0)).await;
    let create = sim
        .call(Method::POST, "/users")
        .json(&json!({"user": {"username": "cy"}}));
    assert_broken_off(create.send().await.unwrap()).await;
    assert_eq!(
        sim.get("/users/cy").await.0,
        StatusCode::OK,
        "reads are whole; the write happened"
    );
    sim.stop().await;

    let mut malformed = args();
    malformed.faults.malformed_rate = 1.0;
    let sim = Sim::start(malformed, &seed(0)).await;
    let response = sim.call(Method::GET, "/users").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    sim.stop().await;
}

#[tokio::test]
async fn sim_state_is_replaceable_and_survives_a_restart() {
    let (_dir, with_state) = with_state_file(args());
    let sim = Sim::start(with_state.clone(), &seed(0)).await;
    let mut world = sim.sim("/_sim/state").await;
    assert_eq!(world["next_seq"], 2, "{world}");
    world["users"][0]["name"] = json!("Drifted");
    world["extended_fields"] = json!(["costCenter", "department", "grade"]);
    assert_eq!(sim.put_state(&world).await.0, StatusCode::OK);
    world["users"][0]["roles"] = json!({"training": ["user"]});
    sim.assert_state_refused(&world, "users[0]: roles.management")
        .await;
    sim.stop().await;

    let sim = Sim::start(with_state, &seed(0)).await;
    let (_, user) = sim.get("/users/restuser.acme").await;
    assert_eq!(user["name"], "Drifted");
    assert_eq!(user["extendedFields"]["grade"], Value::Null);
    sim.reset_requests().await;
    assert_eq!(sim.sim("/_sim/headers").await["endpoint"], Value::Null);
    sim.stop().await;
}
