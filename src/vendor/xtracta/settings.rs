//! A validated Xtracta target: its API key reference and group, the field schema (workflows
//! are memberships; the primary group cannot be changed through the API; no deactivation),
//! the client it connects, and doctor's checks.

use std::any::Any;

use anyhow::Context;

use crate::model::{ActualUser, FieldSpec, Mutability, Schema};
use crate::secret::SecretRef;
use crate::vendor::doctor::{AUTH, Check, Diagnosis, Findings, Probe};
use crate::vendor::xtracta::client::Xtracta;
use crate::vendor::{BoxFuture, Client, Connect, UserFields, VendorTarget};
use crate::yaml::{Keys, Located};

use super::names;

#[derive(Debug)]
pub struct Settings {
    pub api_key: SecretRef,
    /// The group new users join; its users are in scope.
    pub group_id: u64,
    schema: Schema,
}

impl Settings {
    pub(crate) fn new(api_key: SecretRef, group_id: u64) -> Self {
        let schema = Schema {
            provider: "xtracta",
            fields: vec![
                FieldSpec::text(names::NAME, Mutability::Update),
                FieldSpec::identity(names::EMAIL, Mutability::Update),
                FieldSpec::set(names::WORKFLOWS, Mutability::Membership, "workflow"),
                FieldSpec::text(names::GROUP_ID, Mutability::NeedsPerson),
            ],
            deactivate: None,
        };
        Settings {
            api_key,
            group_id,
            schema,
        }
    }
}

impl Settings {
    fn client(&self, cx: &Connect<'_>) -> anyhow::Result<Xtracta> {
        let key = self
            .api_key
            .resolve(cx.base_dir)
            .with_context(|| format!("target {}: api_key", cx.target))?;
        Ok(Xtracta::new(
            cx.url.clone(),
            key,
            self.group_id,
            cx.limits,
            cx.stats.clone(),
            cx.stop.clone(),
        )?)
    }
}

impl VendorTarget for Settings {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn user(&self, keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields> {
        super::user::read(keys, id, self.group_id)
    }

    fn import(&self, user: &ActualUser) -> Vec<(String, String)> {
        super::import::lines(user, self.group_id)
    }

    fn import_id(&self, id: &str) -> String {
        if id.parse::<u64>().is_ok() {
            id.to_string()
        } else {
            crate::import::quoted(id)
        }
    }

    fn connect(&self, cx: Connect<'_>) -> anyhow::Result<Box<dyn Client>> {
        let client = self.client(&cx)?;
        client.confirm(cx.target, &Findings::load(cx.state_dir, cx.target));
        Ok(Box::new(client))
    }

    fn doctor<'a>(&'a self, cx: Connect<'a>, probe: Probe<'a>) -> BoxFuture<'a, Diagnosis> {
        Box::pin(async move {
            match self.client(&cx) {
                Ok(client) => client.doctor(probe).await,
                Err(e) => Diagnosis {
                    checks: vec![Check::fail(AUTH, format!("{e:#}"), "see the message")],
                    ..Diagnosis::default()
                },
            }
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
