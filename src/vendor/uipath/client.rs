//! The UiPath Identity client: an OAuth client-credentials token (cached until shortly before
//! it expires, refreshed once on a 401), users paged from `/api/User/users/{partitionGlobalId}`,
//! groups by name, create, update (with `groupIDsToAdd`/`groupIDsToRemove`), delete.
//!
//! Group names in manifests are resolved to ids through the group list fetched with the users;
//! the planner only ever sees names. The token and client secret are never logged (`auth`).
//! A create carries a client-chosen GUID, the same for every attempt of one user's create, so
//! that a repeated create is refused by id rather than making a second user.

mod auth;
mod doctor;
mod groups;
mod probe;
mod rights;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value as Json, json};

use crate::config::Limits;
use crate::diag::Problem;
use crate::model::{ActualUser, DesiredUser, Fields, Set, Value};
use crate::plan::{Create, Membership, Update, UserRef};
use crate::vendor::http::{Http, Repeat, Stats};
use crate::vendor::paging::Pages;
use crate::vendor::stop::Stop;
use crate::vendor::uipath::names;
use crate::vendor::{Applied, Provider, ProviderError};

use rights::Needed;
use wire::WireUser;

/// Settings for [`Uipath::new`].
pub struct Settings {
    pub base: reqwest::Url,
    pub token_url: reqwest::Url,
    pub client_id: SecretString,
    pub client_secret: SecretString,
    pub scope: String,
    pub partition_global_id: String,
}

pub struct Uipath {
    http: Http,
    s: Settings,
    token: tokio::sync::Mutex<Option<(SecretString, Instant)>>,
    /// The scopes the last token answer said were granted.
    granted: Mutex<Option<String>>,
    /// The organisation's groups, from the last fetch.
    groups: Mutex<groups::Groups>,
    /// User key → the GUID its create sends, kept for every attempt of that create.
    creating: Mutex<HashMap<String, String>>,
}

const PAGE: u64 = 1000;
/// The built-in group every user is in implicitly; it is neither compared nor changed.
const EVERYONE: &str = "Everyone";

const EP_TOKEN: &str = "POST /connect/token";
const EP_USERS: &str = "GET /api/User/users/{pgid}";
const EP_GROUPS: &str = "GET /api/Group/{pgid}";
const EP_CREATE: &str = "POST /api/User";
const EP_UPDATE: &str = "PUT /api/User/{id}";
const EP_DELETE: &str = "DELETE /api/User/{id}";

fn text(fields: &Fields, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(Value::as_text)
        .map(str::to_string)
}

impl Uipath {
    pub fn new(
        s: Settings,
        limits: &Limits,
        stats: Arc<Stats>,
        stop: Stop,
    ) -> Result<Self, ProviderError> {
        let http = Http::new(limits, stats, stop)?;
        http.conceal(&s.client_id);
        http.conceal(&s.client_secret);
        Ok(Uipath {
            http,
            s,
            token: tokio::sync::Mutex::new(None),
            granted: Mutex::new(None),
            groups: Mutex::new(groups::Groups::default()),
            creating: Mutex::new(HashMap::new()),
        })
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/{path}", self.s.base.as_str().trim_end_matches('/'))
    }

    /// Every user page by page until `totalCount`; each page must bring new users, the pages
    /// are bounded, and fewer distinct users than `totalCount` is an error, never a short list.
    async fn list(&self, search: Option<&str>) -> Result<Vec<WireUser>, ProviderError> {
        let mut users = Vec::new();
        let mut pages = Pages::new(EP_USERS, PAGE as usize);
        let mut skip = 0u64;
        loop {
            let mut url = self.api(&format!(
                "User/users/{}?top={PAGE}&skip={skip}",
                self.s.partition_global_id
            ));
            if let Some(term) = search {
                url.push_str("&searchTerm=");
                url.push_str(
                    &url::form_urlencoded::byte_serialize(term.as_bytes()).collect::<String>(),
                );
            }
            let page: wire::UserPage = self
                .call(EP_USERS, Method::GET, url, None, Repeat::Safe, |s, b| {
                    wire::json(EP_USERS, s, b)
                })
                .await
                .map_err(|e| self.denied(e, Needed::Scope("User", "Read")))?;
            let got = page.results.len() as u64;
            let total = page.total_count;
            let position = format!("skip={skip}");
            users.extend(pages.take(page.results, |u| u.id.as_str(), &position)?);
            skip = skip.saturating_add(got);
            if skip >= total {
                let distinct = pages.distinct() as u64;
                if distinct < total {
                    return Err(pages.error(format!(
                        "{distinct} distinct users listed, but totalCount is {total} (paging broken, or the list changed while read)"
                    )));
                }
                return Ok(users);
            }
            if got == 0 {
                return Err(pages.error(format!(
                    "the page at {position} is empty, but totalCount is {total}"
                )));
            }
        }
    }

    /// The GUID the create of `key` sends: chosen on the first attempt, then kept.
    fn guid_for(&self, key: &str) -> String {
        let mut creating = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        creating
            .entry(key.to_string())
            .or_insert_with(|| uuid::Uuid::new_v4().to_string())
            .clone()
    }

    async fn put(&self, id: &str, body: Json) -> Result<Applied, ProviderError> {
        let regroups = ["groupIDsToAdd", "groupIDsToRemove"].iter().any(|k| {
            body.get(k)
                .and_then(Json::as_array)
                .is_some_and(|a| !a.is_empty())
        });
        let url = self.api(&format!("User/{id}"));
        self.call(
            EP_UPDATE,
            Method::PUT,
            url,
            Some(body),
            Repeat::Safe,
            |s, b| wire::identity_result(EP_UPDATE, s, b),
        )
        .await
        .map(|()| Applied::Confirmed)
        .map_err(|e| {
            let needed = if regroups {
                Needed::PartitionAdmin("changing a user's groups")
            } else {
                Needed::Scope("User", "Write")
            };
            self.denied(e, needed)
        })
    }
}

impl Provider for Uipath {
    /// The fetch lists every user whatever the manifests say.
    fn fetch_scope(&self, _desired: &[DesiredUser]) -> Option<String> {
        Some(String::new())
    }

    async fn fetch(&self, _desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        self.load_groups().await?;
        let users = self.list(None).await?;
        let mut out: Vec<ActualUser> = users
            .into_iter()
            .filter(WireUser::is_person)
            .map(|u| self.to_actual(u))
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn check(&self, desired: &[DesiredUser]) -> Vec<Problem> {
        let lock = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let mut known: Vec<&str> = lock.by_name.keys().map(String::as_str).collect();
        known.sort();
        let mut problems = Vec::new();
        for d in desired {
            for g in d
                .fields
                .get(names::GROUPS)
                .and_then(Value::as_set)
                .into_iter()
                .flatten()
            {
                if g == EVERYONE {
                    problems.push(Problem::at(
                        d.origin.clone(),
                        format!(
                            "user {}: every user is in {EVERYONE}; leave it out of `groups`",
                            d.key
                        ),
                    ));
                } else if !lock.by_name.contains_key(g) {
                    problems.push(Problem::at(
                        d.origin.clone(),
                        format!(
                            "user {}: unknown group {g:?} (the organisation has: {})",
                            d.key,
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        problems
    }

    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        let email = text(&create.fields, names::EMAIL).unwrap_or_default();
        let users = self.list(Some(&email)).await?;
        Ok(users
            .into_iter()
            .map(|u| self.to_actual(u))
            .find(|a| a.key == create.user.key))
    }

    async fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        let f = &create.fields;
        let email = text(f, names::EMAIL).unwrap_or_default();
        let groups = f
            .get(names::GROUPS)
            .and_then(Value::as_set)
            .cloned()
            .unwrap_or_default();
        let id = self.guid_for(&create.user.key);
        let mut body = json!({
            "id": id,
            "userName": text(f, names::USER_NAME).unwrap_or_else(|| email.clone()),
            "email": email,
            "name": text(f, names::NAME),
            "surname": text(f, names::SURNAME),
            "partitionGlobalId": self.s.partition_global_id,
            "groupIDs": self.group_ids(&groups)?,
        });
        if let Some(p) = &password {
            // Masked too, should the vendor quote the request in an error.
            self.http.conceal(p);
            body["password"] = Json::String(p.expose_secret().to_string());
        }
        let url = self.api("User");
        self.call(
            EP_CREATE,
            Method::POST,
            url,
            Some(body),
            Repeat::Unsafe,
            |s, b| wire::identity_result(EP_CREATE, s, b),
        )
        .await
        .map_err(|e| {
            let needed = if groups.is_empty() {
                Needed::Scope("User", "Write")
            } else {
                Needed::PartitionAdmin("creating a user in a group")
            };
            self.denied(e, needed)
        })?;
        // There is no isActive on create: a user declared inactive is switched off next. The
        // user exists by then, so a stop there is not "nothing happened".
        if f.get(names::ACTIVE) == Some(&Value::Bool(false)) {
            self.put(&id, json!({ "isActive": false }))
                .await
                .map_err(ProviderError::after_write)?;
        }
        Ok(Applied::Confirmed)
    }

    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        let mut body = serde_json::Map::new();
        for c in &update.changes {
            match (c.field.as_str(), &c.to) {
                (names::NAME, Value::Text(v)) => drop(body.insert("name".into(), json!(v))),
                (names::SURNAME, Value::Text(v)) => drop(body.insert("surname".into(), json!(v))),
                (names::EMAIL, Value::Text(v)) => drop(body.insert("email".into(), json!(v))),
                (names::ACTIVE, Value::Bool(v)) => drop(body.insert("isActive".into(), json!(v))),
                (names::GROUPS, Value::Set(want)) => {
                    let have = c
                        .from
                        .as_ref()
                        .and_then(Value::as_set)
                        .cloned()
                        .unwrap_or_default();
                    let add: Set = want.difference(&have).cloned().collect();
                    let remove: Set = have.difference(want).cloned().collect();
                    body.insert("groupIDsToAdd".into(), json!(self.group_ids(&add)?));
                    body.insert("groupIDsToRemove".into(), json!(self.group_ids(&remove)?));
                }
                (other, _) => {
                    return Err(ProviderError::Invalid(format!(
                        "uipath cannot update {other}"
                    )));
                }
            }
        }
        self.put(update.user.vendor_id(), Json::Object(body)).await
    }

    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        Err(ProviderError::Invalid(format!(
            "uipath group membership changes go through user updates, not {}",
            change.field
        )))
    }

    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        let url = self.api(&format!("User/{}", user.vendor_id()));
        self.call(
            EP_DELETE,
            Method::DELETE,
            url,
            None,
            Repeat::Safe,
            |s, b| wire::deleted(EP_DELETE, s, b),
        )
        .await
        .map(|()| Applied::Confirmed)
        .map_err(|e| self.denied(e, Needed::Scope("User", "Write")))
    }
}
