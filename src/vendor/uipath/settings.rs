//! A validated UiPath target: token endpoint, client credentials (references), scope,
//! organisation and deployment; the field schema (on Automation Cloud an e-mail cannot be
//! changed through the API; `active: false` deactivates); what `import` writes; the client,
//! and doctor's checks.

use std::any::Any;

use anyhow::Context;

use crate::import::{numbers_or_strings, quoted};
use crate::model::{ActualUser, FieldSpec, Mutability, Schema, Value};
use crate::secret::SecretRef;
use crate::vendor::doctor::{AUTH, Check, Diagnosis, Findings, Probe};
use crate::vendor::uipath::client::Uipath;
use crate::vendor::{BoxFuture, Client, Connect, UserFields, VendorTarget};
use crate::yaml::{Keys, Located};

use super::names;

#[derive(Debug)]
pub struct Settings {
    pub token_url: reqwest::Url,
    pub client_id: SecretRef,
    pub client_secret: SecretRef,
    pub scope: String,
    pub partition_global_id: String,
    /// Automation Cloud: e-mail addresses cannot be changed through the API.
    pub cloud: bool,
    schema: Schema,
}

impl Settings {
    pub(crate) fn new(
        token_url: reqwest::Url,
        client_id: SecretRef,
        client_secret: SecretRef,
        scope: String,
        partition_global_id: String,
        cloud: bool,
    ) -> Self {
        let email = if cloud {
            Mutability::NeedsPerson
        } else {
            Mutability::Update
        };
        let schema = Schema {
            provider: "uipath",
            fields: vec![
                FieldSpec::identity(names::EMAIL, email),
                FieldSpec::text(names::USER_NAME, Mutability::NeedsPerson),
                FieldSpec::text(names::NAME, Mutability::Update),
                FieldSpec::text(names::SURNAME, Mutability::Update),
                FieldSpec::bool(names::ACTIVE, Mutability::Update),
                FieldSpec::set(names::GROUPS, Mutability::Update, "group"),
            ],
            deactivate: Some((names::ACTIVE, Value::Bool(false))),
        };
        Settings {
            token_url,
            client_id,
            client_secret,
            scope,
            partition_global_id,
            cloud,
            schema,
        }
    }
}

impl Settings {
    fn client(&self, cx: &Connect<'_>) -> anyhow::Result<Uipath> {
        let read = |what: &str, r: &SecretRef| {
            r.resolve(cx.base_dir)
                .with_context(|| format!("target {}: {what}", cx.target))
        };
        let settings = crate::vendor::uipath::client::Settings {
            base: cx.url.clone(),
            token_url: self.token_url.clone(),
            client_id: read("client_id", &self.client_id)?,
            client_secret: read("client_secret", &self.client_secret)?,
            scope: self.scope.clone(),
            partition_global_id: self.partition_global_id.clone(),
        };
        Ok(Uipath::new(
            settings,
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
        super::user::read(keys, id)
    }

    fn import(&self, u: &ActualUser) -> Vec<(String, String)> {
        let f = &u.fields;
        let text = |n: &str| f.get(n).and_then(Value::as_text).map(str::to_string);
        let mut out = Vec::new();
        let push = |out: &mut Vec<(String, String)>, n: &str| {
            if let Some(v) = text(n).filter(|v| !v.is_empty()) {
                out.push((n.to_string(), quoted(&v)));
            }
        };
        push(&mut out, names::EMAIL);
        if text(names::USER_NAME) != text(names::EMAIL) {
            push(&mut out, names::USER_NAME);
        }
        push(&mut out, names::NAME);
        push(&mut out, names::SURNAME);
        if f.get(names::ACTIVE) == Some(&Value::Bool(false)) {
            out.push((names::ACTIVE.into(), "false".into()));
        }
        if let Some(Value::Set(g)) = f.get(names::GROUPS) {
            out.push((names::GROUPS.into(), numbers_or_strings(g, false)));
        }
        out
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
