//! The simulator over real HTTP on an ephemeral loopback port. Asserts on raw JSON through
//! `serde_json::Value` on purpose: no typed wire structs here that a client could borrow.

use std::fmt::Write as _;
use std::net::SocketAddr;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use super::{Args, Deployment, Running, start};
use crate::sim::faults::FaultArgs;

const PGID: &str = "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11";
const GRYFF: &str = "0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e01";

fn args() -> Args {
    Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        state: None,
        seed: None,
        client_id: "app".to_owned(),
        client_secret: "s3cret".to_owned(),
        deployment: Deployment::Cloud,
        token_ttl: 3600,
        grant_scopes: "PM.User PM.Group".to_owned(),
        faults: FaultArgs::default(),
    }
}

/// A seed with `users` users, `user0000@example.com` onwards; the first is an administrator.
fn seed(users: usize) -> String {
    let mut text = format!("groups:\n  - {{ id: {GRYFF}, name: gryff-01 }}\nusers:\n");
    for i in 0..users {
        let groups = if i == 0 { "[Administrators]" } else { "[]" };
        let _ = writeln!(
            text,
            "  - {{ email: user{i:04}@example.com, name: N{i}, groups: {groups} }}"
        );
    }
    text
}

struct Sim {
    running: Running,
    http: Client,
}

impl Sim {
    async fn start(args: Args, seed: &str) -> Self {
        let running = start(args, Some(seed)).await.expect("simulator starts");
        Self {
            running,
            http: Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addr())
    }

    fn api(&self, path: &str) -> String {
        self.url(&format!("/acme/identity_/api{path}"))
    }

    async fn token_with(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/identity_/connect/token"))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn token(&self, scope: &str) -> String {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", "s3cret"),
            ("scope", scope),
        ];
        let (status, body) = self.token_with(&form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Sends `body` as JSON (when given) with the bearer token; answers the status and the
    /// body text.
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (StatusCode, String) {
        let mut request = self.http.request(method, self.api(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    async fn json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let (status, text) = self.call(method, path, token, body).await;
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not json: {text:?}"));
        (status, value)
    }

    async fn sim(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
    }
}

#[tokio::test]
async fn token_list_create_update_delete() {
    let sim = Sim::start(args(), &seed(1500)).await;
    let token = sim.token("PM.User PM.Group").await;

    let users = format!("/User/users/{PGID}");
    let (status, page) = sim
        .json(
            Method::GET,
            &format!("{users}?top=1000&skip=0"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["totalCount"], 1500);
    let first = page["results"].as_array().unwrap();
    assert_eq!(first.len(), 1000);
    assert_eq!(first[0]["userName"], "user0000@example.com");
    assert_eq!(first[0]["type"], 0, "enums are numbers");
    assert_eq!(
        first[0]["groupIDs"].as_array().unwrap().len(),
        2,
        "Administrators and Everyone"
    );
    let (_, page) = sim
        .json(
            Method::GET,
            &format!("{users}?top=1000&skip=1000"),
            &token,
            None,
        )
        .await;
    let second = page["results"].as_array().unwrap();
    assert_eq!(
        (page["totalCount"].as_u64(), second.len()),
        (Some(1500), 500)
    );
    assert_eq!(second[499]["email"], "user1499@example.com");
    let (_, page) = sim.json(Method::GET, &users, &token, None).await;
    assert_eq!(
        page["results"].as_array().unwrap().len(),
        10,
        "top defaults to 10"
    );

    let (status, problem) = sim
        .json(Method::GET, &format!("{users}?top=1001"), &token, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        problem["errors"]["top"][0],
        "The field top must be between 0 and 1000."
    );
    let (status, problem) = sim
        .json(Method::GET, "/User/users/DatacomGroup", &token, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        problem["errors"]["partitionGlobalId"][0],
        "The value 'DatacomGroup' is not valid."
    );
    assert_eq!(problem["title"], "One or more validation errors occurred.");

    let (status, groups) = sim
        .json(Method::GET, &format!("/Group/{PGID}"), &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Everyone", "Administrators", "gryff-01"]);
    assert_eq!(groups[2]["type"], 1);
    assert_eq!(groups[2]["members"], Value::Null);

    let her = "4a1c9b0e-5f2d-4e7a-8b3c-1d2e3f4a5b6c";
    let create = json!({
        "id": her, "email": "hermione@example.com", "name": "Hermione", "surname": "Granger",
        "type": "user", "partitionGlobalId": PGID, "password": "Alohomora1!", "groupIDs": [GRYFF]
    });
    let (status, body) = sim.call(Method::POST, "/User", &token, Some(&create)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"succeeded":true,"errors":[]}"#)
    );
    let (status, body) = sim.json(Method::POST, "/User", &token, Some(&create)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "DuplicateUserId");
    let mut twin = create.clone();
    twin["id"] = Value::Null;
    twin["email"] = json!("HERMIONE@example.com");
    let (_, body) = sim.json(Method::POST, "/User", &token, Some(&twin)).await;
    assert_eq!(body["succeeded"], false);
    assert_eq!(body["errors"][0]["code"], "DuplicateUserName");
    assert_eq!(
        body["errors"][0]["description"],
        "User name 'HERMIONE@example.com' is already taken."
    );
    assert_eq!(body["errors"][1]["code"], "DuplicateEmail");

    let (status, user) = sim
        .json(Method::GET, &format!("/User/{her}"), &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["userName"], "hermione@example.com");
    assert_eq!(user["isActive"], true);
    assert_eq!(user["lastModificationTime"], Value::Null);
    assert!(user["groupIDs"].as_array().unwrap().contains(&json!(GRYFF)));
    assert!(user.get("password").is_none());

    let update = json!({
        "name": "Hermione", "surname": "Granger-Weasley", "email": "hermione@example.com",
        "groupIDsToAdd": [], "groupIDsToRemove": [GRYFF], "isActive": false
    });
    let path = format!("/User/{her}");
    let (status, body) = sim.call(Method::PUT, &path, &token, Some(&update)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"succeeded":true,"errors":[]}"#)
    );
    let (_, user) = sim.json(Method::GET, &path, &token, None).await;
    assert_eq!(user["surname"], "Granger-Weasley");
    assert_eq!(user["isActive"], false);
    assert_eq!(
        user["groupIDs"].as_array().unwrap().len(),
        1,
        "only Everyone"
    );
    assert!(user["lastModificationTime"].is_string());
    let change = json!({ "email": "hermione@hogwarts.example" });
    let (status, body) = sim.json(Method::PUT, &path, &token, Some(&change)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "EmailChangeNotSupported");
    let (status, body) = sim
        .json(Method::PUT, "/User/her-1909", &token, Some(&update))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"]["userId"][0],
        "The value 'her-1909' is not valid."
    );

    let response = sim
        .http
        .put(sim.api(&path))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"name": "H", "bypassBasicAuthRestriction": hello}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let problem: Value = response.json().await.unwrap();
    let message = problem["errors"]["bypassBasicAuthRestriction"][0]
        .as_str()
        .unwrap();
    assert!(
        message.contains("Path 'bypassBasicAuthRestriction'"),
        "{message}"
    );

    let (status, body) = sim.call(Method::DELETE, &path, &token, None).await;
    assert_eq!((status, body.as_str()), (StatusCode::NO_CONTENT, ""));
    let (status, problem) = sim.json(Method::DELETE, &path, &token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["status"], 404);
    let bulk = json!({
        "partitionGlobalId": PGID,
        "userIds": [first[0]["id"], first[1]["id"], her]
    });
    let (status, _) = sim.call(Method::DELETE, "/User", &token, Some(&bulk)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = sim
        .json(Method::GET, &format!("{users}?top=0"), &token, None)
        .await;
    assert_eq!(page["totalCount"], 1498);
    assert_eq!(page["results"], json!([]));

    let counts = sim.sim("/_sim/requests").await;
    assert_eq!(counts["by_endpoint"]["POST /connect/token"], 1, "{counts}");
    assert_eq!(
        counts["by_endpoint"]["GET /api/User/users/{pgid}"], 6,
        "{counts}"
    );
    assert_eq!(
        counts["by_endpoint_status"]["POST /api/User 400"], 2,
        "{counts}"
    );
    assert_eq!(
        counts["by_endpoint_status"]["PUT /api/User/{id} 200"], 1,
        "{counts}"
    );
    assert_eq!(
        counts["by_endpoint_status"]["DELETE /api/User/{id} 404"], 1,
        "{counts}"
    );
    assert_eq!(
        counts["by_endpoint_status"]["DELETE /api/User 204"], 1,
        "{counts}"
    );
    assert_eq!(sim.sim("/_sim/tokens").await, json!({ "issued": 1 }));
    sim.running.stop().await;
}

#[tokio::test]
async fn tokens_scopes_and_org() {
    let mut with_ttl_zero = args();
    with_ttl_zero.token_ttl = 0;
    with_ttl_zero.grant_scopes = "PM.User.Read PM.Group".to_owned();
    let sim = Sim::start(with_ttl_zero, "users:\n  - { email: a@example.com }\n").await;

    let good = [
        ("grant_type", "client_credentials"),
        ("client_id", "app"),
        ("client_secret", "s3cret"),
    ];
    let (status, body) = sim.token_with(&good).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 0);
    assert_eq!(
        body["scope"], "PM.User.Read PM.Group",
        "no scope asks for all"
    );
    let expired = body["access_token"].as_str().unwrap().to_owned();

    let mut bad_secret = good;
    bad_secret[2].1 = "nope";
    assert_eq!(
        sim.token_with(&bad_secret).await.1,
        json!({ "error": "invalid_client" })
    );
    let mut password = good;
    password[0].1 = "password";
    let (status, body) = sim.token_with(&password).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({ "error": "unsupported_grant_type" }));
    let mut too_much = good.to_vec();
    too_much.push(("scope", "PM.User"));
    assert_eq!(
        sim.token_with(&too_much).await.1,
        json!({ "error": "invalid_scope" })
    );

    let as_json = sim
        .http
        .post(sim.url("/identity_/connect/token"))
        .json(&json!({ "grant_type": "client_credentials", "client_id": "app", "client_secret": "s3cret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(as_json.status(), StatusCode::OK);
    assert!(
        as_json.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(as_json.text().await.unwrap().contains("<html"));
    assert_eq!(
        sim.sim("/_sim/tokens").await["issued"],
        1,
        "the pitfall issues nothing"
    );

    let users = format!("/User/users/{PGID}");
    for token in [expired.as_str(), "made-up", ""] {
        let response = sim
            .http
            .get(sim.api(&users))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{challenge}"
        );
        assert_eq!(response.text().await.unwrap(), "");
    }
    sim.running.stop().await;

    let mut read_only = args();
    read_only.grant_scopes = "PM.User.Read".to_owned();
    let sim = Sim::start(read_only, "{}").await;
    let token = sim.token("PM.User.Read").await;
    let (status, _) = sim.call(Method::GET, &users, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    let create = json!({ "email": "b@example.com", "partitionGlobalId": PGID });
    let (status, body) = sim.call(Method::POST, "/User", &token, Some(&create)).await;
    assert_eq!((status, body.as_str()), (StatusCode::FORBIDDEN, ""));
    let (status, _) = sim
        .call(Method::GET, &format!("/Group/{PGID}"), &token, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other_org = sim
        .http
        .get(sim.url(&format!("/umbrella/identity_/api{users}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(other_org.status(), StatusCode::NOT_FOUND);
    sim.running.stop().await;
}

#[tokio::test]
async fn onprem_allows_email_changes() {
    let mut onprem = args();
    onprem.deployment = Deployment::Onprem;
    let sim = Sim::start(onprem, &seed(2)).await;
    let token = sim.token("PM.User").await;
    let world = sim.sim("/_sim/state").await;
    let id = world["users"][1]["id"].as_str().unwrap().to_owned();
    let path = format!("/User/{id}");
    let taken = json!({ "email": "USER0000@example.com" });
    let (status, body) = sim.json(Method::PUT, &path, &token, Some(&taken)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "DuplicateEmail");
    let change = json!({ "email": "renamed@example.com" });
    let (status, _) = sim.call(Method::PUT, &path, &token, Some(&change)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, user) = sim.json(Method::GET, &path, &token, None).await;
    assert_eq!(user["email"], "renamed@example.com");
    assert_eq!(
        user["userName"], "user0001@example.com",
        "the user name stays"
    );
    sim.running.stop().await;
}

#[tokio::test]
async fn injected_faults() {
    let mut failing = args();
    failing.faults.fail_rate = 1.0;
    let sim = Sim::start(failing, "{}").await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "app"),
        ("client_secret", "s3cret"),
    ];
    let (status, problem) = sim.token_with(&form).await;
    assert!(status.is_server_error(), "{status}");
    assert_eq!(problem["status"], status.as_u16());
    assert_eq!(
        sim.sim("/_sim/tokens").await["issued"],
        0,
        "nothing was issued"
    );
    sim.running.stop().await;

    let mut ambiguous = args();
    ambiguous.faults.ambiguous_rate = 1.0;
    let sim = Sim::start(ambiguous, &seed(1)).await;
    let token = sim.token("PM.User").await;
    let create = json!({ "email": "ana@example.com", "partitionGlobalId": PGID });
    let response = sim
        .http
        .post(sim.api("/User"))
        .bearer_auth(&token)
        .json(&create)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "headers arrive");
    assert!(response.text().await.is_err(), "the body breaks off");
    let state = sim.sim("/_sim/state").await;
    assert_eq!(
        state["users"].as_array().unwrap().len(),
        2,
        "the write was committed"
    );
    let id = state["users"][1]["id"].as_str().unwrap().to_owned();
    let (status, _) = sim
        .call(Method::DELETE, &format!("/User/{id}"), &token, None)
        .await;
    assert_eq!(
        status,
        StatusCode::GATEWAY_TIMEOUT,
        "a 204 cannot break off"
    );
    let (status, page) = sim
        .json(Method::GET, &format!("/User/users/{PGID}"), &token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "reads are never broken off");
    assert_eq!(page["totalCount"], 1, "the delete was committed");
    sim.running.stop().await;

    let mut limited = args();
    limited.faults.rate_limit = Some(1);
    limited.faults.malformed_rate = 1.0;
    let sim = Sim::start(limited, "{}").await;
    let response = sim
        .http
        .post(sim.url("/identity_/connect/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "malformed: {text}"
    );
    let (status, problem) = sim.token_with(&form).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem["title"], "Too Many Requests");
    let counts = sim.sim("/_sim/requests").await;
    assert_eq!(
        counts["by_endpoint_status"]["POST /connect/token 429"], 1,
        "{counts}"
    );
    sim.running.stop().await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut with_state = args();
    with_state.state = Some(dir.path().join("world.json"));
    let sim = Sim::start(with_state.clone(), "{}").await;
    let token = sim.token("PM.User").await;
    let create =
        json!({ "email": "ana@example.com", "partitionGlobalId": PGID, "password": "long enough" });
    let (status, _) = sim.call(Method::POST, "/User", &token, Some(&create)).await;
    assert_eq!(status, StatusCode::OK);
    sim.running.stop().await;

    let sim = Sim::start(with_state, "org: ignored\n").await;
    let token = sim.token("PM.User").await;
    let (_, page) = sim
        .json(Method::GET, &format!("/User/users/{PGID}"), &token, None)
        .await;
    assert_eq!(page["results"][0]["email"], "ana@example.com");
    assert_eq!(
        sim.sim("/_sim/state").await["users"][0]["password"],
        "long enough"
    );
    sim.running.stop().await;
}
