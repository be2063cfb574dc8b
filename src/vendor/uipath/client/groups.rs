//! UiPath groups by name, and the vendor's user record turned into roster's fields (group ids
//! back into names, `Everyone` and groups without a name left out). Knows no token and makes
//! only the group list call.
//!
//! A group whose name is null cannot be named in a manifest: it is skipped with a warning,
//! and membership in it is neither shown nor changed.

use std::collections::{HashMap, HashSet};

use reqwest::Method;

use super::rights::{self, Needed};
use super::wire::{self, WireUser};
use super::{EP_GROUPS, EVERYONE, Uipath};
use crate::model::{ActualUser, Set, Value, normalise_key};
use crate::vendor::ProviderError;
use crate::vendor::http::Repeat;
use crate::vendor::uipath::names;

/// The organisation's groups, from the last fetch.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    pub by_name: HashMap<String, String>,
    pub by_id: HashMap<String, String>,
    /// Ids of groups listed without a name.
    pub nameless: HashSet<String>,
}

impl Uipath {
    pub(super) async fn load_groups(&self) -> Result<(), ProviderError> {
        let url = self.api(&format!("Group/{}", self.s.partition_global_id));
        let listed: Result<Vec<wire::WireGroup>, _> = self
            .call(EP_GROUPS, Method::GET, url, None, Repeat::Safe, |s, b| {
                wire::json(EP_GROUPS, s, b)
            })
            .await;
        let listed = listed.map_err(|e| self.denied(e, Needed::Scope("Group", "Read")))?;
        let mut groups = Groups::default();
        for g in listed {
            match g.name {
                Some(name) => {
                    groups.by_name.insert(name.clone(), g.id.clone());
                    groups.by_id.insert(g.id, name);
                }
                None => {
                    tracing::warn!(
                        group = %crate::vendor::clean::line(&g.id),
                        "uipath: a group has no name; it cannot be named in a manifest, and membership in it is left alone"
                    );
                    groups.nameless.insert(g.id);
                }
            }
        }
        *self.groups.lock().unwrap_or_else(|e| e.into_inner()) = groups;
        Ok(())
    }

    /// `e` with the missing permission named when it is a 403.
    pub(super) fn denied(&self, e: ProviderError, needed: Needed) -> ProviderError {
        let granted = self
            .granted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        rights::named(e, needed, &self.s.scope, granted.as_deref())
    }

    pub(super) fn group_ids(&self, names: &Set) -> Result<Vec<String>, ProviderError> {
        let lock = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        names
            .iter()
            .map(|n| {
                lock.by_name
                    .get(n)
                    .cloned()
                    .ok_or_else(|| ProviderError::Invalid(format!("unknown group {n:?}")))
            })
            .collect()
    }

    pub(super) fn to_actual(&self, u: WireUser) -> ActualUser {
        let lock = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let email = u.email.clone().unwrap_or_default();
        let mut fields = crate::model::Fields::new();
        fields.insert(names::EMAIL, Value::text(email.trim()));
        fields.insert(
            names::USER_NAME,
            Value::text(u.user_name.clone().unwrap_or_default()),
        );
        fields.insert(names::NAME, Value::text(u.name.clone().unwrap_or_default()));
        if let Some(s) = &u.surname {
            fields.insert(names::SURNAME, Value::text(s.clone()));
        }
        fields.insert(names::ACTIVE, Value::Bool(u.is_active.unwrap_or(true)));
        let groups = u
            .group_ids
            .iter()
            .flatten()
            .filter(|id| !lock.nameless.contains(*id))
            .map(|id| lock.by_id.get(id).cloned().unwrap_or_else(|| id.clone()))
            .filter(|name| name != EVERYONE)
            .collect();
        fields.insert(names::GROUPS, Value::Set(groups));
        let key_source = if email.trim().is_empty() {
            u.user_name.clone().unwrap_or_default()
        } else {
            email
        };
        ActualUser {
            id: u.id,
            key: normalise_key(&key_source),
            fields,
        }
    }
}
