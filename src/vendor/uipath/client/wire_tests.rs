//! Unit and property tests of UiPath's JSON (`wire.rs`), the token answer among them.

use super::*;

#[test]
fn identity_result_errors_are_readable() {
    let body = r#"{"succeeded":false,"errors":[{"code":"DuplicateUserName","description":"User name 'a@x.io' is already taken."}]}"#;
    let e = identity_result("POST /api/User", 400, body).unwrap_err();
    assert_eq!(
        e.to_string(),
        "POST /api/User: vendor answered 400: DuplicateUserName: User name 'a@x.io' is already taken."
    );
    let e = identity_result("PUT /api/User/{id}", 200, body).unwrap_err();
    assert!(matches!(e, ProviderError::Vendor { status: 200, .. }));
    assert!(identity_result("PUT", 200, r#"{"succeeded":true,"errors":[]}"#).is_ok());
    assert!(identity_result("DELETE", 204, "").is_ok());
}

#[test]
fn problem_details_name_the_field() {
    let body = r#"{"errors":{"bypassBasicAuthRestriction":["Unexpected character encountered while parsing value: h."]},"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-1-00"}"#;
    assert_eq!(
        error_message(body),
        "One or more validation errors occurred. bypassBasicAuthRestriction: Unexpected character encountered while parsing value: h."
    );
}

#[test]
fn problem_details_with_a_detail_say_both() {
    let body = r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.3","title":"Forbidden","status":403,"detail":"Creating user in a group requires partition administrator group membership."}"#;
    assert_eq!(
        error_message(body),
        "Forbidden: Creating user in a group requires partition administrator group membership."
    );
}

#[test]
fn a_group_without_a_name_is_read() {
    let groups: Vec<WireGroup> = json(
        "GET",
        200,
        r#"[{"id":"a","name":null},{"id":"b","name":"B"},{"id":"c"}]"#,
    )
    .unwrap();
    let names: Vec<Option<&str>> = groups.iter().map(|g| g.name.as_deref()).collect();
    assert_eq!(names, [None, Some("B"), None]);
}

#[test]
fn enums_as_numbers_or_strings() {
    let page: UserPage = json(
        "GET",
        200,
        r#"{"totalCount":3,"results":[{"id":"a","type":0},{"id":"b","type":"user"},{"id":"c","type":1}]}"#,
    )
    .unwrap();
    let people: Vec<bool> = page.results.iter().map(WireUser::is_person).collect();
    assert_eq!(people, [true, true, false]);
}

#[test]
fn malformed_and_html_are_errors() {
    assert!(matches!(
        json::<UserPage>("GET", 200, "<html>login</html>"),
        Err(ProviderError::Malformed { .. })
    ));
    assert!(matches!(
        json::<UserPage>("GET", 200, r#"{"totalCount":1,"results":[{"id""#),
        Err(ProviderError::Malformed { .. })
    ));
    assert!(matches!(
        json::<UserPage>("GET", 401, ""),
        Err(ProviderError::Vendor { status: 401, .. })
    ));
}

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.secret-part";

#[test]
fn token_answers_are_read_field_by_field() {
    let t = token("T", 200, &format!(r#"{{"access_token":"{TOKEN}","expires_in":3600,"token_type":"Bearer","scope":"PM.User"}}"#)).unwrap();
    assert_eq!(t.access_token, TOKEN);
    assert_eq!(t.expires_in, Some(Duration::from_secs(3600)));
    assert_eq!(t.scope.as_deref(), Some("PM.User"));
    let t = token("T", 200, &format!(r#"{{"access_token":"{TOKEN}"}}"#)).unwrap();
    assert_eq!(t.expires_in, None);
    assert_eq!(t.scope, None);
    for huge in [
        "1e308",
        "18446744073709551615",
        "123456789012345678901234567890",
    ] {
        let t = token(
            "T",
            200,
            &format!(r#"{{"access_token":"{TOKEN}","expires_in":{huge}}}"#),
        )
        .unwrap();
        assert_eq!(t.expires_in, Some(MAX_TOKEN_TTL), "{huge}");
    }
}

#[test]
fn an_unreadable_token_answer_says_what_is_wrong_and_never_quotes_it() {
    for (body, why) in [
        (
            format!(r#"{{"access_token":"{TOKEN}","expires_in":"3600"}}"#),
            "token answer: expires_in is not a number",
        ),
        (
            format!(r#"{{"access_token":"{TOKEN}","expires_in":-5}}"#),
            "token answer: expires_in is negative",
        ),
        (
            format!(r#"{{"token":"{TOKEN}"}}"#),
            "token answer: no access_token",
        ),
        (
            r#"{"access_token":42}"#.to_string(),
            "token answer: access_token is not a string",
        ),
        (
            r#"{"access_token":" "}"#.to_string(),
            "token answer: access_token is empty",
        ),
        (format!(r#"["{TOKEN}"]"#), "token answer: not a JSON object"),
        (
            format!(r#"{{"access_token":"{TOKEN}""#),
            "token answer: not a JSON object",
        ),
    ] {
        let e = token("POST /connect/token", 200, &body).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("POST /connect/token: unreadable answer: {why}")
        );
    }
    let e = token(
        "T",
        400,
        r#"{"error":"invalid_client","error_description":"bad secret"}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "T: vendor answered 400: invalid_client: bad secret"
    );
    let e = token("T", 502, &format!("<html>{TOKEN}</html>")).unwrap_err();
    assert!(!e.to_string().contains(TOKEN), "{e}");
    assert!(
        e.to_string()
            .starts_with("T: vendor answered 502: no OAuth error"),
        "{e}"
    );
}

#[test]
fn delete_404_is_done_only_in_uipaths_own_shapes() {
    let problem = r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.4","title":"Not Found","status":404,"traceId":"00-1"}"#;
    assert!(deleted("DELETE", 404, problem).is_ok());
    assert!(
        deleted(
            "DELETE",
            404,
            r#"{"succeeded":false,"errors":[{"code":"UserNotFound"}]}"#
        )
        .is_ok()
    );
    assert!(deleted("DELETE", 204, "").is_ok());
    for body in ["", "<html>Not Found</html>", r#"{"status":200}"#, "[]"] {
        let e = deleted("DELETE", 404, body).unwrap_err();
        assert!(
            matches!(e, ProviderError::Vendor { status: 404, .. }),
            "{body:?}: {e:?}"
        );
    }
}

const PAGE: &str = r#"{"totalCount":2,"results":[{"id":"a","userName":"a@x.io","email":"a@x.io","name":"A","surname":null,"isActive":true,"groupIDs":["g1"],"type":0},{"id":"b","type":"robot","groupIDs":null}]}"#;
const GROUPS: &str = r#"[{"id":"g1","name":"Administrators"},{"id":"g2","name":"Everyone"}]"#;
const PROBLEM: &str = r#"{"errors":{"email":["The Email field is required."]},"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400}"#;

proptest::proptest! {
    /// Mangled real answers (pages, groups, errors, results) give a value or an error.
    #[test]
    fn mangled_answers_never_panic(
        page in crate::vendor::mutate::mangled(PAGE),
        groups in crate::vendor::mutate::mangled(GROUPS),
        problem in crate::vendor::mutate::mangled(PROBLEM),
        status in proptest::sample::select(vec![200u16, 204, 400, 401, 404, 500]),
    ) {
        let _ = json::<UserPage>("GET", status, &page);
        let _ = json::<Vec<WireGroup>>("GET", status, &groups);
        let _ = identity_result("PUT", status, &problem);
        let _ = deleted("DELETE", status, &problem);
        let _ = error_message(&page);
    }

    /// Whatever the token endpoint answers, no error ever carries the token.
    #[test]
    fn token_errors_never_carry_the_token(
        body in crate::vendor::mutate::mangled(
            r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.secret-part","expires_in":3600,"token_type":"Bearer"}"#
        ),
        status in proptest::sample::select(vec![200u16, 400, 401, 500]),
    ) {
        if let Err(e) = token("POST /connect/token", status, &body) {
            proptest::prop_assert!(!e.to_string().contains("secret-part"), "{}", e);
        }
    }

    #[test]
    fn never_panics_on_arbitrary_answers(body in ".{0,300}", status in 100u16..600) {
        let _ = json::<UserPage>("GET", status, &body);
        let _ = token("POST /connect/token", status, &body);
        let _ = identity_result("PUT", status, &body);
        let _ = deleted("DELETE", status, &body);
    }
}
