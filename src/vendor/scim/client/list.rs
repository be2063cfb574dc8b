//! Listing: users and groups page by page (`startIndex`/`count`) until `totalResults`, robust
//! to servers that return fewer than asked, cap `count` or ignore it; every page must bring
//! resources not seen before and the pages are bounded, so a list ends in an error rather
//! than an endless loop, and fewer distinct resources than `totalResults` is an error, never
//! a short list. Also the members of groups a list left them out of, and the look-up of one
//! user by user name (a filter, or a re-list where filters are not supported).

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::Value as Json;

use super::wire::{self, WireGroup, WireUser};
use super::{EP_GROUP, EP_GROUPS, EP_USERS, Request, Scim};
use crate::model::normalise_key;
use crate::vendor::ProviderError;
use crate::vendor::http::Repeat;
use crate::vendor::paging::Pages;
use crate::vendor::scim::{ENTERPRISE_KEYS, ENTERPRISE_URN};

/// User id → the names of the groups it is a member of.
pub(super) type Memberships = HashMap<String, BTreeSet<String>>;

/// The user attributes roster reads: only those it manages (`id` and `meta` always come).
fn user_attributes() -> String {
    let mut names: Vec<String> = [
        "userName",
        "name",
        "displayName",
        "emails",
        "active",
        "externalId",
    ]
    .map(str::to_string)
    .to_vec();
    names.extend(
        ENTERPRISE_KEYS
            .iter()
            .map(|(_, attr)| format!("{ENTERPRISE_URN}:{attr}")),
    );
    names.join(",")
}

const GROUP_ATTRIBUTES: &str = "displayName,members";

/// A filter's string literal: a JSON string.
pub(super) fn literal(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The id of a listed resource, which every resource has.
fn id_of(endpoint: &str, r: &Json) -> Result<String, ProviderError> {
    match r.get("id") {
        Some(Json::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Json::Number(n)) => Ok(n.to_string()),
        _ => Err(ProviderError::Malformed {
            endpoint: endpoint.to_string(),
            detail: "a listed resource has no id".into(),
        }),
    }
}

impl Scim {
    /// Every resource at `resource` (`Users`, `Groups`), keys lower-cased.
    async fn list(
        &self,
        endpoint: &'static str,
        resource: &str,
        attributes: &str,
    ) -> Result<Vec<Json>, ProviderError> {
        let cap = self.features().await?.max_results.unwrap_or(u64::MAX);
        let count = self.page_size.min(cap).max(1).to_string();
        // Each page must bring a resource not seen before. A server may cap pages below what
        // is asked without saying so, so the bound assumes pages of 10 at most.
        let mut pages = Pages::new(endpoint, self.page_size.min(cap).clamp(1, 10) as usize);
        let mut out = Vec::new();
        let mut start: u64 = 1;
        loop {
            let start_text = start.to_string();
            let query = [
                ("startIndex", start_text.as_str()),
                ("count", count.as_str()),
                ("attributes", attributes),
            ];
            let r = Request {
                endpoint,
                method: Method::GET,
                url: self.url(&[resource], &query),
                body: None,
                if_match: None,
                repeat: Repeat::Safe,
            };
            let doc = self.send(r, |s, b| wire::document(endpoint, s, b)).await?;
            let page: wire::ListResponse = wire::read(endpoint, "list response", doc)?;
            let resources = page.resources.unwrap_or_default();
            let got = resources.len() as u64;
            let mut with_ids = Vec::with_capacity(resources.len());
            for r in resources {
                with_ids.push((id_of(endpoint, &r)?, r));
            }
            let position = format!("startIndex={start}");
            let new = pages.take(with_ids, |(id, _)| id.as_str(), &position)?;
            out.extend(new.into_iter().map(|(_, r)| r));
            start = start.saturating_add(got);
            let Some(total) = page.total_results else {
                if got == 0 {
                    return Ok(out);
                }
                continue;
            };
            if start > total {
                let distinct = pages.distinct() as u64;
                if distinct < total {
                    return Err(pages.error(format!(
                        "{distinct} distinct resources listed, but totalResults is {total} (paging broken, or the list changed while read)"
                    )));
                }
                return Ok(out);
            }
            if got == 0 {
                return Err(pages.error(format!(
                    "the page at {position} is empty, but totalResults is {total}"
                )));
            }
        }
    }

    pub(super) async fn list_users(&self) -> Result<Vec<WireUser>, ProviderError> {
        let listed = self.list(EP_USERS, "Users", &user_attributes()).await?;
        listed
            .into_iter()
            .map(|r| wire::read(EP_USERS, "user", r))
            .collect()
    }

    /// Lists the groups, remembers them by name, and answers who is in which. Members of a
    /// group the list left them out of are read group by group, for the groups in play (or
    /// for all, with `all`).
    pub(super) async fn load_groups(
        &self,
        all: bool,
        in_play: &BTreeSet<&str>,
    ) -> Result<Memberships, ProviderError> {
        let listed = self.list(EP_GROUPS, "Groups", GROUP_ATTRIBUTES).await?;
        let mut groups: Vec<WireGroup> = listed
            .into_iter()
            .map(|r| wire::read(EP_GROUPS, "group", r))
            .collect::<Result<_, _>>()?;
        for g in &mut groups {
            let named = g
                .display_name
                .as_deref()
                .is_some_and(|n| all || in_play.contains(n));
            if g.members.is_none() && named {
                g.members = self.read_group(&g.id).await?.members;
            }
        }
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        let mut memberships = Memberships::new();
        for g in groups {
            let Some(name) = g.display_name.map(|n| n.trim().to_string()) else {
                continue;
            };
            for m in g.members.iter().flatten() {
                if let Some(v) = &m.value {
                    let e = memberships.entry(v.trim().to_string()).or_default();
                    e.insert(name.clone());
                }
            }
            by_name.entry(name).or_default().push(g.id);
        }
        *self.groups.lock().unwrap_or_else(|e| e.into_inner()) = by_name;
        Ok(memberships)
    }

    async fn read_group(&self, id: &str) -> Result<WireGroup, ProviderError> {
        let r = Request {
            endpoint: EP_GROUP,
            method: Method::GET,
            url: self.url(&["Groups", id], &[("attributes", GROUP_ATTRIBUTES)]),
            body: None,
            if_match: None,
            repeat: Repeat::Safe,
        };
        let doc = self.send(r, |s, b| wire::document(EP_GROUP, s, b)).await?;
        wire::read(EP_GROUP, "group", doc)
    }

    /// The user whose user name is `key` (compared as identities are): by a filter where the
    /// server filters, else (or when the filter is refused) by listing every user.
    pub(super) async fn find_user(&self, key: &str) -> Result<Option<WireUser>, ProviderError> {
        let matches =
            |u: &WireUser| u.user_name.as_deref().map(normalise_key).as_deref() == Some(key);
        if self.features().await?.filter {
            let filter = format!("userName eq {}", literal(key));
            let attributes = user_attributes();
            let query = [("filter", filter.as_str()), ("attributes", &attributes)];
            let r = Request {
                endpoint: EP_USERS,
                method: Method::GET,
                url: self.url(&["Users"], &query),
                body: None,
                if_match: None,
                repeat: Repeat::Safe,
            };
            match self.send(r, |s, b| wire::document(EP_USERS, s, b)).await {
                Ok(doc) => {
                    let page: wire::ListResponse = wire::read(EP_USERS, "list response", doc)?;
                    for r in page.resources.unwrap_or_default() {
                        let u: WireUser = wire::read(EP_USERS, "user", r)?;
                        if matches(&u) {
                            return Ok(Some(u));
                        }
                    }
                    return Ok(None);
                }
                // A server that announces filters but refuses this one: list instead.
                Err(ProviderError::Vendor {
                    status: 400 | 403 | 501,
                    ..
                }) => tracing::debug!("filter refused; listing every user instead"),
                Err(e) => return Err(e),
            }
        }
        Ok(self.list_users().await?.into_iter().find(matches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_literals_escape_quotes_and_backslashes() {
        assert_eq!(literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert!(
            user_attributes()
                .starts_with("userName,name,displayName,emails,active,externalId,urn:")
        );
        assert!(user_attributes().ends_with(":User:manager"));
    }
}
