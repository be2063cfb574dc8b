//! Xtracta's XML answers: `<user_response>` / `<workflow_response>` with `<status>`,
//! `<message>` and zero or more `<user>`. Read in one pass with quick-xml's reader, each
//! `<user>` into a [`WireUser`] as it comes: no document is built.
//!
//! An answer is a failure when the HTTP status is not 2xx or the body's `<status>` is not 200.
//! Malformed or truncated XML is an error, never "no users". Reads as quick-xml's serde
//! support would: elements by local name, unknown ones skipped, text with its references
//! resolved (predefined entities and character references only), a field given twice an
//! error.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::vendor::ProviderError;
use crate::vendor::clean::snippet;

/// One `<user>` element.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct WireUser {
    pub user_id: String,
    pub name: Option<String>,
    pub email_address: String,
    pub primary_group_id: Option<String>,
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

/// What an answer holds.
#[derive(Debug, Default, PartialEq, Eq)]
struct Envelope {
    status: Option<String>,
    message: Option<String>,
    users: Vec<WireUser>,
}

/// Why an answer could not be read.
#[derive(Debug)]
enum Unread {
    /// No element at all: empty, or not XML before the first one.
    NoRoot(String),
    /// The root element is not the one expected; its name.
    Root(String),
    /// The expected root, but not a well-formed answer below it.
    Bad(String),
}

/// The answer's events, and the XML version its declaration names (for line ends).
struct Doc<'a> {
    reader: quick_xml::Reader<&'a [u8]>,
    version: XmlVersion,
}

impl<'a> Doc<'a> {
    fn next(&mut self) -> Result<Event<'a>, String> {
        let event = self.reader.read_event().map_err(|e| e.to_string())?;
        if let Event::Decl(d) = &event {
            self.version = d.xml_version().map_err(|e| e.to_string())?;
        }
        Ok(event)
    }

    /// The root element, and whether it is empty (`<root/>`).
    fn root(&mut self) -> Result<(BytesStart<'a>, bool), String> {
        loop {
            match self.next().map_err(|e| format!("not XML: {e}"))? {
                Event::Start(e) => return Ok((e, false)),
                Event::Empty(e) => return Ok((e, true)),
                Event::Eof => return Err("empty answer".into()),
                // As serde reads it: only blanks may come before the root.
                Event::Text(t) if !t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) => {
                    return Err("not XML: text before the root".into());
                }
                Event::GeneralRef(_) | Event::CData(_) => {
                    return Err("not XML: text before the root".into());
                }
                _ => {}
            }
        }
    }

    /// The text of an element just started, up to its end.
    fn text(&mut self, name: &str, empty: bool) -> Result<String, String> {
        if empty {
            return Ok(String::new());
        }
        // Borrowed from the answer until a second piece comes: most texts are one piece.
        let mut out: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.next()? {
                Event::Text(t) => add(&mut out, t.xml_content(self.version)),
                Event::CData(c) => add(&mut out, c.xml_content(self.version)),
                Event::GeneralRef(r) => resolve(&r, out.to_mut())?,
                Event::End(_) => return Ok(out.into_owned()),
                Event::Start(e) | Event::Empty(e) => {
                    let inner = e.local_name().into_inner().to_string();
                    return Err(format!("<{name}> holds an element <{inner}>, not text"));
                }
                Event::Eof => return Err(format!("truncated inside <{name}>")),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Skips an element just started, with everything in it.
    fn skip(&mut self, e: &BytesStart<'a>, empty: bool) -> Result<(), String> {
        if !empty {
            self.reader
                .read_to_end(e.name())
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Reads the children of an element just started up to its end, handing `child` each
    /// child element (and whether it is empty) and each text that is not blank.
    fn children(
        &mut self,
        name: &str,
        e: &BytesStart<'a>,
        empty: bool,
        mut child: impl FnMut(&mut Self, Child<'_, 'a>) -> Result<(), String>,
    ) -> Result<(), String> {
        for a in e.attributes() {
            a.map_err(|e| format!("<{name}>: {e}"))?;
        }
        if empty {
            return Ok(());
        }
        let mut text = String::new();
        loop {
            let blank = |t: &str| t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
            match self.next()? {
                Event::Start(c) => child(self, Child::Element(&c, false))?,
                Event::Empty(c) => child(self, Child::Element(&c, true))?,
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(format!("truncated inside <{name}>")),
                Event::GeneralRef(r) => {
                    text.clear();
                    resolve(&r, &mut text)?;
                    if !blank(&text) {
                        child(self, Child::Text)?;
                    }
                }
                Event::Text(t) if !blank(&t) => child(self, Child::Text)?,
                Event::CData(t) if !blank(&t) => child(self, Child::Text)?,
                Event::Text(_)
                | Event::CData(_)
                | Event::Comment(_)
                | Event::PI(_)
                | Event::Decl(_)
                | Event::DocType(_) => {}
            }
        }
    }
}

/// What an element holds, one piece at a time.
enum Child<'c, 'a> {
    /// An element, and whether it is empty (`<name/>`).
    Element(&'c BytesStart<'a>, bool),
    /// Text that is not blank, between elements.
    Text,
}

fn add<'a>(out: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if out.is_empty() {
        *out = piece;
    } else {
        out.to_mut().push_str(&piece);
    }
}

/// Appends what a reference stands for.
fn resolve(r: &BytesRef<'_>, out: &mut String) -> Result<(), String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        out.push(c);
        return Ok(());
    }
    match quick_xml::escape::resolve_predefined_entity(r) {
        Some(text) => {
            out.push_str(text);
            Ok(())
        }
        None => Err(format!("unknown entity &{};", &**r)),
    }
}

/// Fills a field seen once at most.
fn once(slot: &mut Option<String>, name: &str, value: String) -> Result<(), String> {
    match slot {
        Some(_) => Err(format!("duplicate field `{name}`")),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

fn user<'a>(doc: &mut Doc<'a>, e: &BytesStart<'a>, empty: bool) -> Result<WireUser, String> {
    let (mut id, mut name, mut email, mut group, mut workflows) = (None, None, None, None, None);
    doc.children("user", e, empty, |doc, child| {
        let Child::Element(c, empty) = child else {
            return Ok(());
        };
        let (slot, field) = match c.local_name().as_ref() {
            "user_id" => (&mut id, "user_id"),
            "name" => (&mut name, "name"),
            "email_address" => (&mut email, "email_address"),
            "primary_group_id" => (&mut group, "primary_group_id"),
            "assigned_workflows" => (&mut workflows, "assigned_workflows"),
            _ => return doc.skip(c, empty),
        };
        let text = doc.text(field, empty)?;
        once(slot, field, text)
    })?;
    Ok(WireUser {
        user_id: id.ok_or("missing field `user_id`")?,
        name,
        email_address: email.ok_or("missing field `email_address`")?,
        primary_group_id: group,
        assigned_workflows: workflows,
    })
}

/// Reads an answer whose root must be `root`.
fn read(body: &str, root: &str) -> Result<Envelope, Unread> {
    let mut doc = Doc {
        reader: quick_xml::Reader::from_str(body),
        version: XmlVersion::Implicit1_0,
    };
    let (e, empty) = doc.root().map_err(Unread::NoRoot)?;
    let found = e.name().into_inner().to_string();
    if found != root {
        return Err(Unread::Root(found));
    }
    let mut env = Envelope::default();
    // As serde reads them: the users come as one run of elements named alike.
    let mut run: Option<String> = None;
    let mut run_ended = false;
    doc.children(root, &e, empty, |doc, child| {
        let Child::Element(c, empty) = child else {
            // Text between the users parts them, as for serde.
            run_ended |= run.is_some();
            return Ok(());
        };
        let local = c.local_name();
        if local.as_ref() == "user" {
            let name = c.name().into_inner();
            if run_ended || run.as_deref().is_some_and(|r| r != name) {
                return Err("duplicate field `user`".into());
            }
            run.get_or_insert_with(|| name.to_string());
            env.users.push(user(doc, c, empty)?);
            return Ok(());
        }
        run_ended |= run.is_some();
        match local.as_ref() {
            "status" => {
                let text = doc.text("status", empty)?;
                once(&mut env.status, "status", text)
            }
            "message" => {
                let text = doc.text("message", empty)?;
                once(&mut env.message, "message", text)
            }
            _ => doc.skip(c, empty),
        }
    })
    .map_err(Unread::Bad)?;
    Ok(env)
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
    let env = match read(body, root) {
        Ok(env) => env,
        Err(Unread::NoRoot(e)) if ok_http => {
            return Err(malformed(format!("{e}: {}", snippet(body))));
        }
        Err(Unread::NoRoot(_)) => {
            return Err(vendor(
                http_status,
                format!("non-XML error page: {}", snippet(body)),
            ));
        }
        Err(Unread::Root(found)) => {
            let detail = format!("expected <{root}>, got <{found}>: {}", snippet(body));
            return Err(if ok_http {
                malformed(detail)
            } else {
                vendor(http_status, detail)
            });
        }
        Err(Unread::Bad(e)) if ok_http => return Err(malformed(e)),
        Err(Unread::Bad(_)) => return Err(vendor(http_status, snippet(body))),
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
    read(body, "user_response").is_ok_and(|env| env.status.as_deref().map(str::trim) == Some("404"))
}

#[cfg(test)]
mod tests;
