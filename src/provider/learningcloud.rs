//! The Netex learningCloud client: list users page by page, create, update, switch on or off,
//! delete, all under `…/integration/ws/management/rest/users`.
//!
//! Every request carries the token header (marked sensitive, never logged) and the vendor's
//! `Accept`; writes carry `X-Cloud-Synchronization` from the config. An update must resend the
//! core fields (name, surname, language, timezone, email, username), so the unchanged ones come
//! from the vendor's record at plan time. A change of `enabled` alone goes through the
//! activate/deactivate services, which need no core fields (users roster does not manage may
//! lack them); with other changes it rides in the update body. JSON shapes stay in `wire`.

mod wire;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};

use super::http::{Http, Repeat, Stats};
use super::{Applied, Provider, ProviderError};
use crate::config::Limits;
use crate::model::{ActualUser, DesiredUser, Value, normalise_key};
use crate::plan::{Create, Membership, Update, UserRef};
use crate::vendor::learningcloud::names;

use wire::{UserOut, WireUser};

pub struct LearningCloud {
    http: Http,
    base: Url,
    /// `X-Cloud-Auth-Token`, marked sensitive so that it never shows in debug output.
    token: HeaderValue,
    synchronous: bool,
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

/// The fields every update must carry.
const CORE: [&str; 6] = [
    names::NAME,
    names::SURNAME,
    names::LANGUAGE,
    names::TIMEZONE,
    names::EMAIL,
    names::USERNAME,
];

impl LearningCloud {
    pub fn new(
        base: Url,
        token: SecretString,
        synchronous: bool,
        limits: &Limits,
        stats: Arc<Stats>,
    ) -> Result<Self, ProviderError> {
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
            http: Http::new(limits, stats)?,
            base,
            token,
            synchronous,
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

    async fn page(&self, start: usize) -> Result<Vec<WireUser>, ProviderError> {
        let mut url = self.url(&[]);
        url.query_pairs_mut()
            .append_pair("startIndex", &start.to_string())
            .append_pair("count", &PAGE.to_string());
        self.http
            .send(
                LIST,
                Repeat::Safe,
                |client| self.request(client, Method::GET, &url, None),
                |status, body| wire::users(LIST, status, body),
            )
            .await
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

fn to_actual(u: WireUser) -> ActualUser {
    let mut fields = BTreeMap::new();
    let mut text = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.insert(name.to_string(), Value::Text(v));
        }
    };
    text(names::USERNAME, Some(u.username.trim().to_string()));
    text(names::EMAIL, u.email);
    text(names::NAME, u.name);
    text(names::SURNAME, u.surname);
    text(names::LANGUAGE, u.language);
    text(names::TIMEZONE, u.timezone);
    text(names::EXTERNAL_ID, u.external_id.filter(|e| !e.is_empty()));
    fields.insert(names::ENABLED.to_string(), Value::Bool(u.enabled));
    let roles: BTreeSet<String> = u
        .roles
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(section, roles)| {
            roles
                .unwrap_or_default()
                .into_iter()
                .map(move |role| format!("{section}:{role}"))
        })
        .collect();
    fields.insert(names::ROLES.to_string(), Value::Set(roles));
    let extended: BTreeMap<String, String> = u
        .extended_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    fields.insert(names::EXTENDED_FIELDS.to_string(), Value::Map(extended));
    ActualUser {
        id: u.id.trim().to_string(),
        key: normalise_key(&u.username),
        fields,
    }
}

/// `section:role` strings back into the vendor's map of section → roles.
fn roles_map(set: &BTreeSet<String>) -> BTreeMap<&str, Vec<&str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for item in set {
        if let Some((section, role)) = item.split_once(':') {
            map.entry(section).or_default().push(role);
        }
    }
    map
}

fn extended_map(map: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn text<'a>(fields: &'a BTreeMap<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_text)
}

/// The `user` of a create: every managed field the manifest sets, and the password if given.
fn create_body<'a>(fields: &'a BTreeMap<String, Value>, password: Option<&'a str>) -> UserOut<'a> {
    UserOut {
        username: text(fields, names::USERNAME),
        password,
        name: text(fields, names::NAME),
        surname: text(fields, names::SURNAME),
        language: text(fields, names::LANGUAGE),
        timezone: text(fields, names::TIMEZONE),
        email: text(fields, names::EMAIL),
        enabled: match fields.get(names::ENABLED) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        },
        roles: fields
            .get(names::ROLES)
            .and_then(Value::as_set)
            .map(roles_map),
        external_id: text(fields, names::EXTERNAL_ID),
        extended_fields: match fields.get(names::EXTENDED_FIELDS) {
            Some(Value::Map(m)) => Some(extended_map(m)),
            _ => None,
        },
    }
}

/// The `user` of an update: the core fields always (changed ones from the plan, the others
/// from the vendor's record), plus the optional fields that change.
fn update_body(update: &Update) -> Result<UserOut<'_>, ProviderError> {
    let mut out = UserOut::default();
    for c in &update.changes {
        let field = c.field.as_str();
        match (field, &c.to) {
            (f, Value::Text(_)) if CORE.contains(&f) => {}
            (f, Value::Bool(on)) if f == names::ENABLED => out.enabled = Some(*on),
            (f, Value::Set(set)) if f == names::ROLES => out.roles = Some(roles_map(set)),
            (f, Value::Text(id)) if f == names::EXTERNAL_ID => out.external_id = Some(id),
            (f, Value::Map(map)) if f == names::EXTENDED_FIELDS => {
                out.extended_fields = Some(extended_map(map));
            }
            (f, v) => {
                return Err(ProviderError::Invalid(format!(
                    "learningcloud cannot set {f} to {v}"
                )));
            }
        }
    }
    let core = |field: &str| -> Result<&str, ProviderError> {
        update
            .changes
            .iter()
            .find(|c| c.field == field)
            .map(|c| &c.to)
            .or_else(|| update.actual.get(field))
            .and_then(Value::as_text)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                ProviderError::Invalid(format!(
                    "learningcloud needs {field} on every update, and neither the plan nor the vendor's record has one for {}",
                    update.user.key
                ))
            })
    };
    out.name = Some(core(names::NAME)?);
    out.surname = Some(core(names::SURNAME)?);
    out.language = Some(core(names::LANGUAGE)?);
    out.timezone = Some(core(names::TIMEZONE)?);
    out.email = Some(core(names::EMAIL)?);
    out.username = Some(core(names::USERNAME)?);
    Ok(out)
}

impl Provider for LearningCloud {
    /// Every user of the tenant, `PAGE` at a time until a short page.
    async fn fetch(&self, _desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        let mut users = Vec::new();
        let mut seen = HashSet::new();
        let mut start = 0;
        loop {
            let page = self.page(start).await?;
            let n = page.len();
            let mut new = 0;
            for u in page {
                let a = to_actual(u);
                if seen.insert(a.id.clone()) {
                    users.push(a);
                    new += 1;
                }
            }
            if n < PAGE {
                break;
            }
            if new == 0 {
                return Err(ProviderError::Malformed {
                    endpoint: LIST.to_string(),
                    detail: format!(
                        "the page at startIndex={start} repeats users already listed (paging ignored?)"
                    ),
                });
            }
            start += n;
        }
        users.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(users)
    }

    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        let username = text(&create.fields, names::USERNAME).unwrap_or(&create.user.key);
        let url = self.url(&[username]);
        let found = self
            .http
            .send(
                GET,
                Repeat::Safe,
                |client| self.request(client, Method::GET, &url, None),
                |status, body| wire::user(GET, status, body),
            )
            .await?;
        Ok(found.map(to_actual).filter(|a| a.key == create.user.key))
    }

    async fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
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
        let body = wire::body(&update_body(update)?);
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
        match self
            .write(DELETE, Repeat::Safe, Method::DELETE, url, None)
            .await
        {
            // Already gone (e.g. an earlier attempt whose answer was lost): the goal is met.
            Err(ProviderError::Vendor { status: 404, .. }) => Ok(Applied::Confirmed),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::FieldChange;

    fn actual() -> BTreeMap<String, Value> {
        let wire: Vec<WireUser> = serde_json::from_str(
            r#"[{"id":"ff8081818d2e4a010000000000000001","username":"Rest.User","email":"rest@acme.example",
            "name":"Rest","surname":"User","language":"en","timezone":"Europe/Madrid","enabled":true,
            "roles":{"management":["user"],"training":null},"externalId":null,
            "extendedFields":{"costCenter":"CC-1","department":null}}]"#,
        )
        .unwrap();
        let a = to_actual(wire.into_iter().next().unwrap());
        assert_eq!(a.key, "rest.user");
        a.fields
    }

    fn change(field: &str, to: Value) -> FieldChange {
        FieldChange {
            user: UserRef::default(),
            field: field.into(),
            from: None,
            to,
        }
    }

    #[test]
    fn vendor_record_into_fields() {
        let f = actual();
        assert_eq!(f["roles"], Value::set(["management:user"]));
        assert_eq!(
            f["extended_fields"],
            Value::Map([("costCenter".to_string(), "CC-1".to_string())].into())
        );
        assert!(!f.contains_key("external_id"), "null is unset");
        assert_eq!(f["enabled"], Value::Bool(true));
    }

    #[test]
    fn update_resends_the_core_fields_and_only_the_changed_others() {
        let update = Update {
            user: UserRef::default(),
            changes: vec![
                change("username", Value::text("rest.user2")),
                change(
                    "roles",
                    Value::set(["management:admin", "training:trainer"]),
                ),
                change(
                    "extended_fields",
                    Value::Map([("department".to_string(), "Sales".to_string())].into()),
                ),
                change("enabled", Value::Bool(false)),
            ],
            actual: actual(),
        };
        let body = String::from_utf8(wire::body(&update_body(&update).unwrap())).unwrap();
        assert_eq!(
            body,
            r#"{"user":{"username":"rest.user2","name":"Rest","surname":"User","language":"en","timezone":"Europe/Madrid","email":"rest@acme.example","enabled":false,"roles":{"management":["admin"],"training":["trainer"]},"extendedFields":{"department":"Sales"}}}"#
        );
    }

    #[test]
    fn update_without_a_core_field_is_refused_before_sending() {
        let mut record = actual();
        record.remove("surname");
        let update = Update {
            user: UserRef {
                key: "rest.user".into(),
                ..UserRef::default()
            },
            changes: vec![change("name", Value::text("Ana"))],
            actual: record,
        };
        let e = update_body(&update).unwrap_err();
        assert_eq!(
            e.to_string(),
            "learningcloud needs surname on every update, and neither the plan nor the vendor's record has one for rest.user"
        );
    }

    #[test]
    fn create_sends_every_managed_field_and_the_password() {
        let fields = BTreeMap::from([
            ("username".to_string(), Value::text("ana")),
            ("email".to_string(), Value::text("ana@x.example")),
            ("enabled".to_string(), Value::Bool(true)),
            ("external_id".to_string(), Value::text("HR-1")),
        ]);
        let body = String::from_utf8(wire::body(&create_body(&fields, Some("pw")))).unwrap();
        assert_eq!(
            body,
            r#"{"user":{"username":"ana","password":"pw","email":"ana@x.example","enabled":true,"externalId":"HR-1"}}"#
        );
    }

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
            },
            Arc::default(),
        )
        .unwrap();
        assert_eq!(
            lc.url(&["a b?", "activate"]).as_str(),
            "https://acme.learningcloud.me/integration/ws/management/rest/users/a%20b%3F/activate"
        );
    }
}
