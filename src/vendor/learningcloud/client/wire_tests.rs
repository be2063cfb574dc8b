//! Unit and property tests of learningCloud's JSON (`wire.rs`).

use super::*;

const SYNC: &str = r#"{ "location": null, "message": "", "responsePlatforms": { "training": { "location": null, "message": null, "status": 200 }, "social": { "location": null, "message": null, "status": 204 }, "play": { "location": null, "message": null, "status": 204 }, "management": { "location": null, "message": null, "status": 204 } }, "status": 204 }"#;
const ASYNC: &str = r#"{ "location": null, "message": "", "responsePlatforms": { "training": { "location": null, "message": null, "status": 202 }, "social": { "location": null, "message": null, "status": 202 }, "play": { "location": null, "message": null, "status": 204 }, "management": { "location": null, "message": null, "status": 204 } }, "status": 204 }"#;
const PLATFORM_FAIL: &str = r#"{"status":500,"location":null,"message":"error in platform training","responsePlatforms":{"training":{"status":500,"location":null,"message":"simulated training platform failure"},"social":{"status":204,"location":null,"message":null},"play":{"status":204,"location":null,"message":null},"management":{"status":204,"location":null,"message":null}}}"#;

#[test]
fn synchronous_write_is_confirmed() {
    assert_eq!(
        written("PUT /users/{id}", 200, SYNC),
        Ok(Applied::Confirmed)
    );
}

#[test]
fn asynchronous_write_names_the_queued_platforms_in_vendor_order() {
    assert_eq!(
        written("PUT /users/{id}", 200, ASYNC),
        Ok(Applied::Accepted(
            "training, social queued (asynchronous)".into()
        ))
    );
}

#[test]
fn platform_error_names_the_platform_and_its_message() {
    let e = written("PUT /users/{id}", 200, PLATFORM_FAIL).unwrap_err();
    assert_eq!(
        e.to_string(),
        "PUT /users/{id}: platform training answered 500: simulated training platform failure (overall 500: error in platform training)"
    );
    assert!(!e.is_ambiguous() && !e.is_retryable(), "{e:?}");
    // A failing platform under a 2xx top-level status is still a failure.
    let quiet = PLATFORM_FAIL.replace(
        r#""status":500,"location":null,"message":"error in platform training""#,
        r#""status":204,"location":null,"message":"""#,
    );
    let e = written("DELETE /users/{id}", 200, &quiet).unwrap_err();
    assert_eq!(
        e.to_string(),
        "DELETE /users/{id}: platform training answered 500: simulated training platform failure"
    );
}

#[test]
fn failing_top_level_status_without_platforms() {
    let body = r#"{"status":400,"location":null,"message":"username already exists: bo","responsePlatforms":{}}"#;
    let e = written("POST /users", 200, body).unwrap_err();
    assert_eq!(
        e,
        vendor("POST /users", 400, "username already exists: bo".into())
    );
    let e = written("POST /users", 400, body).unwrap_err();
    assert_eq!(
        e.to_string(),
        "POST /users: vendor answered 400: username already exists: bo"
    );
    let e = users("GET /users", 401, r#"{"status":401,"location":null,"message":"invalid or missing X-Cloud-Auth-Token","responsePlatforms":{}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GET /users: vendor answered 401: invalid or missing X-Cloud-Auth-Token"
    );
}

#[test]
fn malformed_and_html_are_errors_never_success_or_no_users() {
    for body in [
        r#"{"status":204,"location":null,"mess"#,
        r#"{"status":204 "location":null "message":"" "responsePlatforms":{}}"#,
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>",
        "",
        r#"{"message": "no status"}"#,
        "[]",
    ] {
        let e = written("POST /users", 200, body).unwrap_err();
        assert!(
            matches!(e, ProviderError::Malformed { .. }),
            "{body:?}: {e:?}"
        );
    }
    for body in [
        r#"[{"id":"ff8081818d2e4a01000000000"#,
        "<html><body>Login</body></html>",
        "",
        r#"{"users": []}"#,
        r#"[{"username": "no-id", "enabled": true}]"#,
    ] {
        let e = users("GET /users", 200, body).unwrap_err();
        assert!(
            matches!(e, ProviderError::Malformed { .. }),
            "{body:?}: {e:?}"
        );
    }
    let e = users("GET /users", 502, "<html><body>Bad gateway</body></html>").unwrap_err();
    assert_eq!(
        e.to_string(),
        "GET /users: vendor answered 502: non-JSON answer: <html><body>Bad gateway</body></html>"
    );
}

#[test]
fn users_with_nulls_and_unknown_fields() {
    let body = r#"[{"id":"ff8081818d2e4a010000000000000001","commonId":"x","username":"Rest.User",
        "email":null,"name":"Rest","surname":null,"language":"en","timezone":null,"enabled":false,
        "roles":{"management":["user"],"training":["trainer","user"]},"externalId":null,
        "extendedFields":{"costCenter":"CC-1","department":null},"authSource":"LOCAL",
        "image":{"url":null},"extra":{},"password":"$2a$10$abc"}]"#;
    let got = users("GET /users", 200, body).unwrap();
    assert_eq!(got.len(), 1);
    let u = &got[0].user;
    assert_eq!(u.username, "Rest.User");
    assert_eq!(u.email, None);
    assert!(!u.enabled);
    assert_eq!(
        u.roles.as_ref().unwrap()["training"],
        Some(vec!["trainer".to_string(), "user".to_string()])
    );
    assert_eq!(u.extended_fields.as_ref().unwrap()["department"], None);
    let record: serde_json::Value = serde_json::from_str(&got[0].record).unwrap();
    assert_eq!(
        record,
        serde_json::from_str::<serde_json::Value>(body).unwrap()[0]
    );
    assert!(users("GET /users", 200, "[]").unwrap().is_empty());
    let e = users(
        "GET /users",
        200,
        r#"[{"id":"a","username":"b","enabled":true},{"id":"c"}]"#,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("(user 2: missing field `username`)"),
        "{e}"
    );
}

#[test]
fn get_user_not_found_is_none() {
    let body =
        r#"{"status":404,"location":null,"message":"user not found: bo","responsePlatforms":{}}"#;
    assert_eq!(user("GET /users/{id}", 404, body), Ok(None));
}

#[test]
fn body_leaves_out_what_is_not_given() {
    let out = UserOut {
        username: Some("bo"),
        enabled: Some(false),
        roles: Some(BTreeMap::from([("management", vec!["user"])])),
        extended_fields: Some(BTreeMap::from([("costCenter", "CC-1")])),
        ..UserOut::default()
    };
    assert_eq!(
        String::from_utf8(body(&out)).unwrap(),
        r#"{"user":{"username":"bo","enabled":false,"roles":{"management":["user"]},"extendedFields":{"costCenter":"CC-1"}}}"#
    );
}

proptest::proptest! {
    /// Any answer gives a result or an error, never a panic.
    #[test]
    fn never_panics(body in ".{0,300}", status in 100u16..600) {
        let _ = written("PUT /users/{id}", status, &body);
        let _ = users("GET /users", status, &body);
        let _ = user("GET /users/{id}", status, &body);
    }

    /// A confirmed envelope cut anywhere is never read as success.
    #[test]
    fn truncated_envelope_is_never_success(cut in 0usize..SYNC.len()) {
        let got = written("PUT /users/x", 200, &SYNC[..cut]);
        proptest::prop_assert!(got.is_err(), "cut at {} read as {:?}", cut, got);
    }
}

#[test]
fn delete_404_is_done_only_in_the_vendors_envelope() {
    let own =
        r#"{"status":404,"location":null,"message":"user not found: x","responsePlatforms":{}}"#;
    assert_eq!(deleted("DELETE", 404, own), Ok(Applied::Confirmed));
    for body in [
        "",
        "<html><body>404 Not Found</body></html>",
        r#"{"status":200,"message":"ok"}"#,
        "null",
    ] {
        let e = deleted("DELETE", 404, body).unwrap_err();
        assert!(
            matches!(e, ProviderError::Vendor { status: 404, .. }),
            "{body:?}: {e:?}"
        );
    }
    assert_eq!(deleted("DELETE", 200, SYNC), Ok(Applied::Confirmed));
}

const LIST: &str = r#"[{"id":"ff8081818d2e4a010000000000000001","username":"Rest.User","email":"rest@acme.example","name":"Rest","surname":"User","language":"en","timezone":"Europe/Madrid","enabled":true,"roles":{"management":["user"],"training":null},"externalId":"HR-1","extendedFields":{"costCenter":"CC-1","department":null}}]"#;
const ONE: &str = r#"{"id":"ff8081818d2e4a010000000000000001","username":"Rest.User","enabled":false,"roles":{"training":["trainer"]}}"#;

proptest::proptest! {
    /// Mangled real answers give a result or an error, never a panic.
    #[test]
    fn mangled_answers_never_panic(
        list in crate::vendor::mutate::mangled(LIST),
        one in crate::vendor::mutate::mangled(ONE),
        envelope in crate::vendor::mutate::mangled(PLATFORM_FAIL),
        status in proptest::sample::select(vec![200u16, 202, 204, 400, 404, 500, 502]),
    ) {
        let _ = users("GET /users", status, &list);
        let _ = user("GET /users/{id}", status, &one);
        let _ = deleted("DELETE /users/{id}", status, &envelope);
        let _ = written("PUT /users/{id}", status, &envelope);
    }
}
