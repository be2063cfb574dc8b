//! A validated SCIM target: the bearer token (a reference), the page size and the PATCH
//! mode; the field schema (every field changes through the user update but `groups`, which
//! are memberships changed group by group; `active: false` deactivates; users are named by
//! user name); what `import` writes; the client.

use std::any::Any;

use anyhow::Context;

use crate::import::{key, numbers_or_strings, quoted};
use crate::model::{ActualUser, FieldSpec, Mutability, Schema, Value};
use crate::secret::SecretRef;
use crate::vendor::{Client, Connect, Identity, UserFields, VendorTarget};
use crate::yaml::{Keys, Located};

use super::names;

/// Whether updates use PATCH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchMode {
    /// As `/ServiceProviderConfig` announces (GET then PUT when it does not, or is missing).
    Auto,
    Always,
    Never,
}

#[derive(Debug)]
pub struct Settings {
    pub token: SecretRef,
    pub page_size: u64,
    pub patch: PatchMode,
    schema: Schema,
}

const UPDATE: Mutability = Mutability::Update;

impl Settings {
    pub(crate) fn new(token: SecretRef, page_size: u64, patch: PatchMode) -> Self {
        let schema = Schema {
            provider: "scim",
            fields: vec![
                FieldSpec::identity(names::USER_NAME, UPDATE),
                FieldSpec::text(names::EMAIL, UPDATE),
                FieldSpec::text(names::GIVEN_NAME, UPDATE),
                FieldSpec::text(names::FAMILY_NAME, UPDATE),
                FieldSpec::text(names::DISPLAY_NAME, UPDATE),
                FieldSpec::bool(names::ACTIVE, UPDATE),
                FieldSpec::text(names::EXTERNAL_ID, UPDATE),
                FieldSpec::set(names::GROUPS, Mutability::Membership, "group"),
                FieldSpec::map(names::ENTERPRISE, UPDATE),
            ],
            deactivate: Some((names::ACTIVE, Value::Bool(false))),
        };
        Settings {
            token,
            page_size,
            patch,
            schema,
        }
    }
}

impl VendorTarget for Settings {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn identity(&self) -> Identity {
        Identity::Username
    }

    fn user(&self, keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields> {
        super::user::read(keys, id)
    }

    fn import(&self, u: &ActualUser) -> Vec<(String, String)> {
        let f = &u.fields;
        let mut out = Vec::new();
        for n in [
            names::USER_NAME,
            names::EMAIL,
            names::GIVEN_NAME,
            names::FAMILY_NAME,
            names::DISPLAY_NAME,
        ] {
            if let Some(v) = f.get(n).and_then(Value::as_text).filter(|v| !v.is_empty()) {
                out.push((n.to_string(), quoted(v)));
            }
        }
        if f.get(names::ACTIVE) == Some(&Value::Bool(false)) {
            out.push((names::ACTIVE.into(), "false".into()));
        }
        if let Some(v) = f
            .get(names::EXTERNAL_ID)
            .and_then(Value::as_text)
            .filter(|v| !v.is_empty())
        {
            out.push((names::EXTERNAL_ID.into(), quoted(v)));
        }
        if let Some(Value::Set(g)) = f.get(names::GROUPS) {
            out.push((names::GROUPS.into(), numbers_or_strings(g, false)));
        }
        if let Some(Value::Map(m)) = f.get(names::ENTERPRISE)
            && !m.is_empty()
        {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), quoted(v)))
                .collect();
            out.push((
                names::ENTERPRISE.into(),
                format!("{{ {} }}", parts.join(", ")),
            ));
        }
        out
    }

    fn connect(&self, cx: Connect<'_>) -> anyhow::Result<Box<dyn Client>> {
        let token = self
            .token
            .resolve(cx.base_dir)
            .with_context(|| format!("target {}: token", cx.target))?;
        let settings = super::client::Settings {
            base: cx.url.clone(),
            token,
            page_size: self.page_size,
            patch: self.patch,
        };
        let client = super::client::Scim::new(settings, cx.limits, cx.stats, cx.stop)?;
        Ok(Box::new(client))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
