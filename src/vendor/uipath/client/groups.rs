//! UiPath groups by name, and the vendor's user record turned into roster's fields (group ids
//! back into names, `Everyone` left out). Knows no token and makes only the group list call.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;

use super::wire::{self, WireUser};
use super::{EP_GROUPS, EVERYONE, Uipath};
use crate::model::{ActualUser, Value, normalise_key};
use crate::vendor::ProviderError;
use crate::vendor::http::Repeat;
use crate::vendor::uipath::names;

impl Uipath {
    pub(super) async fn load_groups(&self) -> Result<(), ProviderError> {
        let url = self.api(&format!("Group/{}", self.s.partition_global_id));
        let groups: Vec<wire::WireGroup> = self
            .call(EP_GROUPS, Method::GET, url, None, Repeat::Safe, |s, b| {
                wire::json(EP_GROUPS, s, b)
            })
            .await?;
        let mut lock = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        lock.0 = groups
            .iter()
            .map(|g| (g.name.clone(), g.id.clone()))
            .collect();
        lock.1 = groups.into_iter().map(|g| (g.id, g.name)).collect();
        Ok(())
    }

    pub(super) fn group_ids(&self, names: &BTreeSet<String>) -> Result<Vec<String>, ProviderError> {
        let lock = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        names
            .iter()
            .map(|n| {
                lock.0
                    .get(n)
                    .cloned()
                    .ok_or_else(|| ProviderError::Invalid(format!("unknown group {n:?}")))
            })
            .collect()
    }

    pub(super) fn to_actual(&self, u: WireUser) -> ActualUser {
        let lock = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let email = u.email.clone().unwrap_or_default();
        let mut fields = BTreeMap::new();
        fields.insert(names::EMAIL.to_string(), Value::text(email.trim()));
        fields.insert(
            names::USER_NAME.to_string(),
            Value::text(u.user_name.clone().unwrap_or_default()),
        );
        fields.insert(
            names::NAME.to_string(),
            Value::text(u.name.clone().unwrap_or_default()),
        );
        if let Some(s) = &u.surname {
            fields.insert(names::SURNAME.to_string(), Value::text(s.clone()));
        }
        fields.insert(
            names::ACTIVE.to_string(),
            Value::Bool(u.is_active.unwrap_or(true)),
        );
        let groups = u
            .group_ids
            .iter()
            .flatten()
            .map(|id| lock.1.get(id).cloned().unwrap_or_else(|| id.clone()))
            .filter(|name| name != EVERYONE)
            .collect();
        fields.insert(names::GROUPS.to_string(), Value::Set(groups));
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
