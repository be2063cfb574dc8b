//! The changes a client can make to the world: create, replace (PUT), patch and delete users
//! and groups. Each checks everything before it changes anything: the naming attribute is
//! unique (`userName`, a group's `displayName`, compared case-insensitively; 409
//! `uniqueness`), group members are resources that exist, and `If-Match`, when given, names
//! the current version (412). Deleting a user takes it out of every group.
//!
//! Pure world logic; no HTTP, no wire shapes.

use axum::http::StatusCode;
use serde_json::{Map, Value as Json};

use super::error::Refusal;
use super::patch::{self, Operation};
use super::world::{self, Kind, Resource, World};

/// What a write asks of the resource's version.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Precondition<'a> {
    /// `If-Match`, as sent.
    pub(crate) if_match: Option<&'a str>,
    /// Refuse a write without `If-Match` (428).
    pub(crate) required: bool,
}

impl Precondition<'_> {
    #[cfg(test)]
    pub(crate) const NONE: Precondition<'static> = Precondition {
        if_match: None,
        required: false,
    };

    fn check(&self, r: &Resource) -> Result<(), Refusal> {
        let bare = |t: &str| {
            t.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_string()
        };
        match self.if_match {
            None if self.required => Err(Refusal::new(
                StatusCode::PRECONDITION_REQUIRED,
                "this server needs If-Match on every change",
            )),
            None => Ok(()),
            Some(t) if t.trim() == "*" => Ok(()),
            Some(t) if t.split(',').any(|t| bare(t) == bare(&r.etag())) => Ok(()),
            Some(_) => Err(Refusal::new(
                StatusCode::PRECONDITION_FAILED,
                format!(
                    "{} {} has changed (its version is {})",
                    "resource",
                    r.id,
                    r.etag()
                ),
            )),
        }
    }
}

impl World {
    /// Whether the naming attribute of `attrs` is taken by a resource other than `except`.
    fn check_name(
        &self,
        kind: Kind,
        attrs: &Map<String, Json>,
        except: Option<&str>,
    ) -> Result<(), Refusal> {
        let naming = kind.naming();
        let name = attrs.get(naming).and_then(Json::as_str).unwrap_or_default();
        let names = match kind {
            Kind::User => &self.user_names,
            Kind::Group => &self.group_names,
        };
        if names.taken(&world::fold(name), except.map(str::to_string).as_ref()) {
            return Err(
                Refusal::new(StatusCode::CONFLICT, format!("{naming} {name:?} is taken"))
                    .typed("uniqueness"),
            );
        }
        Ok(())
    }

    /// Refuses members that are not resources of this world.
    fn check_members(&self, kind: Kind, attrs: &Map<String, Json>) -> Result<(), Refusal> {
        if kind != Kind::Group {
            return Ok(());
        }
        for m in attrs
            .get("members")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let value = m.get("value").and_then(Json::as_str);
            match value {
                Some(v) if self.kind_of(v).is_some() => {}
                Some(v) => {
                    return Err(Refusal::bad(
                        "invalidValue",
                        format!("member {v} is no user or group"),
                    ));
                }
                None => return Err(Refusal::bad("invalidValue", "a member needs a value")),
            }
        }
        Ok(())
    }

    pub(crate) fn create(
        &mut self,
        kind: Kind,
        attrs: Map<String, Json>,
    ) -> Result<Resource, Refusal> {
        self.check_name(kind, &attrs, None)?;
        self.check_members(kind, &attrs)?;
        let id = loop {
            let id = world::id(self.next_id);
            self.next_id += 1;
            if self.kind_of(&id).is_none() {
                break id;
            }
        };
        let now = world::now();
        let r = Resource {
            id: id.clone(),
            version: 1,
            created: now.clone(),
            last_modified: now,
            attributes: attrs,
        };
        self.claim(kind, &r);
        self.list_mut(kind).push(r.clone());
        Ok(r)
    }

    fn claim(&mut self, kind: Kind, r: &Resource) {
        let name = world::fold(r.text(kind.naming()).unwrap_or_default());
        let id = r.id.clone();
        self.names(kind).claim(name, id);
    }

    fn existing(&self, kind: Kind, id: &str) -> Result<usize, Refusal> {
        self.position(kind, id)
            .ok_or_else(|| Refusal::not_found(kind.name(), id))
    }

    /// Makes `attrs` the attributes of resource `id`, once every check passed.
    fn commit(&mut self, kind: Kind, at: usize, attrs: Map<String, Json>) -> Resource {
        let old = world::fold(self.list(kind)[at].text(kind.naming()).unwrap_or_default());
        let id = self.list(kind)[at].id.clone();
        self.names(kind).release(&old, &id);
        let r = &mut self.list_mut(kind)[at];
        r.attributes = attrs;
        r.version += 1;
        r.last_modified = world::now();
        let r = r.clone();
        self.claim(kind, &r);
        r
    }

    /// PUT: the resource becomes `attrs`; a password the body leaves out is kept.
    pub(crate) fn replace(
        &mut self,
        kind: Kind,
        id: &str,
        mut attrs: Map<String, Json>,
        pre: Precondition<'_>,
    ) -> Result<Resource, Refusal> {
        let at = self.existing(kind, id)?;
        pre.check(&self.list(kind)[at])?;
        self.check_name(kind, &attrs, Some(id))?;
        self.check_members(kind, &attrs)?;
        if let Some(p) = self.list(kind)[at].attributes.get("password")
            && !attrs.contains_key("password")
        {
            attrs.insert("password".into(), p.clone());
        }
        Ok(self.commit(kind, at, attrs))
    }

    pub(crate) fn patch(
        &mut self,
        kind: Kind,
        id: &str,
        ops: &[Operation],
        pre: Precondition<'_>,
    ) -> Result<Resource, Refusal> {
        let at = self.existing(kind, id)?;
        pre.check(&self.list(kind)[at])?;
        let mut attrs = self.list(kind)[at].attributes.clone();
        patch::apply(kind, &mut attrs, ops)?;
        self.check_name(kind, &attrs, Some(id))?;
        self.check_members(kind, &attrs)?;
        Ok(self.commit(kind, at, attrs))
    }

    /// Deletes resource `id`, and takes it out of every group it was a member of.
    pub(crate) fn delete(
        &mut self,
        kind: Kind,
        id: &str,
        pre: Precondition<'_>,
    ) -> Result<(), Refusal> {
        let at = self.existing(kind, id)?;
        pre.check(&self.list(kind)[at])?;
        let r = self.list_mut(kind).remove(at);
        let name = world::fold(r.text(kind.naming()).unwrap_or_default());
        self.names(kind).release(&name, &r.id);
        let now = world::now();
        for g in &mut self.groups {
            let Some(Json::Array(members)) = g.attributes.get_mut("members") else {
                continue;
            };
            let before = members.len();
            members.retain(|m| m.get("value").and_then(Json::as_str) != Some(id));
            if members.len() != before {
                if members.is_empty() {
                    g.attributes.remove("members");
                }
                g.version += 1;
                g.last_modified = now.clone();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
