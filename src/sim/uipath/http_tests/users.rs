//! Listing, creating, updating and deleting users and listing groups, as a client with
//! every scope sees them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{GRYFF, PGID, Sim, args, seed};
use crate::sim::test_sim::{assert_content_type, json, text, texts};
use crate::sim::uipath::Deployment;

#[tokio::test]
async fn token_list_create_update_delete() {
    let sim = Sim::start(args(), &seed(1500)).await;
    let token = sim.token("PM.User PM.Group").await;

    let users = format!("/User/users/{PGID}");
    let (status, page) =
        json(sim.call(Method::GET, &format!("{users}?top=1000&skip=0"), &token)).await;
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
    let (_, page) =
        json(sim.call(Method::GET, &format!("{users}?top=1000&skip=1000"), &token)).await;
    let second = page["results"].as_array().unwrap();
    assert_eq!(
        (page["totalCount"].as_u64(), second.len()),
        (Some(1500), 500)
    );
    assert_eq!(second[499]["email"], "user1499@example.com");
    let (_, page) = json(sim.call(Method::GET, &users, &token)).await;
    assert_eq!(
        page["results"].as_array().unwrap().len(),
        10,
        "top defaults to 10"
    );

    let (status, problem) = json(sim.call(Method::GET, &format!("{users}?top=1001"), &token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        problem["errors"]["top"][0],
        "The field top must be between 0 and 1000."
    );
    let (status, problem) = json(sim.call(Method::GET, "/User/users/DatacomGroup", &token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        problem["errors"]["partitionGlobalId"][0],
        "The value 'DatacomGroup' is not valid."
    );
    assert_eq!(problem["title"], "One or more validation errors occurred.");

    let (status, groups) = json(sim.call(Method::GET, &format!("/Group/{PGID}"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    let names = texts(&groups, "name");
    assert_eq!(names, ["Everyone", "Administrators", "gryff-01"]);
    assert_eq!(groups[2]["type"], 1);
    assert_eq!(groups[2]["members"], Value::Null);

    let her = "4a1c9b0e-5f2d-4e7a-8b3c-1d2e3f4a5b6c";
    let create = json!({
        "id": her, "email": "hermione@example.com", "name": "Hermione", "surname": "Granger",
        "type": "user", "partitionGlobalId": PGID, "password": "Alohomora1!", "groupIDs": [GRYFF]
    });
    let (status, body) = text(sim.call(Method::POST, "/User", &token).json(&create)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"succeeded":true,"errors":[]}"#)
    );
    let (status, body) = json(sim.call(Method::POST, "/User", &token).json(&create)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "DuplicateUserId");
    let mut twin = create.clone();
    twin["id"] = Value::Null;
    twin["email"] = json!("HERMIONE@example.com");
    let (_, body) = json(sim.call(Method::POST, "/User", &token).json(&twin)).await;
    assert_eq!(body["succeeded"], false);
    assert_eq!(body["errors"][0]["code"], "DuplicateUserName");
    assert_eq!(
        body["errors"][0]["description"],
        "User name 'HERMIONE@example.com' is already taken."
    );
    assert_eq!(body["errors"][1]["code"], "DuplicateEmail");

    let (status, user) = json(sim.call(Method::GET, &format!("/User/{her}"), &token)).await;
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
    let (status, body) = text(sim.call(Method::PUT, &path, &token).json(&update)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"succeeded":true,"errors":[]}"#)
    );
    let (_, user) = json(sim.call(Method::GET, &path, &token)).await;
    assert_eq!(user["surname"], "Granger-Weasley");
    assert_eq!(user["isActive"], false);
    assert_eq!(
        user["groupIDs"].as_array().unwrap().len(),
        1,
        "only Everyone"
    );
    assert!(user["lastModificationTime"].is_string());
    let change = json!({ "email": "hermione@hogwarts.example" });
    let (status, body) = json(sim.call(Method::PUT, &path, &token).json(&change)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "EmailChangeNotSupported");
    let (status, body) = json(
        sim.call(Method::PUT, "/User/her-1909", &token)
            .json(&update),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"]["userId"][0],
        "The value 'her-1909' is not valid."
    );

    let response = sim
        .call(Method::PUT, &path, &token)
        .header("content-type", "application/json")
        .body(r#"{"name": "H", "bypassBasicAuthRestriction": hello}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_content_type(&response, "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    let message = problem["errors"]["bypassBasicAuthRestriction"][0]
        .as_str()
        .unwrap();
    assert!(
        message.contains("Path 'bypassBasicAuthRestriction'"),
        "{message}"
    );

    let (status, body) = text(sim.call(Method::DELETE, &path, &token)).await;
    assert_eq!((status, body.as_str()), (StatusCode::NO_CONTENT, ""));
    let (status, problem) = json(sim.call(Method::DELETE, &path, &token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["status"], 404);
    let bulk = json!({
        "partitionGlobalId": PGID,
        "userIds": [first[0]["id"], first[1]["id"], her]
    });
    let (status, _) = text(sim.call(Method::DELETE, "/User", &token).json(&bulk)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = json(sim.call(Method::GET, &format!("{users}?top=0"), &token)).await;
    assert_eq!(page["totalCount"], 1498);
    assert_eq!(page["results"], json!([]));

    sim.assert_counted(&[
        ("POST /connect/token", 1),
        ("GET /api/User/users/{pgid}", 6),
        ("POST /api/User 400", 2),
        ("PUT /api/User/{id} 200", 1),
        ("DELETE /api/User/{id} 404", 1),
        ("DELETE /api/User 204", 1),
    ])
    .await;
    assert_eq!(sim.sim("/_sim/tokens").await, json!({ "issued": 1 }));
    sim.stop().await;
}

#[tokio::test]
async fn onprem_allows_email_changes() {
    let mut onprem = args();
    onprem.vendor.deployment = Deployment::Onprem;
    let sim = Sim::start(onprem, &seed(2)).await;
    let token = sim.token("PM.User").await;
    let world = sim.sim("/_sim/state").await;
    let id = world["users"][1]["id"].as_str().unwrap().to_owned();
    let path = format!("/User/{id}");
    let taken = json!({ "email": "USER0000@example.com" });
    let (status, body) = json(sim.call(Method::PUT, &path, &token).json(&taken)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "DuplicateEmail");
    let change = json!({ "email": "renamed@example.com" });
    let (status, _) = text(sim.call(Method::PUT, &path, &token).json(&change)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, user) = json(sim.call(Method::GET, &path, &token)).await;
    assert_eq!(user["email"], "renamed@example.com");
    assert_eq!(
        user["userName"], "user0001@example.com",
        "the user name stays"
    );
    sim.stop().await;
}
