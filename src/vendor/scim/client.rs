//! The SCIM client: discovery once per run (`/ServiceProviderConfig`, safe defaults without
//! it), users and groups listed page by page, create, update (PATCH, or GET then PUT), group
//! membership (PATCH, or GET then PUT), deactivate, delete.
//!
//! Every request carries the bearer token (marked sensitive, never logged, masked in every
//! error). Group names in manifests are resolved to ids through the group list fetched with
//! the users; the planner only ever sees names. Wire shapes stay in `wire` (reading) and
//! `body` (writing).
//!
//! Complexity: `fetch` is one discovery request, ⌈n / page⌉ user pages, ⌈g / page⌉ group
//! pages, and one read per group in play whose members the list left out; O(n + members) to
//! convert, O(n log n) to sort. A write is one request, or two (GET then PUT or PATCH) where
//! a whole resource must be read first; a membership change is one PATCH per 100 members.

mod body;
mod convert;
mod discovery;
mod list;
mod wire;
mod write;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, IF_MATCH};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value as Json;

use crate::config::Limits;
use crate::diag::Problem;
use crate::model::{ActualUser, DesiredUser, Value, normalise_key};
use crate::plan::{Create, Membership, Update, UserRef};
use crate::vendor::http::{Http, Repeat, Stats};
use crate::vendor::scim::{PatchMode, names};
use crate::vendor::stop::Stop;
use crate::vendor::{Applied, Provider, ProviderError};

use discovery::Features;

/// Settings for [`Scim::new`].
pub struct Settings {
    pub base: Url,
    pub token: SecretString,
    pub page_size: u64,
    pub patch: PatchMode,
}

pub struct Scim {
    http: Http,
    base: Url,
    /// `Bearer …`, marked sensitive so that it never shows in debug output.
    auth: HeaderValue,
    page_size: u64,
    patch: PatchMode,
    features: tokio::sync::OnceCell<Features>,
    /// Group displayName → the ids of the groups of that name, from the last fetch.
    groups: Mutex<HashMap<String, Vec<String>>>,
}

const MEDIA_TYPE: &str = "application/scim+json";

// Endpoint names for errors and request counts: the path template, never a user's name.
const EP_CONFIG: &str = "GET /ServiceProviderConfig";
const EP_USERS: &str = "GET /Users";
const EP_USER: &str = "GET /Users/{id}";
const EP_CREATE: &str = "POST /Users";
const EP_PATCH_USER: &str = "PATCH /Users/{id}";
const EP_PUT_USER: &str = "PUT /Users/{id}";
const EP_DELETE: &str = "DELETE /Users/{id}";
const EP_GROUPS: &str = "GET /Groups";
const EP_GROUP: &str = "GET /Groups/{id}";
const EP_PATCH_GROUP: &str = "PATCH /Groups/{id}";
const EP_PUT_GROUP: &str = "PUT /Groups/{id}";

/// One request: where it goes, what it carries.
pub(super) struct Request<'a> {
    endpoint: &'static str,
    method: Method,
    url: Url,
    body: Option<&'a Json>,
    if_match: Option<&'a str>,
    repeat: Repeat,
}

impl Scim {
    pub fn new(
        s: Settings,
        limits: &Limits,
        stats: Arc<Stats>,
        stop: Stop,
    ) -> Result<Self, ProviderError> {
        let http = Http::new(limits, stats, stop)?;
        http.conceal(&s.token);
        let bearer = format!("Bearer {}", s.token.expose_secret().trim());
        let mut auth = HeaderValue::from_str(&bearer).map_err(|_| {
            ProviderError::Invalid("token: not usable as an HTTP header value".into())
        })?;
        auth.set_sensitive(true);
        if s.base.cannot_be_a_base() {
            return Err(ProviderError::Invalid(format!(
                "{} cannot be a base URL",
                s.base
            )));
        }
        Ok(Scim {
            http,
            base: s.base,
            auth,
            page_size: s.page_size.max(1),
            patch: s.patch,
            features: tokio::sync::OnceCell::new(),
            groups: Mutex::new(HashMap::new()),
        })
    }

    /// `base/<segments…>?<query>`, each segment percent-encoded.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    async fn send<T>(
        &self,
        r: Request<'_>,
        parse: impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        // Serialising a JSON value cannot fail.
        let bytes = r.body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        // A version the server gave that is no header value is not sent back.
        let if_match = r.if_match.and_then(|v| HeaderValue::from_str(v).ok());
        self.http
            .send(
                r.endpoint,
                r.repeat,
                |c| {
                    let mut rb = c
                        .request(r.method.clone(), r.url.clone())
                        .header(AUTHORIZATION, self.auth.clone())
                        .header(ACCEPT, "application/scim+json, application/json");
                    if let Some(v) = &if_match {
                        rb = rb.header(IF_MATCH, v.clone());
                    }
                    if let Some(b) = &bytes {
                        rb = rb.header(CONTENT_TYPE, MEDIA_TYPE).body(b.clone());
                    }
                    rb
                },
                parse,
            )
            .await
    }

    /// What the server supports, discovered on first use.
    async fn features(&self) -> Result<&Features, ProviderError> {
        self.features.get_or_try_init(|| self.discover()).await
    }

    /// Whether updates and membership changes use PATCH.
    async fn patch(&self) -> Result<bool, ProviderError> {
        Ok(match self.patch {
            PatchMode::Always => true,
            PatchMode::Never => false,
            PatchMode::Auto => self.features().await?.patch,
        })
    }

    /// The id of the group named `name`, from the last fetch.
    fn group_id(&self, name: &str) -> Result<String, ProviderError> {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        match groups.get(name).map(Vec::as_slice) {
            Some([id]) => Ok(id.clone()),
            Some([_, _, ..]) => Err(ProviderError::Invalid(format!(
                "more than one group is named {name:?}"
            ))),
            _ => Err(ProviderError::Invalid(format!("unknown group {name:?}"))),
        }
    }
}

/// The user name a create sets, as the manifest spells it.
fn user_name(create: &Create) -> &str {
    create
        .fields
        .get(names::USER_NAME)
        .and_then(Value::as_text)
        .unwrap_or(&create.user.key)
}

/// The group names a desired user lists.
fn groups_of(d: &DesiredUser) -> impl Iterator<Item = &String> {
    d.fields
        .get(names::GROUPS)
        .and_then(Value::as_set)
        .into_iter()
        .flatten()
}

impl Provider for Scim {
    async fn fetch(&self, desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        self.features().await?;
        let in_play: BTreeSet<&str> = desired
            .iter()
            .flat_map(groups_of)
            .map(String::as_str)
            .collect();
        // With no user desired (import), every group is in play.
        let memberships = self.load_groups(desired.is_empty(), &in_play).await?;
        // userName is case-insensitive (caseExact false): a user name that differs from the
        // manifest's in case alone is the manifest's, not a change.
        let spelt: HashMap<&str, &str> = desired
            .iter()
            .filter_map(|d| Some((d.key.as_str(), d.fields.get(names::USER_NAME)?.as_text()?)))
            .collect();
        let mut out: Vec<ActualUser> = self
            .list_users()
            .await?
            .into_iter()
            .map(|u| convert::to_actual(u, &memberships))
            .map(|mut a| {
                if let Some(name) = spelt.get(a.key.as_str()) {
                    let same = a.fields.get(names::USER_NAME).and_then(Value::as_text);
                    if same.is_some_and(|n| normalise_key(n) == normalise_key(name)) {
                        a.fields.insert(names::USER_NAME, Value::text(*name));
                    }
                }
                a
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn check(&self, desired: &[DesiredUser]) -> Vec<Problem> {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let mut known: Vec<&str> = groups.keys().map(String::as_str).collect();
        known.sort_unstable();
        let mut problems = Vec::new();
        for d in desired {
            for g in groups_of(d) {
                let message = match groups.get(g).map(Vec::len) {
                    Some(1) => continue,
                    Some(n) => format!("user {}: {n} groups are named {g:?}", d.key),
                    None => format!(
                        "user {}: unknown group {g:?} (the server has: {})",
                        d.key,
                        known.join(", ")
                    ),
                };
                problems.push(Problem::at(d.origin.clone(), message));
            }
        }
        problems
    }

    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        let found = self.find_user(user_name(create)).await?;
        Ok(found.map(|u| convert::to_actual(u, &HashMap::new())))
    }

    async fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        self.create_user(create, password).await
    }

    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        self.update_user(update).await
    }

    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        if change.field != names::GROUPS {
            return Err(ProviderError::Invalid(format!(
                "scim has no membership field {}",
                change.field
            )));
        }
        let id = self.group_id(&change.collection)?;
        let ids = |users: &[UserRef]| -> Vec<String> {
            users.iter().map(|u| u.vendor_id().to_string()).collect()
        };
        self.change_members(&id, &ids(&change.join), &ids(&change.leave))
            .await
    }

    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        self.delete_user(user.vendor_id()).await
    }
}
