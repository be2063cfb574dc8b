//! A validated UiPath target: token endpoint, client credentials (references), scope,
//! organisation and deployment; the field schema (on Automation Cloud an e-mail cannot be
//! changed through the API; `active: false` deactivates); what `import` writes; the client.

use std::any::Any;

use anyhow::Context;

use crate::import::{numbers_or_strings, quoted};
use crate::model::{ActualUser, FieldSpec, Mutability, Schema, Value};
use crate::secret::SecretRef;
use crate::vendor::{Client, Connect, UserFields, VendorTarget};
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
        let client =
            crate::vendor::uipath::client::Uipath::new(settings, cx.limits, cx.stats, cx.stop)?;
        Ok(Box::new(client))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
