//! Tokens and scopes, the organisation in the path, injected faults and the state file.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{CLIENT, PGID, Sim, args, seed};
use crate::sim::test_sim::{assert_broken_off, assert_content_type, json, text, with_state_file};

#[tokio::test]
async fn tokens_scopes_and_org() {
    let mut with_ttl_zero = args();
    with_ttl_zero.vendor.token_ttl = 0;
    with_ttl_zero.vendor.grant_scopes = "PM.User.Read PM.Group".to_owned();
    let sim = Sim::start(with_ttl_zero, "users:\n  - { email: a@example.com }\n").await;

    let good = CLIENT;
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
    assert_content_type(&as_json, "text/html");
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
    sim.stop().await;

    let mut read_only = args();
    read_only.vendor.grant_scopes = "PM.User.Read".to_owned();
    let sim = Sim::start(read_only, "{}").await;
    let token = sim.token("PM.User.Read").await;
    let (status, _) = text(sim.call(Method::GET, &users, &token)).await;
    assert_eq!(status, StatusCode::OK);
    let create = json!({ "email": "b@example.com", "partitionGlobalId": PGID });
    let (status, body) = text(sim.call(Method::POST, "/User", &token).json(&create)).await;
    assert_eq!((status, body.as_str()), (StatusCode::FORBIDDEN, ""));
    let (status, _) = text(sim.call(Method::GET, &format!("/Group/{PGID}"), &token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other_org = sim
        .http
        .get(sim.url(&format!("/umbrella/identity_/api{users}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(other_org.status(), StatusCode::NOT_FOUND);
    sim.stop().await;
}

#[tokio::test]
async fn injected_faults() {
    let mut failing = args();
    failing.faults.fail_rate = 1.0;
    let sim = Sim::start(failing, "{}").await;
    let form = CLIENT;
    let (status, problem) = sim.token_with(&form).await;
    assert!(status.is_server_error(), "{status}");
    assert_eq!(problem["status"], status.as_u16());
    assert_eq!(
        sim.sim("/_sim/tokens").await["issued"],
        0,
        "nothing was issued"
    );
    sim.stop().await;

    let mut ambiguous = args();
    ambiguous.faults.ambiguous_rate = 1.0;
    let sim = Sim::start(ambiguous, &seed(1)).await;
    let token = sim.token("PM.User").await;
    let create = json!({ "email": "ana@example.com", "partitionGlobalId": PGID });
    let create = sim.call(Method::POST, "/User", &token).json(&create);
    assert_broken_off(create.send().await.unwrap()).await;
    assert_eq!(sim.user_count().await, 2, "the write was committed");
    let state = sim.sim("/_sim/state").await;
    let id = state["users"][1]["id"].as_str().unwrap().to_owned();
    let (status, _) = text(sim.call(Method::DELETE, &format!("/User/{id}"), &token)).await;
    assert_eq!(
        status,
        StatusCode::GATEWAY_TIMEOUT,
        "a 204 cannot break off"
    );
    let (status, page) = json(sim.call(Method::GET, &format!("/User/users/{PGID}"), &token)).await;
    assert_eq!(status, StatusCode::OK, "reads are never broken off");
    assert_eq!(page["totalCount"], 1, "the delete was committed");
    sim.stop().await;

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
    sim.assert_counted(&[("POST /connect/token 429", 1)]).await;
    sim.stop().await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let (_dir, with_state) = with_state_file(args());
    let sim = Sim::start(with_state.clone(), "{}").await;
    let token = sim.token("PM.User").await;
    let create =
        json!({ "email": "ana@example.com", "partitionGlobalId": PGID, "password": "long enough" });
    let (status, _) = text(sim.call(Method::POST, "/User", &token).json(&create)).await;
    assert_eq!(status, StatusCode::OK);
    sim.stop().await;

    let sim = Sim::start(with_state, "org: ignored\n").await;
    let token = sim.token("PM.User").await;
    let (_, page) = json(sim.call(Method::GET, &format!("/User/users/{PGID}"), &token)).await;
    assert_eq!(page["results"][0]["email"], "ana@example.com");
    assert_eq!(
        sim.sim("/_sim/state").await["users"][0]["password"],
        "long enough"
    );
    sim.stop().await;
}
