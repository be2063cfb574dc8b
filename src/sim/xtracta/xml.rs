//! Renders Xtracta's XML answers with `quick_xml::Writer`, escaping all text.
//!
//! Written independently of the roster client on purpose: it shares no types or serde
//! derives with `provider`. It renders only; it never decides a status or a message.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::world::User;

/// The success message every Xtracta answer carries.
pub(crate) const SUCCESS: &str = "The request has been successfully processed";

/// The root element, named after the resource an endpoint belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    User,
    Workflow,
}

impl Root {
    pub(crate) fn for_path(path: &str) -> Self {
        if path.starts_with("/v1/workflow") {
            Self::Workflow
        } else {
            Self::User
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::User => "user_response",
            Self::Workflow => "workflow_response",
        }
    }
}

/// A login token issued with a new user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LoginToken {
    pub(crate) token: String,
    pub(crate) qrcode: String,
    pub(crate) expire: u64,
}

type Xml = Writer<Vec<u8>>;

/// `<root><status>…</status><message>…</message>` + `rest` + `</root>`.
fn document(
    root: Root,
    status: u16,
    message: &str,
    rest: impl FnOnce(&mut Xml) -> io::Result<()>,
) -> Vec<u8> {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 4);
    write_document(&mut xml, root, status, message, rest)
        .expect("writing XML into memory cannot fail");
    let mut bytes = xml.into_inner();
    bytes.push(b'\n');
    bytes
}

fn write_document(
    xml: &mut Xml,
    root: Root,
    status: u16,
    message: &str,
    rest: impl FnOnce(&mut Xml) -> io::Result<()>,
) -> io::Result<()> {
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element(root.name()).write_inner_content(|xml| {
        text(xml, "status", &status.to_string())?;
        text(xml, "message", message)?;
        rest(xml)
    })?;
    Ok(())
}

fn text(xml: &mut Xml, name: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        xml.create_element(name).write_empty()?;
    } else {
        xml.create_element(name)
            .write_text_content(BytesText::new(value))?;
    }
    Ok(())
}

fn user(xml: &mut Xml, user: &User, password: Option<&str>) -> io::Result<()> {
    let workflows: Vec<String> = user.assigned_workflows.iter().map(u64::to_string).collect();
    xml.create_element("user").write_inner_content(|xml| {
        text(xml, "user_id", &user.user_id.to_string())?;
        text(xml, "name", &user.name)?;
        text(xml, "email_address", &user.email_address)?;
        text(xml, "primary_group_id", &user.primary_group_id.to_string())?;
        text(xml, "assigned_workflows", &workflows.join(","))?;
        if let Some(password) = password {
            text(xml, "password", password)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Status and message only: errors, deletes, workflow updates.
pub(crate) fn status_only(root: Root, status: u16, message: &str) -> Vec<u8> {
    document(root, status, message, |_| Ok(()))
}

/// Get User: zero or more `<user>` elements.
pub(crate) fn user_list(users: &[&User]) -> Vec<u8> {
    document(Root::User, 200, SUCCESS, |xml| {
        users.iter().try_for_each(|u| user(xml, u, None))
    })
}

/// Add or update: one `<user>`, with `<password>` only when echoing one, then the token.
pub(crate) fn one_user(u: &User, password: Option<&str>, token: Option<&LoginToken>) -> Vec<u8> {
    document(Root::User, 200, SUCCESS, |xml| {
        user(xml, u, password)?;
        if let Some(token) = token {
            text(xml, "token", &token.token)?;
            text(xml, "qrcode", &token.qrcode)?;
            text(xml, "expire", &token.expire.to_string())?;
        }
        Ok(())
    })
}

/// A 200 answer whose XML is broken in one of a few ways, picked by `variant`.
pub(crate) fn malformed(root: Root, variant: u64) -> Vec<u8> {
    let name = root.name();
    let text = match variant % 3 {
        0 => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{name}>\n    <status>200</status>\n    <message>The request has been succ"
        ),
        1 => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{name}><status>200</stat><message>{SUCCESS}</message></{name}>\n"
        ),
        _ => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html><body>502 Bad Gateway".to_owned(),
    };
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bo() -> User {
        User {
            user_id: 4092,
            name: "O'Brien & <Co>".to_owned(),
            email_address: "bo@example.com".to_owned(),
            primary_group_id: 12345,
            assigned_workflows: vec![496553, 496941],
            password: Some("secret-pass".to_owned()),
        }
    }

    fn string(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn escapes_names() {
        let xml = string(user_list(&[&bo()]));
        assert!(
            xml.contains("<name>O&apos;Brien &amp; &lt;Co&gt;</name>"),
            "{xml}"
        );
        assert!(
            !xml.contains("secret-pass"),
            "listing never shows passwords"
        );
    }

    #[test]
    fn list_shape() {
        let mut empty = bo();
        empty.assigned_workflows.clear();
        let xml = string(user_list(&[&bo(), &empty]));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user_response>"));
        assert!(xml.contains("<status>200</status>"));
        assert!(xml.contains(&format!("<message>{SUCCESS}</message>")));
        assert!(xml.contains("<assigned_workflows>496553,496941</assigned_workflows>"));
        assert!(xml.contains("<assigned_workflows/>"));
        assert_eq!(xml.matches("<user>").count(), 2);
        assert!(xml.trim_end().ends_with("</user_response>"));
    }

    #[test]
    fn add_answer_echoes_password_then_token_at_top_level() {
        let token = LoginToken {
            token: "abc".to_owned(),
            qrcode: "https://qr.example/abc.png".to_owned(),
            expire: 9090,
        };
        let xml = string(one_user(&bo(), Some("secret-pass"), Some(&token)));
        let password = xml.find("<password>secret-pass</password>").unwrap();
        let user_end = xml.find("</user>").unwrap();
        let token_at = xml.find("<token>abc</token>").unwrap();
        assert!(password < user_end && user_end < token_at, "{xml}");
        assert!(xml.contains("<expire>9090</expire>"));
    }

    #[test]
    fn error_envelope_uses_the_resource_root() {
        let xml = string(status_only(Root::Workflow, 404, "workflow not found: 1"));
        assert!(xml.contains("<workflow_response>"));
        assert!(xml.contains("<status>404</status>"));
        assert!(xml.contains("<message>workflow not found: 1</message>"));
        assert_eq!(Root::for_path("/v1/workflow/update"), Root::Workflow);
        assert_eq!(Root::for_path("/v1/user/add"), Root::User);
    }

    #[test]
    fn malformed_answers_are_not_closed_documents() {
        for variant in 0..3 {
            let xml = string(malformed(Root::User, variant));
            assert!(!xml.trim_end().ends_with("</user_response>") || xml.contains("</stat>"));
        }
    }
}
