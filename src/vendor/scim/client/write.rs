//! The writes: create (then join the user's groups), update (PATCH `replace` for exactly the
//! changed attributes, or the resource read whole and PUT back with only the managed
//! attributes changed, `If-Match` when the server versions it), group membership (PATCH in
//! chunks, or the group read whole and PUT back keeping every member roster does not manage).
//!
//! A create answered 409 looks the user up before anything else, and adopts the one it finds:
//! never a second user. `If-Match` goes with every write of a resource read just before; a
//! write refused with 412 (the resource changed since it was read) or 428 (the server wants
//! `If-Match`) reads the resource's version again and is retried a few times.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value as Json};

use super::wire::{self, WireUser};
use super::{
    EP_CREATE, EP_DELETE, EP_GROUP, EP_PATCH_GROUP, EP_PATCH_USER, EP_PUT_GROUP, EP_PUT_USER,
    EP_USER, Request, Scim, body, user_name,
};
use crate::model::{Value, normalise_key};
use crate::plan::{Create, FieldChange, Update, UserRef};
use crate::vendor::http::Repeat;
use crate::vendor::scim::names;
use crate::vendor::{Applied, ProviderError};

/// How often a write refused with 412 or 428 is read again and sent.
const PRECONDITION_ATTEMPTS: u32 = 3;

/// Whether the server refused a write for its version: changed since read (412), or
/// `If-Match` required (428).
fn precondition_failed<T>(r: &Result<T, ProviderError>) -> bool {
    matches!(
        r,
        Err(ProviderError::Vendor {
            status: 412 | 428,
            ..
        })
    )
}

/// The update that makes `found` what `create` would have made (its groups aside).
fn adoption(create: &Create, found: WireUser) -> Update {
    let actual = super::convert::to_actual(found, &Default::default());
    let user = UserRef {
        id: Some(actual.id.clone()),
        ..create.user.clone()
    };
    let changes = create
        .fields
        .iter()
        .filter(|(field, _)| *field != names::GROUPS)
        .filter_map(|(field, want)| {
            let have = actual.fields.get(field);
            let same = match (field, have, want) {
                (names::USER_NAME, Some(Value::Text(h)), Value::Text(w)) => {
                    normalise_key(h) == normalise_key(w)
                }
                (_, Some(Value::Map(h)), Value::Map(w)) => {
                    w.iter().all(|(k, v)| h.get(k) == Some(v))
                }
                (_, h, w) => h == Some(w),
            };
            (!same).then(|| FieldChange {
                user: user.clone(),
                field: field.to_string(),
                from: have.cloned(),
                to: want.clone(),
            })
        })
        .collect();
    Update {
        user,
        changes,
        actual: actual.fields,
    }
}

impl Scim {
    fn request<'a>(
        &self,
        endpoint: &'static str,
        method: Method,
        segments: &[&str],
    ) -> Request<'a> {
        Request {
            endpoint,
            method,
            url: self.url(segments, &[]),
            body: None,
            if_match: None,
            repeat: Repeat::Safe,
        }
    }

    /// A resource read whole, as the server spells it, and its version (`meta.version`).
    async fn read_whole(
        &self,
        endpoint: &'static str,
        segments: &[&str],
    ) -> Result<(Map<String, Json>, Option<String>), ProviderError> {
        let r = self.request(endpoint, Method::GET, segments);
        self.send(r, |status, text| {
            wire::check_status(endpoint, status, text)?;
            let json: Json = serde_json::from_str(text).map_err(|e| ProviderError::Malformed {
                endpoint: endpoint.to_string(),
                detail: e.to_string(),
            })?;
            let lowered = wire::lower_keys(json.clone());
            let version = lowered
                .get("meta")
                .and_then(|m| m.get("version"))
                .and_then(Json::as_str)
                .map(str::to_string);
            match json {
                Json::Object(map) => Ok((map, version)),
                _ => Err(ProviderError::Malformed {
                    endpoint: endpoint.to_string(),
                    detail: "expected a JSON object".into(),
                }),
            }
        })
        .await
    }

    async fn write(&self, r: Request<'_>) -> Result<Applied, ProviderError> {
        let endpoint = r.endpoint;
        self.send(r, |s, b| {
            wire::written(endpoint, s, b).map(|_| Applied::Confirmed)
        })
        .await
    }

    pub(super) async fn create_user(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        if let Some(p) = &password {
            // Masked too, should the server quote the request in an error.
            self.http.conceal(p);
        }
        let user = body::new_user(
            &create.fields,
            password.as_ref().map(ExposeSecret::expose_secret),
        );
        let mut r = self.request(EP_CREATE, Method::POST, &["Users"]);
        r.body = Some(&user);
        r.repeat = Repeat::Unsafe;
        let answer = self
            .send(r, |status, text| wire::written(EP_CREATE, status, text))
            .await;
        let created: Option<WireUser> = match answer {
            Ok(Some(doc)) => wire::read(EP_CREATE, "created user", doc).ok(),
            Ok(None) => None,
            Err(e @ ProviderError::Vendor { status: 409, .. }) => {
                // Taken: by an earlier attempt of this create whose answer was lost, or by
                // a user the fetch did not see. Either way, that user is adopted: made as the
                // create would have made it.
                let Some(u) = self.find_user(user_name(create)).await? else {
                    return Err(e);
                };
                let update = adoption(create, u.clone());
                if !update.changes.is_empty() {
                    self.update_user(&update).await?;
                }
                Some(u)
            }
            Err(e) => return Err(e),
        };
        let id = match created {
            Some(u) => u.id,
            // Created, but the answer names no id: look it up.
            None => match self
                .find_user(user_name(create))
                .await
                .map_err(ProviderError::after_write)?
            {
                Some(u) => u.id,
                None => {
                    return Err(ProviderError::Malformed {
                        endpoint: EP_CREATE.into(),
                        detail: "the created user has no id and cannot be found".into(),
                    });
                }
            },
        };
        let groups = create
            .fields
            .get(names::GROUPS)
            .and_then(Value::as_set)
            .cloned()
            .unwrap_or_default();
        for g in groups {
            let gid = self.group_id(&g).map_err(ProviderError::after_write)?;
            self.change_members(&gid, std::slice::from_ref(&id), &[])
                .await
                .map_err(ProviderError::after_write)?;
        }
        Ok(Applied::Confirmed)
    }

    pub(super) async fn update_user(&self, update: &Update) -> Result<Applied, ProviderError> {
        let id = update.user.vendor_id();
        let patch = self.patch().await?;
        // PUT sends the whole resource back; the e-mail changes inside the list of e-mails.
        let whole = !patch || update.changes.iter().any(|c| c.field == names::EMAIL);
        let mut version = None;
        let mut attempt = 1;
        loop {
            let current = if whole {
                let (map, v) = self.read_whole(EP_USER, &["Users", id]).await?;
                version = v;
                Some(map)
            } else {
                None
            };
            let (endpoint, method, doc) = if patch {
                let current = current.map(Json::Object);
                let ops = body::user_operations(&update.changes, current.as_ref());
                (EP_PATCH_USER, Method::PATCH, body::patch_op(ops))
            } else {
                let doc = body::merged_user(current.unwrap_or_default(), &update.changes);
                (EP_PUT_USER, Method::PUT, doc)
            };
            let mut r = self.request(endpoint, method, &["Users", id]);
            r.body = Some(&doc);
            r.if_match = version.as_deref();
            let result = self.write(r).await;
            if precondition_failed(&result) && attempt < PRECONDITION_ATTEMPTS {
                attempt += 1;
                if !whole {
                    version = self.read_whole(EP_USER, &["Users", id]).await?.1;
                }
                continue;
            }
            return result;
        }
    }

    /// Adds `join` to the group `id` and removes `leave` from it.
    pub(super) async fn change_members(
        &self,
        id: &str,
        join: &[String],
        leave: &[String],
    ) -> Result<Applied, ProviderError> {
        if self.patch().await? {
            for (join, leave) in body::member_chunks(join, leave) {
                self.patch_members(id, &join, &leave).await?;
            }
            return Ok(Applied::Confirmed);
        }
        let mut attempt = 1;
        loop {
            let (group, version) = self.read_whole(EP_GROUP, &["Groups", id]).await?;
            let doc = body::merged_group(group, join, leave);
            let mut r = self.request(EP_PUT_GROUP, Method::PUT, &["Groups", id]);
            r.body = Some(&doc);
            r.if_match = version.as_deref();
            let result = self.write(r).await;
            if precondition_failed(&result) && attempt < PRECONDITION_ATTEMPTS {
                attempt += 1;
                continue;
            }
            return result;
        }
    }

    /// One membership PATCH, with `If-Match` once the server asked for it. Refused with
    /// `noTarget` (a member to remove is gone already, as after a retry of a PATCH whose answer
    /// was lost), the group's members are read and only what is still to do is sent, once.
    async fn patch_members(
        &self,
        id: &str,
        join: &[String],
        leave: &[String],
    ) -> Result<(), ProviderError> {
        let doc = body::patch_op(body::member_operations(join, leave));
        let mut version = None;
        let mut attempt = 1;
        let done = loop {
            let mut r = self.request(EP_PATCH_GROUP, Method::PATCH, &["Groups", id]);
            r.body = Some(&doc);
            r.if_match = version.as_deref();
            let answer = self
                .send(r, |status, text| {
                    if status == 400 && wire::scim_type(text).as_deref() == Some("notarget") {
                        return Ok(false);
                    }
                    wire::written(EP_PATCH_GROUP, status, text).map(|_| true)
                })
                .await;
            if precondition_failed(&answer) && attempt < PRECONDITION_ATTEMPTS {
                attempt += 1;
                version = self.read_whole(EP_GROUP, &["Groups", id]).await?.1;
                continue;
            }
            break answer?;
        };
        if done {
            return Ok(());
        }
        let (group, version) = self.read_whole(EP_GROUP, &["Groups", id]).await?;
        let present = body::member_values(&group);
        let join: Vec<String> = join
            .iter()
            .filter(|m| !present.contains(*m))
            .cloned()
            .collect();
        let leave: Vec<String> = leave
            .iter()
            .filter(|m| present.contains(*m))
            .cloned()
            .collect();
        if join.is_empty() && leave.is_empty() {
            return Ok(());
        }
        let doc = body::patch_op(body::member_operations(&join, &leave));
        let mut r = self.request(EP_PATCH_GROUP, Method::PATCH, &["Groups", id]);
        r.body = Some(&doc);
        r.if_match = version.as_deref();
        self.write(r).await.map(|_| ())
    }

    /// `DELETE /Users/{id}`, with `If-Match` once the server asked for it; the server's own
    /// 404 counts as done.
    pub(super) async fn delete_user(&self, id: &str) -> Result<Applied, ProviderError> {
        let mut version = None;
        let mut attempt = 1;
        loop {
            let mut r = self.request(EP_DELETE, Method::DELETE, &["Users", id]);
            r.if_match = version.as_deref();
            let result = self
                .send(r, |s, b| wire::deleted(EP_DELETE, s, b))
                .await
                .map(|()| Applied::Confirmed);
            if precondition_failed(&result) && attempt < PRECONDITION_ATTEMPTS {
                attempt += 1;
                version = match self.read_whole(EP_USER, &["Users", id]).await {
                    Ok((_, v)) => v,
                    // Gone meanwhile: what the delete wanted.
                    Err(ProviderError::Vendor { status: 404, .. }) => {
                        return Ok(Applied::Confirmed);
                    }
                    Err(e) => return Err(e),
                };
                continue;
            }
            return result;
        }
    }
}
