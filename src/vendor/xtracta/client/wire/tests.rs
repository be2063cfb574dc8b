//! The wire reader against hand-written answers, mangled ones, and quick-xml's serde reading
//! (what `read` replaced) as an oracle it must agree with.

use super::*;

const ONE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<user_response><status>200</status><message>ok</message>
<user><user_id>123</user_id><name>John &amp; Co</name><email_address>john@x.com</email_address>
<primary_group_id>3</primary_group_id><assigned_workflows>496553,496941</assigned_workflows></user>
</user_response>"#;

#[test]
fn one_user() {
    let users = parse("/v1/user", "user_response", 200, ONE).unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].name.as_deref(), Some("John & Co"));
    assert_eq!(
        users[0].workflows().collect::<Vec<_>>(),
        ["496553", "496941"]
    );
}

#[test]
fn many_users_and_empty_workflows() {
    let body = "<user_response><status>200</status><message/>\
        <user><user_id>1</user_id><name>A</name><email_address>a@x.com</email_address><primary_group_id>3</primary_group_id><assigned_workflows/></user>\
        <user><user_id>2</user_id><name>B</name><email_address>b@x.com</email_address><primary_group_id>3</primary_group_id><assigned_workflows></assigned_workflows></user>\
        </user_response>";
    let users = parse("/v1/user", "user_response", 200, body).unwrap();
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| u.workflows().next().is_none()));
}

#[test]
fn zero_users() {
    let body = "<user_response><status>200</status><message>ok</message></user_response>";
    assert!(
        parse("/v1/user", "user_response", 200, body)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn status_inside_http_200_is_an_error_with_message() {
    let body = "<user_response><status>409</status><message>email address already in use</message></user_response>";
    let e = parse("/v1/user/add", "user_response", 200, body).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/v1/user/add: vendor answered 409: email address already in use"
    );
}

#[test]
fn http_error_carries_message() {
    let body =
        "<user_response><status>401</status><message>invalid api key</message></user_response>";
    let e = parse("/v1/user", "user_response", 401, body).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/v1/user: vendor answered 401: invalid api key"
    );
}

#[test]
fn malformed_and_truncated_are_errors_not_empty() {
    for body in [
        "<user_response><status>200</status><message>ok</message><user><user_id>1</user_id>",
        "",
        "garbage",
        "<user_response><message>ok</message></user_response>",
        "<user_response><status>200</status><message>ok</message><user><name>x</name></user></user_response>",
    ] {
        let e = parse("/v1/user", "user_response", 200, body).unwrap_err();
        assert!(
            matches!(e, ProviderError::Malformed { .. }),
            "{body:?} gave {e:?}"
        );
    }
}

#[test]
fn html_error_page() {
    let e = parse(
        "/v1/user",
        "user_response",
        502,
        "<html><body>Bad gateway</body></html>",
    )
    .unwrap_err();
    assert!(
        matches!(e, ProviderError::Vendor { status: 502, .. }),
        "{e:?}"
    );
    let e = parse(
        "/v1/user",
        "user_response",
        200,
        "<html><body>Login</body></html>",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("expected <user_response>, got <html>"),
        "{e}"
    );
}

#[test]
fn wrong_root() {
    let e = parse("/v1/workflow/update", "workflow_response", 200, ONE).unwrap_err();
    assert!(matches!(e, ProviderError::Malformed { .. }));
}

#[test]
fn delete_404_is_done_only_in_xtractas_envelope() {
    let own =
        "<user_response><status>404</status><message>user not found</message></user_response>";
    assert!(deleted("/v1/user/delete", 404, own).is_ok());
    assert!(
        deleted("/v1/user/delete", 200, own).is_ok(),
        "404 inside a 200"
    );
    for body in [
        "",
        "<html><body>404 Not Found</body></html>",
        "<workflow_response><status>404</status><message>x</message></workflow_response>",
        "not found",
    ] {
        let e = deleted("/v1/user/delete", 404, body).unwrap_err();
        assert!(
            matches!(e, ProviderError::Vendor { status: 404, .. }),
            "{body:?}: {e:?}"
        );
    }
    let ok = "<user_response><status>200</status><message>deleted</message></user_response>";
    assert!(deleted("/v1/user/delete", 200, ok).is_ok());
}

proptest::proptest! {
    /// A real answer mangled (cut, doubled, tokens inserted) gives users or an error.
    #[test]
    fn never_panics_on_mangled_answers(
        body in crate::vendor::mutate::mangled(ONE),
        status in proptest::sample::select(vec![200u16, 400, 404, 500]),
    ) {
        let _ = parse("/v1/user", "user_response", status, &body);
        let _ = deleted("/v1/user/delete", status, &body);
    }

    /// Any answer, mangled or not, gives users or an error: never a panic.
    #[test]
    fn never_panics_on_arbitrary_answers(body in ".{0,300}", status in 100u16..600) {
        let _ = parse("/v1/user", "user_response", status, &body);
    }

    /// A valid answer cut anywhere is an error, never a shorter list of users.
    #[test]
    fn truncation_is_never_success(cut in 0usize..ONE.len()) {
        let body = &ONE[..cut];
        if let Ok(users) = parse("/v1/user", "user_response", 200, body) {
            proptest::prop_assert_eq!(users.len(), 1, "cut at {} parsed as {:?}", cut, users);
        }
    }
}

/// quick-xml's serde reading of an answer, as roster read answers before `read`.
mod oracle {
    use serde::Deserialize;

    use super::super::{Envelope, WireUser};

    #[derive(Deserialize)]
    struct Env {
        status: Option<String>,
        message: Option<String>,
        #[serde(default, rename = "user")]
        users: Vec<User>,
    }

    #[derive(Deserialize)]
    struct User {
        user_id: String,
        #[serde(default)]
        name: Option<String>,
        email_address: String,
        #[serde(default)]
        primary_group_id: Option<String>,
        #[serde(default)]
        assigned_workflows: Option<String>,
    }

    /// The first element's name, as the old reader found it.
    fn root_name(body: &str) -> Option<String> {
        let mut reader = quick_xml::Reader::from_str(body);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    return Some(e.name().as_ref().to_string());
                }
                Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// The envelope, or `None` where the old reader gave an error.
    pub(super) fn read(body: &str, root: &str) -> Option<Envelope> {
        if root_name(body)? != root {
            return None;
        }
        let env: Env = quick_xml::de::from_str(body).ok()?;
        Some(Envelope {
            status: env.status,
            message: env.message,
            users: env
                .users
                .into_iter()
                .map(|u| WireUser {
                    user_id: u.user_id,
                    name: u.name,
                    email_address: u.email_address,
                    primary_group_id: u.primary_group_id,
                    assigned_workflows: u.assigned_workflows,
                })
                .collect(),
        })
    }
}

const RICH: &str = "<?xml version=\"1.0\"?>\n<!-- list -->\n<user_response a=\"1\"><status> 200 </status><message/>\n\
<user><user_id>1</user_id><name>A &amp; B &#x41;</name><email_address><![CDATA[a@x.com]]></email_address>\
<extra><z>1</z></extra><primary_group_id/><assigned_workflows>1, 2</assigned_workflows></user>\n\
<user><!-- c --><user_id>2</user_id><name>line\r\nnext</name><email_address>b@x.com</email_address></user>\n\
<page>1</page></user_response>\n";

/// `read` gives what serde gave: the same users, or an error where it gave one.
fn agrees(body: &str) -> Result<(), String> {
    let new = read(body, "user_response").ok();
    let old = oracle::read(body, "user_response");
    if new == old {
        Ok(())
    } else {
        Err(format!("{body:?}:\n now {new:?}\n was {old:?}"))
    }
}

/// Raw XML for the inside of a text element: the forms a vendor's text takes.
fn inner_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        "[a-zA-Z0-9@., ]{0,12}",
        Just("John &amp; Co &lt;x&gt; &quot;q&quot; &apos;".to_string()),
        Just("  padded  ".to_string()),
        Just("&#x41;&#66;c".to_string()),
        Just("<![CDATA[a<b & c]]>".to_string()),
        Just("x<![CDATA[ y ]]>z".to_string()),
        Just("line\r\nbreak\rend".to_string()),
        Just("a<!-- note -->b".to_string()),
        Just("é€😀".to_string()),
        Just(String::new()),
    ]
}

/// One child element: absent, empty (`<f/>`), or with text; sometimes namespaced.
fn element(name: &'static str) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    (0..5u8, inner_text()).prop_map(move |(form, text)| match form {
        0 => String::new(),
        1 => format!("<{name}/>"),
        2 => format!("<x:{name}>{text}</x:{name}>"),
        _ => format!("<{name}>{text}</{name}>"),
    })
}

fn user_xml() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    (
        element("user_id"),
        element("name"),
        element("email_address"),
        element("primary_group_id"),
        element("assigned_workflows"),
        prop_oneof![
            Just(""),
            Just("<extra><a>1</a><b/></extra>"),
            Just("<!-- c -->"),
            Just("\n  ")
        ],
        prop_oneof![Just("<user>"), Just("<user id=\"7\">"), Just("<x:user>")],
    )
        .prop_map(|(id, name, email, group, wf, extra, open)| {
            let close = if open.starts_with("<x:") {
                "</x:user>"
            } else {
                "</user>"
            };
            format!("{open}{id}{extra}{name}{email}{group}{wf}{close}\n")
        })
}

fn answer_xml() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    (
        prop_oneof![
            Just(""),
            Just("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            Just("<?xml version=\"1.1\"?>"),
            Just("<!-- hello -->\n")
        ],
        element("status"),
        element("message"),
        proptest::collection::vec(user_xml(), 0..4),
        prop_oneof![Just(""), Just("<page>1</page>"), Just("tail text")],
    )
        .prop_map(|(decl, status, message, users, after)| {
            format!(
                "{decl}<user_response>{status}{message}{}{after}</user_response>",
                users.concat()
            )
        })
}

#[test]
fn agrees_with_serde_on_hand_written_edge_cases() {
    for body in [
        ONE,
        "<user_response/>",
        "<user_response><status>200</status><status>200</status></user_response>",
        "<user_response><status>200</status><user><user_id>1</user_id><user_id>2</user_id><email_address>a</email_address></user></user_response>",
        "<user_response><user><user_id>1</user_id><email_address>a</email_address></user><status>200</status><user><user_id>2</user_id><email_address>b</email_address></user></user_response>",
        "<user_response><status>2<b>0</b>0</status></user_response>",
        "<user_response><status>&unknown;</status></user_response>",
        "<user_response><status>&#0;</status></user_response>",
        "<user_response><status>200</status></user_response><trailing>",
        "<user_response><status>200</stat></user_response>",
        "<user_response a=><status>200</status></user_response>",
        "garbage<user_response><status>200</status></user_response>",
        "<!DOCTYPE x><user_response><status>200</status></user_response>",
    ] {
        agrees(body).unwrap();
    }
}

proptest::proptest! {
    /// Answers in every form a vendor may write them read as serde read them.
    #[test]
    fn agrees_with_serde_on_well_formed_answers(body in answer_xml()) {
        agrees(&body).map_err(proptest::test_runner::TestCaseError::fail)?;
    }

    /// Mangled answers: the same users or an error, as serde gave.
    #[test]
    fn agrees_with_serde_on_mangled_answers(body in crate::vendor::mutate::mangled(ONE)) {
        agrees(&body).map_err(proptest::test_runner::TestCaseError::fail)?;
    }

    /// The same, from an answer using every form text takes.
    #[test]
    fn agrees_with_serde_on_mangled_rich_answers(body in crate::vendor::mutate::mangled(RICH)) {
        agrees(&body).map_err(proptest::test_runner::TestCaseError::fail)?;
    }
}
