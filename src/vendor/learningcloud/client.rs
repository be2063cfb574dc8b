//! The Netex learningCloud client: list users page by page, create, update, switch on or off,
//! delete, all under `…/integration/ws/management/rest/users`.
//!
//! Every request carries the token header (marked sensitive, never logged) and the vendor's
//! `Accept`; writes carry `X-Cloud-Synchronization` from the config. An update sends the
//! vendor's whole record as the list showed it at plan time (kept here by id, read again by id
//! when missing) with only the managed changes made (`record`), right whether the vendor's PUT
//! replaces or merges. A change of `enabled` alone goes through the activate/deactivate
//! services, which need no core fields (users roster does not manage may lack them); with
//! other changes it rides in the update body. Paging is told from the answers (`paging`,
//! `list`). JSON shapes stay in `wire`.

mod doctor;
mod fields;
mod list;
pub(crate) mod paging;
mod probe;
mod record;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::config::Limits;
use crate::model::{ActualUser, DesiredUser, Value};
use crate::plan::{Create, Membership, Update, UserRef};
use crate::vendor::http::{Http, Repeat, Stats};
use crate::vendor::learningcloud::names;
use crate::vendor::stop::Stop;
use crate::vendor::{Applied, Provider, ProviderError};

use fields::{create_body, text, to_actual};
use paging::Counting;
use wire::Listed;

pub struct LearningCloud {
    http: Http,
    base: Url,
    /// `X-Cloud-Auth-Token`, marked sensitive so that it never shows in debug output.
    token: HeaderValue,
    synchronous: bool,
    /// Each listed user's whole record (compact JSON) by id, from the last fetch: what an
    /// update sends back.
    records: Mutex<HashMap<String, Box<str>>>,
    /// How the last list found `startIndex` counting, when it passed one page.
    counting: Mutex<Option<Counting>>,
    /// How doctor found it counting, when it has run.
    expected: Mutex<Option<Counting>>,
}

const MEDIA_TYPE: &str = "application/vnd.netex.nlc-api+json";
const TOKEN_HEADER: &str = "x-cloud-auth-token";
const SYNC_HEADER: &str = "x-cloud-synchronization";
/// The most users one list call returns ("default and limit 500").
const PAGE: usize = 500;

// Endpoint names for errors and request counts: the path template, never a user's name.
const LIST: &str = "GET /users";
const GET: &str = "GET /users/{id}";
const CREATE: &str = "POST /users";
const UPDATE: &str = "PUT /users/{id}";
const DELETE: &str = "DELETE /users/{id}";
const ACTIVATE: &str = "PUT /users/{id}/activate";
const DEACTIVATE: &str = "PUT /users/{id}/deactivate";

impl LearningCloud {
    pub fn new(
        base: Url,
        token: SecretString,
        synchronous: bool,
        limits: &Limits,
        stats: Arc<Stats>,
        stop: Stop,
    ) -> Result<Self, ProviderError> {
        let http = Http::new(limits, stats, stop)?;
        http.conceal(&token);
        let mut token = HeaderValue::from_str(token.expose_secret().trim()).map_err(|_| {
            ProviderError::Invalid("token: not usable as an HTTP header value".into())
        })?;
        token.set_sensitive(true);
        if base.cannot_be_a_base() {
            return Err(ProviderError::Invalid(format!(
                "{base} cannot be a base URL"
            )));
        }
        Ok(LearningCloud {
            http,
            base,
            token,
            synchronous,
            records: Mutex::new(HashMap::new()),
            counting: Mutex::new(None),
            expected: Mutex::new(None),
        })
    }

    /// `base/users/<segments…>`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("users").extend(segments);
        }
        url
    }

    fn request(
        &self,
        client: &reqwest::Client,
        method: Method,
        url: &Url,
        body: Option<&[u8]>,
    ) -> reqwest::RequestBuilder {
        let write = method != Method::GET;
        let mut rb = client
            .request(method, url.clone())
            .header(ACCEPT, MEDIA_TYPE)
            .header(TOKEN_HEADER, self.token.clone());
        if write {
            let mode = if self.synchronous {
                "synchronous"
            } else {
                "asynchronous"
            };
            rb = rb.header(SYNC_HEADER, mode);
        }
        if let Some(body) = body {
            rb = rb
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        rb
    }

    /// One write whose answer is the result envelope.
    async fn write(
        &self,
        endpoint: &'static str,
        repeat: Repeat,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Applied, ProviderError> {
        self.http
            .send(
                endpoint,
                repeat,
                |client| self.request(client, method.clone(), &url, body.as_deref()),
                |status, text| wire::written(endpoint, status, text),
            )
            .await
    }

    async fn page(&self, start: usize, count: usize) -> Result<Vec<Listed>, ProviderError> {
        let mut url = self.url(&[]);
        url.query_pairs_mut()
            .append_pair("startIndex", &start.to_string())
            .append_pair("count", &count.to_string());
        self.http
            .send(
                LIST,
                Repeat::Safe,
                |client| self.request(client, Method::GET, &url, None),
                |status, body| wire::users(LIST, status, body),
            )
            .await
    }

    /// One user by id or username, with its whole record.
    async fn get(&self, id_or_username: &str) -> Result<Option<Listed>, ProviderError> {
        let url = self.url(&[id_or_username]);
        self.http
            .send(
                GET,
                Repeat::Safe,
                |client| self.request(client, Method::GET, &url, None),
                |status, body| wire::user(GET, status, body),
            )
            .await
    }

    /// The record an update of `update`'s user starts from: the one listed at plan time, or
    /// the vendor's current one when this client did not list it.
    async fn record(&self, update: &Update) -> Result<Box<str>, ProviderError> {
        let id = update.user.vendor_id();
        let kept = self.lock_records().get(id).cloned();
        if let Some(record) = kept {
            return Ok(record);
        }
        match self.get(id).await? {
            Some(found) => Ok(found.record),
            None => Err(ProviderError::Invalid(format!(
                "learningcloud has no user {id} ({}) any more",
                update.user.key
            ))),
        }
    }

    fn lock_records(&self) -> std::sync::MutexGuard<'_, HashMap<String, Box<str>>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Switches a user on or off through the activate/deactivate services.
    async fn switch(&self, id: &str, on: bool) -> Result<Applied, ProviderError> {
        let (endpoint, action) = if on {
            (ACTIVATE, "activate")
        } else {
            (DEACTIVATE, "deactivate")
        };
        let url = self.url(&[id, action]);
        self.write(endpoint, Repeat::Safe, Method::PUT, url, None)
            .await
    }
}

impl Provider for LearningCloud {
    /// The fetch lists every user whatever the manifests say.
    fn fetch_scope(&self, _desired: &[DesiredUser]) -> Option<String> {
        Some(String::new())
    }

    /// Every user of the tenant (see `list`); each one's whole record is kept for updates.
    async fn fetch(&self, _desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        let listing = self.list().await?;
        let expected = *self.expected.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(now), Some(was)) = (listing.counting, expected)
            && now != was
        {
            tracing::warn!(
                "learningcloud: {now} now, but when doctor ran, {was}; the list follows what it told now"
            );
        }
        *self.counting.lock().unwrap_or_else(|e| e.into_inner()) = listing.counting;
        let mut records = HashMap::with_capacity(listing.users.len());
        let mut users = Vec::with_capacity(listing.users.len());
        for Listed { user, record } in listing.users {
            records.insert(user.id.trim().to_string(), record);
            users.push(to_actual(user));
        }
        *self.lock_records() = records;
        users.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(users)
    }

    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        let username = text(&create.fields, names::USERNAME).unwrap_or(&create.user.key);
        let found = self.get(username).await?;
        Ok(found
            .map(|l| to_actual(l.user))
            .filter(|a| a.key == create.user.key))
    }

    async fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        if let Some(p) = &password {
            // Masked too, should the vendor quote the request in an error.
            self.http.conceal(p);
        }
        let body = wire::body(&create_body(
            &create.fields,
            password.as_ref().map(ExposeSecret::expose_secret),
        ));
        let url = self.url(&[]);
        self.write(CREATE, Repeat::Unsafe, Method::POST, url, Some(body))
            .await
    }

    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        let id = update.user.vendor_id();
        if let [only] = update.changes.as_slice()
            && only.field == names::ENABLED
            && let Value::Bool(on) = only.to
        {
            return self.switch(id, on).await;
        }
        let record = self.record(update).await?;
        let body = record::update_body(&record, update)?;
        let url = self.url(&[id]);
        self.write(UPDATE, Repeat::Safe, Method::PUT, url, Some(body))
            .await
    }

    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        Err(ProviderError::Invalid(format!(
            "learningcloud has no membership field {}",
            change.field
        )))
    }

    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        let url = self.url(&[user.vendor_id()]);
        self.http
            .send(
                DELETE,
                Repeat::Safe,
                |client| self.request(client, Method::DELETE, &url, None),
                |status, text| wire::deleted(DELETE, status, text),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_usernames() {
        let lc = LearningCloud::new(
            "https://acme.learningcloud.me/integration/ws/management/rest/"
                .parse()
                .unwrap(),
            SecretString::from("t"),
            true,
            &Limits {
                timeout: std::time::Duration::from_secs(1),
                concurrency: 1,
                rate_limit: None,
                max_attempts: 1,
                max_answer_size: 1 << 20,
            },
            Arc::default(),
            Stop::default(),
        )
        .unwrap();
        assert_eq!(
            lc.url(&["a b?", "activate"]).as_str(),
            "https://acme.learningcloud.me/integration/ws/management/rest/users/a%20b%3F/activate"
        );
    }
}
