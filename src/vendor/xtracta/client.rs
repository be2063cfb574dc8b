//! The Xtracta client: users in scope by group, create, update, workflow membership, delete.
//!
//! Every call is a form POST with the API key as a form field (never in the URL); answers are
//! XML read by `wire`. Workflow membership of existing users changes through
//! `/v1/workflow/update`, which replaces a workflow's member set: the current members are
//! listed first and sent back, so that members roster does not manage are never dropped.
//!
//! Every add names its `group_id` and every list its filter (`group_id` or `workflow_id`):
//! the documents give the API key its own group, which an add "for specific workflows" joins
//! and a list with neither filter shows, and naming the group makes roster right whether or
//! not the vendor works that way. Doctor lists without a filter to report the key's group.
//!
//! Complexity: `fetch` is one list per group in play, O(n) to read and convert n users (a hash
//! map drops duplicates) and O(n log n) to sort them by key; a membership change lists the
//! workflow's m members once, O(m log m); every other write is one request.

mod doctor;
mod probe;
mod wire;

use std::collections::BTreeSet;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::config::Limits;
use crate::model::{ActualUser, DesiredUser, Fields, Set, Value, normalise_key};
use crate::plan::{Create, Membership, Update, UserRef};
use crate::vendor::http::{Http, Repeat, Stats};
use crate::vendor::stop::Stop;
use crate::vendor::xtracta::names;
use crate::vendor::{Applied, Provider, ProviderError};

use wire::WireUser;

pub struct Xtracta {
    http: Http,
    base: reqwest::Url,
    api_key: SecretString,
    group_id: u64,
}

const LIST: &str = "/v1/user";
const ADD: &str = "/v1/user/add";
const UPDATE: &str = "/v1/user/update";
const DELETE: &str = "/v1/user/delete";
const WORKFLOW_UPDATE: &str = "/v1/workflow/update";

impl Xtracta {
    pub fn new(
        base: reqwest::Url,
        api_key: SecretString,
        group_id: u64,
        limits: &Limits,
        stats: Arc<Stats>,
        stop: Stop,
    ) -> Result<Self, ProviderError> {
        let http = Http::new(limits, stats, stop)?;
        http.conceal(&api_key);
        Ok(Xtracta {
            http,
            base,
            api_key,
            group_id,
        })
    }

    /// The URL of an endpoint such as `/v1/user`, below the configured base (which ends in `/v1`).
    fn url(&self, endpoint: &str) -> reqwest::Url {
        let mut url = self.base.clone();
        let base_path = url
            .path()
            .trim_end_matches('/')
            .trim_end_matches("/v1")
            .to_string();
        url.set_path(&format!("{base_path}{endpoint}"));
        url
    }

    /// A form POST with the API key, its answer read by `parse`.
    async fn send<T>(
        &self,
        endpoint: &'static str,
        repeat: Repeat,
        params: Vec<(&'static str, String)>,
        parse: impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let url = self.url(endpoint);
        self.http
            .send(
                endpoint,
                repeat,
                |client| {
                    let mut form: Vec<(&str, &str)> =
                        vec![("api_key", self.api_key.expose_secret())];
                    form.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
                    client.post(url.clone()).form(&form)
                },
                parse,
            )
            .await
    }

    async fn post(
        &self,
        endpoint: &'static str,
        root: &'static str,
        repeat: Repeat,
        params: Vec<(&'static str, String)>,
    ) -> Result<Vec<WireUser>, ProviderError> {
        self.send(endpoint, repeat, params, |status, body| {
            wire::parse(endpoint, root, status, body)
        })
        .await
    }

    async fn list(&self, by: &'static str, id: &str) -> Result<Vec<WireUser>, ProviderError> {
        self.post(
            LIST,
            "user_response",
            Repeat::Safe,
            vec![(by, id.to_string())],
        )
        .await
    }

    fn groups_in_play(&self, desired: &[DesiredUser]) -> BTreeSet<String> {
        let mut groups = BTreeSet::from([self.group_id.to_string()]);
        for d in desired {
            if let Some(Value::Text(g)) = d.fields.get(names::GROUP_ID) {
                groups.insert(g.clone());
            }
        }
        groups
    }

    fn group_of(&self, fields: &Fields) -> String {
        match fields.get(names::GROUP_ID) {
            Some(Value::Text(g)) => g.clone(),
            _ => self.group_id.to_string(),
        }
    }
}

fn to_actual(u: WireUser) -> ActualUser {
    let mut fields = Fields::new();
    let workflows: Set = u.workflows().collect();
    fields.insert(names::WORKFLOWS, Value::Set(workflows));
    if let Some(g) = &u.primary_group_id {
        fields.insert(names::GROUP_ID, Value::text(g.trim()));
    }
    fields.insert(names::NAME, Value::text(u.name.unwrap_or_default()));
    fields.insert(names::EMAIL, Value::text(u.email_address.trim()));
    ActualUser {
        id: u.user_id.trim().to_string(),
        key: normalise_key(&u.email_address),
        fields,
    }
}

fn text_field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_text)
}

impl Provider for Xtracta {
    /// The groups listed: the target's and every group a desired user names.
    fn fetch_scope(&self, desired: &[DesiredUser]) -> Option<String> {
        let groups: Vec<String> = self.groups_in_play(desired).into_iter().collect();
        Some(groups.join(","))
    }

    async fn fetch(&self, desired: &[DesiredUser]) -> Result<Vec<ActualUser>, ProviderError> {
        // A user listed in several groups counts once, as first listed; a vector sorted then
        // deduplicated by id (stable, so the first stays) holds no second copy of each id.
        let mut users: Vec<ActualUser> = Vec::new();
        for group in self.groups_in_play(desired) {
            let listed = self.list("group_id", &group).await?;
            users.reserve(listed.len());
            users.extend(listed.into_iter().map(to_actual));
        }
        users.sort_by(|a, b| a.id.cmp(&b.id));
        users.dedup_by(|later, first| later.id == first.id);
        users.sort_by(|a, b| a.key.cmp(&b.key));
        users.shrink_to_fit();
        Ok(users)
    }

    async fn find(&self, create: &Create) -> Result<Option<ActualUser>, ProviderError> {
        let group = self.group_of(&create.fields);
        let users = self.list("group_id", &group).await?;
        Ok(users
            .into_iter()
            .map(to_actual)
            .find(|a| a.key == create.user.key))
    }

    async fn create(
        &self,
        create: &Create,
        password: Option<SecretString>,
    ) -> Result<Applied, ProviderError> {
        let f = &create.fields;
        let mut params = vec![
            (
                "name",
                text_field(f, names::NAME).unwrap_or_default().to_string(),
            ),
            (
                "email_address",
                text_field(f, names::EMAIL).unwrap_or_default().to_string(),
            ),
            ("group_id", self.group_of(f)),
        ];
        if let Some(w) = f.get(names::WORKFLOWS).and_then(Value::as_set)
            && !w.is_empty()
        {
            params.push((
                "workflow_ids",
                w.iter().cloned().collect::<Vec<_>>().join(","),
            ));
        }
        if let Some(p) = &password {
            // Masked too, should the vendor quote the request in an error.
            self.http.conceal(p);
            params.push(("password", p.expose_secret().to_string()));
        }
        self.post(ADD, "user_response", Repeat::Unsafe, params)
            .await
            .map(|_| Applied::Confirmed)
    }

    async fn update(&self, update: &Update) -> Result<Applied, ProviderError> {
        let mut params = vec![("user_id", update.user.vendor_id().to_string())];
        for c in &update.changes {
            let key = match c.field.as_str() {
                f if f == names::NAME => "name",
                f if f == names::EMAIL => "email_address",
                other => {
                    return Err(ProviderError::Invalid(format!(
                        "xtracta cannot update {other} through user/update"
                    )));
                }
            };
            params.push((key, c.to.as_text().unwrap_or_default().to_string()));
        }
        self.post(UPDATE, "user_response", Repeat::Safe, params)
            .await
            .map(|_| Applied::Confirmed)
    }

    async fn membership(&self, change: &Membership) -> Result<Applied, ProviderError> {
        let current = self.list("workflow_id", &change.collection).await?;
        let leave: BTreeSet<&str> = change.leave.iter().map(UserRef::vendor_id).collect();
        let mut ids: BTreeSet<String> = current
            .iter()
            .map(|u| u.user_id.trim().to_string())
            .filter(|id| !leave.contains(id.as_str()))
            .collect();
        ids.extend(change.join.iter().map(|u| u.vendor_id().to_string()));
        let mut ids: Vec<String> = ids.into_iter().collect();
        ids.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
        let params = vec![
            ("workflow_id", change.collection.clone()),
            ("user_ids", ids.join(",")),
        ];
        self.post(WORKFLOW_UPDATE, "workflow_response", Repeat::Safe, params)
            .await
            .map(|_| Applied::Confirmed)
    }

    async fn delete(&self, user: &UserRef) -> Result<Applied, ProviderError> {
        let params = vec![("user_id", user.vendor_id().to_string())];
        self.send(DELETE, Repeat::Safe, params, |status, body| {
            wire::deleted(DELETE, status, body)
        })
        .await
        .map(|()| Applied::Confirmed)
    }
}
