//! A validated learningCloud target: the token reference and synchronization mode; the field
//! schema (every field changes through the user update; `enabled: false` deactivates; users
//! are named by username); what `import` writes; the client, and doctor's checks.

use std::any::Any;
use std::collections::BTreeMap;

use anyhow::Context;

use crate::import::{key, quoted};
use crate::model::{ActualUser, FieldSpec, Mutability, Schema, Value};
use crate::secret::SecretRef;
use crate::vendor::doctor::{AUTH, Check, Diagnosis, Findings, Probe};
use crate::vendor::learningcloud::client::LearningCloud;
use crate::vendor::{BoxFuture, Client, Connect, Identity, UserFields, VendorTarget};
use crate::yaml::{Keys, Located};

use super::names;

#[derive(Debug)]
pub struct Settings {
    pub token: SecretRef,
    /// `X-Cloud-Synchronization: synchronous` on writes (else asynchronous).
    pub synchronous: bool,
    schema: Schema,
}

/// Every learningCloud field changes through the user update.
const UPDATE: Mutability = Mutability::Update;

impl Settings {
    pub(crate) fn new(token: SecretRef, synchronous: bool) -> Self {
        let schema = Schema {
            provider: "learningcloud",
            fields: vec![
                FieldSpec::identity(names::USERNAME, UPDATE),
                FieldSpec::text(names::EMAIL, UPDATE),
                FieldSpec::text(names::NAME, UPDATE),
                FieldSpec::text(names::SURNAME, UPDATE),
                FieldSpec::text(names::LANGUAGE, UPDATE),
                FieldSpec::text(names::TIMEZONE, UPDATE),
                FieldSpec::bool(names::ENABLED, UPDATE),
                FieldSpec::set(names::ROLES, UPDATE, "role"),
                FieldSpec::text(names::EXTERNAL_ID, UPDATE),
                FieldSpec::map(names::EXTENDED_FIELDS, UPDATE),
            ],
            deactivate: Some((names::ENABLED, Value::Bool(false))),
        };
        Settings {
            token,
            synchronous,
            schema,
        }
    }
}

/// Roles as a flow mapping of sections to role lists.
fn roles(set: &crate::model::Set) -> String {
    let mut by_section: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in set {
        if let Some((section, role)) = r.split_once(':') {
            by_section.entry(section).or_default().push(role);
        }
    }
    let parts: Vec<String> = by_section
        .iter()
        .map(|(s, rs)| {
            let rs: Vec<String> = rs.iter().map(|r| key(r)).collect();
            format!("{}: [{}]", key(s), rs.join(", "))
        })
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

impl Settings {
    fn client(&self, cx: &Connect<'_>, synchronous: bool) -> anyhow::Result<LearningCloud> {
        let token = self
            .token
            .resolve(cx.base_dir)
            .with_context(|| format!("target {}: token", cx.target))?;
        Ok(LearningCloud::new(
            cx.url.clone(),
            token,
            synchronous,
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

    fn identity(&self) -> Identity {
        Identity::Username
    }

    fn user(&self, keys: &mut Keys<'_>, id: Option<Located<String>>) -> Option<UserFields> {
        super::user::read(keys, id)
    }

    fn import(&self, u: &ActualUser) -> Vec<(String, String)> {
        let f = &u.fields;
        let mut out = Vec::new();
        let push = |out: &mut Vec<(String, String)>, n: &str| {
            if let Some(v) = f.get(n).and_then(Value::as_text).filter(|v| !v.is_empty()) {
                out.push((n.to_string(), quoted(v)));
            }
        };
        for n in [
            names::USERNAME,
            names::EMAIL,
            names::NAME,
            names::SURNAME,
            names::LANGUAGE,
            names::TIMEZONE,
        ] {
            push(&mut out, n);
        }
        if f.get(names::ENABLED) == Some(&Value::Bool(false)) {
            out.push((names::ENABLED.into(), "false".into()));
        }
        if let Some(Value::Set(r)) = f.get(names::ROLES) {
            out.push((names::ROLES.into(), roles(r)));
        }
        push(&mut out, names::EXTERNAL_ID);
        if let Some(Value::Map(m)) = f.get(names::EXTENDED_FIELDS)
            && !m.is_empty()
        {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), quoted(v)))
                .collect();
            let value = format!("{{ {} }}", parts.join(", "));
            out.push((names::EXTENDED_FIELDS.into(), value));
        }
        out
    }

    fn connect(&self, cx: Connect<'_>) -> anyhow::Result<Box<dyn Client>> {
        let client = self.client(&cx, self.synchronous)?;
        client.confirm(cx.target, &Findings::load(cx.state_dir, cx.target));
        Ok(Box::new(client))
    }

    /// The probe's writes go `synchronous`, so that each answer is final when read back.
    fn doctor<'a>(&'a self, cx: Connect<'a>, probe: Probe<'a>) -> BoxFuture<'a, Diagnosis> {
        Box::pin(async move {
            match self.client(&cx, true) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_as_flow_mapping() {
        let set = Value::set(["management:user", "training:trainer", "training:admin"]);
        let Value::Set(set) = set else { unreachable!() };
        assert_eq!(
            roles(&set),
            "{ management: [user], training: [admin, trainer] }"
        );
    }
}
