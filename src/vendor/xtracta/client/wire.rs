//! Xtracta's XML answers: `<user_response>` / `<workflow_response>` with `<status>`,
//! `<message>` and zero or more `<user>`. Read with quick-xml's serde support.
//!
//! An answer is a failure when the HTTP status is not 2xx or the body's `<status>` is not 200.
//! Malformed XML is an error, never "no users".

use serde::Deserialize;

use crate::vendor::ProviderError;
use crate::vendor::clean::snippet;

#[derive(Debug, Deserialize)]
struct Envelope {
    status: Option<String>,
    message: Option<String>,
    #[serde(default, rename = "user")]
    users: Vec<WireUser>,
}

/// One `<user>` element.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub(crate) struct WireUser {
    pub user_id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub email_address: String,
    #[serde(default)]
    pub primary_group_id: Option<String>,
    #[serde(default)]
    pub assigned_workflows: Option<String>,
}

impl WireUser {
    /// The workflow ids, from a comma list that may be empty or absent.
    pub fn workflows(&self) -> impl Iterator<Item = String> + '_ {
        self.assigned_workflows
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
}

/// The root element's name, or why there is none.
fn root_name(body: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(body);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                return Ok(e.name().as_ref().to_string());
            }
            Ok(quick_xml::events::Event::Eof) => return Err("empty answer".into()),
            Ok(_) => continue,
            Err(e) => return Err(format!("not XML: {e}")),
        }
    }
}

/// Reads an answer whose root must be `root`, returning its users.
pub(crate) fn parse(
    endpoint: &str,
    root: &str,
    http_status: u16,
    body: &str,
) -> Result<Vec<WireUser>, ProviderError> {
    let malformed = |detail: String| ProviderError::Malformed {
        endpoint: endpoint.to_string(),
        detail,
    };
    let vendor = |status: u16, message: String| ProviderError::Vendor {
        endpoint: endpoint.to_string(),
        status,
        message,
    };
    let ok_http = (200..300).contains(&http_status);
    let found = match root_name(body) {
        Ok(r) => r,
        Err(e) if ok_http => return Err(malformed(format!("{e}: {}", snippet(body)))),
        Err(_) => {
            return Err(vendor(
                http_status,
                format!("non-XML error page: {}", snippet(body)),
            ));
        }
    };
    if found != root {
        let detail = format!("expected <{root}>, got <{found}>: {}", snippet(body));
        return Err(if ok_http {
            malformed(detail)
        } else {
            vendor(http_status, detail)
        });
    }
    let env: Envelope = match quick_xml::de::from_str(body) {
        Ok(e) => e,
        Err(e) if ok_http => return Err(malformed(e.to_string())),
        Err(_) => return Err(vendor(http_status, snippet(body))),
    };
    let message = env.message.unwrap_or_default().trim().to_string();
    let status = match env.status.as_deref().map(str::trim) {
        Some(s) => s
            .parse::<u16>()
            .map_err(|_| malformed(format!("<status> is {s:?}, not a number")))?,
        None if ok_http => return Err(malformed("no <status> element".into())),
        None => http_status,
    };
    if !ok_http {
        let code = if status >= 400 { status } else { http_status };
        return Err(vendor(code, message));
    }
    if status != 200 {
        return Err(vendor(status, message));
    }
    Ok(env.users)
}

/// A delete's answer: done when the vendor confirms it, and also when Xtracta itself says the
/// user is not found (an earlier attempt whose answer was lost deleted it). A 404 from
/// anything else (a proxy's page, an empty body) is an error: the goal is not proven met.
pub(crate) fn deleted(endpoint: &str, http_status: u16, body: &str) -> Result<(), ProviderError> {
    match parse(endpoint, "user_response", http_status, body) {
        Ok(_) => Ok(()),
        Err(ProviderError::Vendor { status: 404, .. }) if own_not_found(body) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Xtracta's own envelope with `<status>404</status>`.
fn own_not_found(body: &str) -> bool {
    root_name(body).is_ok_and(|r| r == "user_response")
        && quick_xml::de::from_str::<Envelope>(body)
            .is_ok_and(|env| env.status.as_deref().map(str::trim) == Some("404"))
}

#[cfg(test)]
mod tests {
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
}
