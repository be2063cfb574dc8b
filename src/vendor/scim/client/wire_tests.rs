//! Unit tests of SCIM's JSON as roster reads it (`wire.rs`): names in any case, booleans as
//! strings, the managed e-mail, error bodies, the server's own not-found.

use super::*;

fn user(json: &str) -> WireUser {
    read(
        "GET /Users",
        "user",
        lower_keys(serde_json::from_str(json).unwrap()),
    )
    .unwrap()
}

#[test]
fn attribute_names_in_any_case_and_booleans_as_strings() {
    let u = user(
        r#"{"ID":"7","UserName":"Ana@Example.com","Name":{"GivenName":"Ana","FAMILYNAME":"Lima"},
            "Active":"False","ExternalId":"HR-1",
            "Emails":[{"Value":"home@x.io","Type":"home"},{"Value":"ana@x.io","Type":"work","Primary":"True"}],
            "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"EmployeeNumber":"42","Manager":{"Value":"9"}}}"#,
    );
    assert_eq!(u.id, "7");
    assert_eq!(u.user_name.as_deref(), Some("Ana@Example.com"));
    assert_eq!(
        u.name.as_ref().unwrap().family_name.as_deref(),
        Some("Lima")
    );
    assert_eq!(u.active, Some(false));
    assert_eq!(u.email(), Some("ana@x.io"));
    let e = u.enterprise.unwrap();
    assert_eq!(e.employee_number.as_deref(), Some("42"));
    assert_eq!(e.manager_id().as_deref(), Some("9"));
}

#[test]
fn the_email_is_the_primary_else_the_first_work_else_the_first() {
    let email = |emails: &str| {
        user(&format!(r#"{{"id":"1","emails":{emails}}}"#))
            .email()
            .map(str::to_string)
    };
    assert_eq!(
        email(r#"[{"value":"a@x.io","type":"home"},{"value":"b@x.io","type":"work"},{"value":"c@x.io","type":"work"}]"#).as_deref(),
        Some("b@x.io")
    );
    assert_eq!(
        email(r#"[{"value":"a@x.io","type":"home"},{"value":"b@x.io","primary":true}]"#).as_deref(),
        Some("b@x.io")
    );
    assert_eq!(
        email(r#"[{"value":"a@x.io"},{"value":"b@x.io"}]"#).as_deref(),
        Some("a@x.io")
    );
    assert_eq!(email(r#"[{"value":" ","primary":true}]"#), None);
    assert_eq!(email("[]"), None);
}

#[test]
fn ids_may_be_numbers_and_must_be_there() {
    assert_eq!(user(r#"{"id":12}"#).id, "12");
    let missing = read::<WireUser>("GET /Users", "user", serde_json::json!({"username": "a"}));
    assert!(missing.is_err());
    let bad_bool = read::<WireUser>(
        "GET /Users",
        "user",
        serde_json::json!({"id": "1", "active": "maybe"}),
    );
    assert!(
        bad_bool
            .unwrap_err()
            .to_string()
            .contains("expected a boolean")
    );
}

#[test]
fn error_bodies_become_one_readable_line() {
    let e = check_status(
        "POST /Users",
        409,
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"User already exists"}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "POST /Users: vendor answered 409: uniqueness: User already exists"
    );
    // A number for a status, PascalCase names.
    assert_eq!(
        error_message(r#"{"Status":400,"Detail":"bad filter"}"#),
        "bad filter"
    );
    assert_eq!(
        scim_type(r#"{"status":400,"ScimType":"noTarget"}"#).as_deref(),
        Some("notarget")
    );
    assert_eq!(
        error_message("<html>Bad Gateway</html>"),
        "not a SCIM error: <html>Bad Gateway</html>"
    );
    assert_eq!(error_message(""), "no details");
}

#[test]
fn only_the_servers_own_not_found_counts_as_deleted() {
    let scim = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"not found"}"#;
    assert!(deleted("DELETE /Users/{id}", 404, scim).is_ok());
    assert!(deleted("DELETE /Users/{id}", 404, r#"{"status":404}"#).is_ok());
    assert!(deleted("DELETE /Users/{id}", 204, "").is_ok());
    for proxy in ["", "<html>404</html>", r#"{"detail":"Not Found"}"#] {
        assert!(
            deleted("DELETE /Users/{id}", 404, proxy).is_err(),
            "{proxy}"
        );
    }
}

#[test]
fn answers_that_are_not_documents_are_errors_never_nothing() {
    for body in ["", "[]", "<html/>", r#"{"totalResults": 1"#] {
        assert!(document("GET /Users", 200, body).is_err(), "{body}");
    }
    assert_eq!(written("PATCH /Users/{id}", 204, "").unwrap(), None);
    let list: ListResponse = read(
        "GET /Users",
        "list",
        document(
            "GET /Users",
            200,
            r#"{"TotalResults":"3","Resources":[{"id":"1"}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(list.total_results, Some(3));
    assert_eq!(list.resources.unwrap().len(), 1);
}
