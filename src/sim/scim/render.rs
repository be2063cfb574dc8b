//! Resources as the simulator answers them: `schemas`, `id`, `externalId`, `meta` (with the
//! version as ETag) and the attributes, a user's groups computed from the groups' members,
//! `attributes`/`excludedAttributes` honoured, list responses, and the two quirks of
//! spelling some servers have: PascalCase attribute names and booleans as strings.
//!
//! Shapes JSON only; it changes nothing.

use serde_json::{Map, Value as Json, json};

use super::schema::{self, ENTERPRISE_URN, GROUP_URN, USER_URN};
use super::world::{Kind, Resource, World};

const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// How answers are spelt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Style {
    /// `UserName`, `TotalResults`: names with a capital first letter.
    pub(crate) pascal: bool,
    /// `"True"` and `"False"` instead of JSON booleans.
    pub(crate) bool_strings: bool,
}

/// Which attributes an answer carries: `attributes=` and `excludedAttributes=`, each a list
/// of paths (`name`, `name.givenName`, `urn:…:User:department`), lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    pub(crate) only: Vec<String>,
    pub(crate) except: Vec<String>,
}

fn paths(list: Option<&str>) -> Vec<String> {
    list.into_iter()
        .flat_map(|l| l.split(','))
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .map(|p| {
            // A core schema URN before an attribute says nothing more.
            for urn in [USER_URN, GROUP_URN] {
                if let Some(rest) = p.strip_prefix(&format!("{}:", urn.to_lowercase())) {
                    return rest.to_string();
                }
            }
            p
        })
        .collect()
}

impl Selection {
    pub(crate) fn new(only: Option<&str>, except: Option<&str>) -> Self {
        Selection {
            only: paths(only),
            except: paths(except),
        }
    }

    /// Whether the attribute at `path` (e.g. `name`, `urn:…:user:manager`) is answered.
    fn keeps(&self, path: &str) -> bool {
        let path = path.to_lowercase();
        // `name` is answered for `name.givenName`, an extension's attribute for its URN.
        let within = |p: &String| {
            p == &path || p.starts_with(&format!("{path}.")) || path.starts_with(&format!("{p}:"))
        };
        let listed = self.only.is_empty() || self.only.iter().any(within);
        let excluded = self
            .except
            .iter()
            .any(|p| p == &path || path.starts_with(&format!("{p}:")));
        listed && !excluded
    }

    /// The sub-attributes of `path` that are answered, when only some are.
    fn keeps_sub(&self, path: &str, sub: &str) -> bool {
        let full = format!("{}.{}", path.to_lowercase(), sub.to_lowercase());
        let named: Vec<&String> = self
            .only
            .iter()
            .filter(|p| p.starts_with(&format!("{}.", path.to_lowercase())))
            .collect();
        (named.is_empty() || named.iter().any(|p| **p == full)) && !self.except.contains(&full)
    }
}

fn select(value: &Json, path: &str, sel: &Selection) -> Json {
    let pick = |m: &Map<String, Json>| -> Json {
        Json::Object(
            m.iter()
                .filter(|(k, _)| sel.keeps_sub(path, k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    };
    match value {
        Json::Object(m) => pick(m),
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|i| i.as_object().map_or_else(|| i.clone(), pick))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One resource as answered; `base` is the service's URL (for `meta.location`).
pub(crate) fn resource(
    kind: Kind,
    r: &Resource,
    world: &World,
    base: &str,
    sel: &Selection,
) -> Json {
    let attrs = match kind {
        Kind::User => schema::USER,
        Kind::Group => schema::GROUP,
    };
    let location = format!("{base}/{}/{}", kind.endpoint(), r.id);
    let mut out = Map::new();
    let mut schemas = vec![json!(if kind == Kind::User {
        USER_URN
    } else {
        GROUP_URN
    })];
    out.insert("id".into(), json!(r.id));
    for (k, v) in &r.attributes {
        if k == ENTERPRISE_URN {
            let ext: Map<String, Json> = v
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(a, _)| sel.keeps(&format!("{ENTERPRISE_URN}:{a}")))
                .map(|(a, v)| (a.clone(), v.clone()))
                .collect();
            if !ext.is_empty() {
                schemas.push(json!(ENTERPRISE_URN));
                out.insert(k.clone(), Json::Object(ext));
            }
            continue;
        }
        let hidden = schema::find(attrs, k).is_some_and(|a| a.never_returned);
        if !hidden && sel.keeps(k) {
            out.insert(k.clone(), select(v, k, sel));
        }
    }
    if kind == Kind::User && sel.keeps("groups") {
        let groups: Vec<Json> = world
            .groups_of(&r.id)
            .map(|g| {
                json!({
                    "value": g.id,
                    "$ref": format!("{base}/Groups/{}", g.id),
                    "display": g.text("displayName"),
                    "type": "direct",
                })
            })
            .collect();
        if !groups.is_empty() {
            out.insert("groups".into(), select(&Json::Array(groups), "groups", sel));
        }
    }
    out.insert("schemas".into(), Json::Array(schemas));
    out.insert(
        "meta".into(),
        json!({
            "resourceType": kind.name(),
            "created": r.created,
            "lastModified": r.last_modified,
            "location": location,
            "version": r.etag(),
        }),
    );
    Json::Object(out)
}

/// A `ListResponse` of one page.
pub(crate) fn list(total: usize, start: usize, resources: Vec<Json>) -> Json {
    json!({
        "schemas": [LIST_URN],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// `value` spelt as `style` says.
pub(crate) fn styled(value: Json, style: Style) -> Json {
    match value {
        Json::Bool(b) if style.bool_strings => json!(if b { "True" } else { "False" }),
        Json::Array(items) => Json::Array(items.into_iter().map(|i| styled(i, style)).collect()),
        Json::Object(m) => Json::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let k = if style.pascal && !k.starts_with("urn:") && !k.starts_with('$') {
                        let mut c = k.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect())
                            .unwrap_or_default()
                    } else {
                        k
                    };
                    (k, styled(v, style))
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quirks_respell_names_and_booleans_but_not_urns() {
        let v = json!({"userName": "a", "active": true, ENTERPRISE_URN: {"department": "x"}, "members": [{"$ref": "r"}]});
        assert_eq!(
            styled(
                v,
                Style {
                    pascal: true,
                    bool_strings: true
                }
            ),
            json!({"UserName": "a", "Active": "True", ENTERPRISE_URN: {"Department": "x"}, "Members": [{"$ref": "r"}]})
        );
    }

    #[test]
    fn selections_by_attribute_sub_attribute_and_extension() {
        let s = Selection::new(
            Some(
                "userName,name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            ),
            None,
        );
        assert!(s.keeps("userName") && s.keeps("name") && !s.keeps("title"));
        assert!(s.keeps_sub("name", "givenName") && !s.keeps_sub("name", "familyName"));
        assert!(s.keeps(&format!("{ENTERPRISE_URN}:department")));
        assert!(!s.keeps(&format!("{ENTERPRISE_URN}:costCenter")));
        let whole = Selection::new(Some(ENTERPRISE_URN), Some("title"));
        assert!(whole.keeps(&format!("{ENTERPRISE_URN}:costCenter")) && !whole.keeps("title"));
        let except = Selection::new(None, Some("members"));
        assert!(!except.keeps("members") && except.keeps("displayName"));
    }
}
