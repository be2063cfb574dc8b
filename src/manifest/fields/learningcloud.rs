//! A manifest entry for a learningCloud target: identity by username (optionally bound to the
//! vendor's 32-hex id, so the username can change), the core fields the vendor requires on
//! every update, the enabled switch, roles checked against the documented sections, the
//! external id and extended fields.
//!
//! Roles become a set of `section:role` strings; extended fields a map of only the keys the
//! manifest sets. Empty values are refused: roster sets values, it does not clear them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_saphyr::Spanned;

use crate::diag::Problem;
use crate::model::{DesiredUser, Origin, Value, normalise_key};

use super::super::raw::{RawRoles, RawUser};
use super::{Ctx, email, ignore_list, names, password, reject_foreign, required_text};

/// The documented role sections and their roles (newest version of the vendor's "Update
/// user" page). Management needs at least one role.
pub(crate) const ROLE_SECTIONS: [(&str, &[&str]); 6] = [
    ("management", &["user", "groupadmin", "admin"]),
    ("training", &["user", "trainer", "groupadmin", "admin"]),
    ("social", &["user", "admin"]),
    (
        "play",
        &["user", "author", "validator", "admin", "groupadmin"],
    ),
    ("talent", &["admin", "employee"]),
    (
        "content",
        &["author", "manager", "reviewer", "projectowner"],
    ),
];

const MANAGEMENT_NEEDS: &str = "roles.management needs at least one of: user, groupadmin, admin";

pub(super) fn convert(
    cx: &mut Ctx<'_>,
    raw: &RawUser,
    origin: Origin,
    base: &Path,
) -> Option<DesiredUser> {
    reject_foreign(
        cx,
        "learningcloud",
        raw,
        &[
            "username",
            "surname",
            "language",
            "timezone",
            "enabled",
            "roles",
            "external_id",
            "extended_fields",
        ],
    );
    let id = id(cx, raw);
    let username = username(cx, raw, &origin);
    let email = email(cx, raw, &origin);
    let name = required_text(cx, "name", raw.name.as_ref(), &origin);
    let surname = required_text(cx, "surname", raw.surname.as_ref(), &origin);
    let language = required_text(cx, "language", raw.language.as_ref(), &origin);
    let timezone = required_text(cx, "timezone", raw.timezone.as_ref(), &origin);
    let roles = raw.roles.as_ref().map(|r| roles(cx, r));
    let external_id = raw
        .external_id
        .as_ref()
        .map(|e| not_empty(cx, e, "external_id"));
    let extended = raw.extended_fields.as_ref().map(|e| extended_fields(cx, e));
    let password = password(cx, raw, base);

    let mut fields = BTreeMap::new();
    let username = username?;
    fields.insert(names::USERNAME.to_string(), Value::text(username.clone()));
    fields.insert(names::EMAIL.to_string(), Value::text(email?));
    fields.insert(names::NAME.to_string(), Value::text(name?));
    fields.insert(names::SURNAME.to_string(), Value::text(surname?));
    fields.insert(names::LANGUAGE.to_string(), Value::text(language?));
    fields.insert(names::TIMEZONE.to_string(), Value::text(timezone?));
    let enabled = raw.enabled.as_ref().is_none_or(|e| e.value);
    fields.insert(names::ENABLED.to_string(), Value::Bool(enabled));
    if let Some(roles) = roles {
        fields.insert(names::ROLES.to_string(), roles?);
    }
    if let Some(external_id) = external_id {
        fields.insert(names::EXTERNAL_ID.to_string(), Value::text(external_id?));
    }
    if let Some(extended) = extended {
        fields.insert(names::EXTENDED_FIELDS.to_string(), extended?);
    }
    Some(DesiredUser {
        key: normalise_key(&username),
        id: id?,
        fields,
        password,
        ignore: ignore_list(raw),
        origin,
    })
}

/// `None` when absent, `Some(None)` when invalid.
fn id(cx: &mut Ctx<'_>, raw: &RawUser) -> Option<Option<String>> {
    let Some(s) = &raw.id else {
        return Some(None);
    };
    let text = s.value.0.trim();
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(Some(text.to_ascii_lowercase()));
    }
    cx.err(
        s,
        format!(
            "learningcloud user ids are 32 hexadecimal digits (e.g. ff8081814fb1ee7f014fb20105ba0004), not {:?}",
            s.value.0
        ),
    );
    None
}

fn username(cx: &mut Ctx<'_>, raw: &RawUser, anchor: &Origin) -> Option<String> {
    let username = required_text(cx, "username", raw.username.as_ref(), anchor)?;
    if username.contains(char::is_whitespace) || username.contains('/') {
        let s = raw.username.as_ref()?;
        cx.err(
            s,
            format!("username {username:?} must not contain spaces or '/'"),
        );
        return None;
    }
    Some(username)
}

fn not_empty(cx: &mut Ctx<'_>, s: &Spanned<String>, field: &str) -> Option<String> {
    let v = s.value.trim();
    if v.is_empty() {
        cx.err(
            s,
            format!("`{field}` is empty (roster sets values but does not clear them; leave the key out to leave the vendor's value alone)"),
        );
        return None;
    }
    super::clean(cx, field, s, super::text::MAX_TEXT)
}

/// Section → roles into a set of `section:role`, every wrong section or role reported where
/// it is written.
fn roles(cx: &mut Ctx<'_>, raw: &Spanned<RawRoles>) -> Option<Value> {
    let mut set = BTreeSet::new();
    let mut ok = true;
    for (section, list) in &raw.value {
        let Some((_, allowed)) = ROLE_SECTIONS.iter().find(|(s, _)| s == section) else {
            let known: Vec<&str> = ROLE_SECTIONS.iter().map(|(s, _)| *s).collect();
            cx.err(
                list,
                format!(
                    "unknown roles section {section:?} (learningcloud has: {})",
                    known.join(", ")
                ),
            );
            ok = false;
            continue;
        };
        for role in &list.value {
            let name = role.value.trim();
            if !allowed.contains(&name) {
                cx.err(
                    role,
                    format!(
                        "invalid role {name:?} in roles.{section} (allowed: {})",
                        allowed.join(", ")
                    ),
                );
                ok = false;
            } else if !set.insert(format!("{section}:{name}")) {
                cx.err(role, format!("role {name} listed twice in roles.{section}"));
                ok = false;
            }
        }
    }
    match raw.value.get("management") {
        None => {
            cx.problems.push(Problem::at(
                crate::diag::origin_of(cx.file, &raw.referenced),
                format!("{MANAGEMENT_NEEDS} (add e.g. `management: [user]`)"),
            ));
            ok = false;
        }
        Some(list) if list.value.is_empty() => {
            cx.err(list, MANAGEMENT_NEEDS);
            ok = false;
        }
        Some(_) => {}
    }
    ok.then_some(Value::Set(set))
}

fn extended_fields(cx: &mut Ctx<'_>, raw: &Spanned<BTreeMap<String, String>>) -> Option<Value> {
    let mut ok = true;
    for (key, value) in &raw.value {
        if key.trim().is_empty() {
            cx.err(raw, "an extended field has an empty name");
            ok = false;
        } else if let Some(why) =
            super::text::problem("extended_fields", key, super::text::MAX_NAME).or_else(|| {
                // The name is clean by now, so it may be quoted.
                super::text::problem(
                    &format!("extended_fields.{key}"),
                    value,
                    super::text::MAX_TEXT,
                )
            })
        {
            cx.err(raw, why);
            ok = false;
        } else if value.trim().is_empty() {
            cx.err(
                raw,
                format!("extended field {key} is empty (roster sets values but does not clear them; leave the key out to leave the vendor's value alone)"),
            );
            ok = false;
        }
    }
    ok.then(|| {
        Value::Map(
            raw.value
                .iter()
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::config::{Limits, Policy, ProviderConfig, Target};
    use crate::diag;
    use crate::manifest::raw::RawManifest;
    use crate::model::{DesiredUser, Origin, Unmanaged, Value};
    use crate::secret::SecretRef;

    fn target() -> Target {
        Target {
            name: "academy".into(),
            origin: Origin {
                file: "roster.yaml".into(),
                line: 1,
                column: 1,
            },
            url: "https://acme.learningcloud.me/integration/ws/management/rest"
                .parse()
                .unwrap(),
            provider: ProviderConfig::LearningCloud {
                token: SecretRef::Env("LC".into()),
                synchronous: false,
            },
            policy: Policy {
                unmanaged: Unmanaged::Report,
                protect: BTreeSet::new(),
                max_delete: 5,
                max_delete_fraction: 0.25,
                ignore: BTreeSet::new(),
            },
            limits: Limits {
                timeout: std::time::Duration::from_secs(1),
                concurrency: 1,
                rate_limit: None,
                max_attempts: 1,
            },
        }
    }

    /// Converts every user of a manifest text; the problems as `line:col: message`.
    fn convert(text: &str) -> (Vec<DesiredUser>, Vec<String>) {
        let raw: RawManifest = diag::parse_yaml(text, "users/x.yaml").unwrap();
        let target = target();
        let (mut users, mut problems) = (Vec::new(), Vec::new());
        for u in raw.users.value.iter() {
            let origin = diag::origin_of("users/x.yaml", &u.referenced);
            let (user, p) = super::super::convert(
                &target,
                &u.value,
                "users/x.yaml",
                origin,
                std::path::Path::new("."),
            );
            users.extend(user);
            problems.extend(p.into_iter().map(|p| p.to_string()));
        }
        (users, problems)
    }

    const FULL: &str = "\
users:
  - username: RestUser.Acme
    id: FF8081814FB1EE7F014FB20105BA0004
    email: rest@acme.example
    name: Rest
    surname: User
    language: en
    timezone: Europe/Madrid
    enabled: false
    roles:
      management: [user, admin]
      training: [trainer]
    external_id: HR-00123
    extended_fields: { costCenter: CC-42 }
";

    #[test]
    fn every_field_kind() {
        let (users, problems) = convert(FULL);
        assert_eq!(problems, Vec::<String>::new());
        let u = &users[0];
        assert_eq!(u.key, "restuser.acme");
        assert_eq!(u.id.as_deref(), Some("ff8081814fb1ee7f014fb20105ba0004"));
        let f = &u.fields;
        assert_eq!(f["username"], Value::text("RestUser.Acme"));
        assert_eq!(f["surname"], Value::text("User"));
        assert_eq!(f["enabled"], Value::Bool(false));
        assert_eq!(
            f["roles"],
            Value::set(["management:admin", "management:user", "training:trainer"])
        );
        assert_eq!(f["external_id"], Value::text("HR-00123"));
        assert_eq!(
            f["extended_fields"],
            Value::Map([("costCenter".to_string(), "CC-42".to_string())].into())
        );
    }

    #[test]
    fn enabled_defaults_to_true_and_optional_fields_stay_unmanaged() {
        let (users, problems) = convert(
            "users:\n  - { username: bo, email: bo@x.example, name: Bo, surname: Chen, language: es, timezone: Europe/Madrid }\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let f = &users[0].fields;
        assert_eq!(f["enabled"], Value::Bool(true));
        for unmanaged in ["roles", "external_id", "extended_fields"] {
            assert!(!f.contains_key(unmanaged), "{unmanaged}");
        }
    }

    #[test]
    fn wrong_sections_and_roles_are_located() {
        let text = "\
users:
  - username: bo
    email: bo@x.example
    name: Bo
    surname: Chen
    language: es
    timezone: Europe/Madrid
    roles:
      management: [user]
      social: [trainer]
      games: [user]
      play: [author, author]
";
        let (users, mut problems) = convert(text);
        assert!(users.is_empty());
        problems.sort();
        assert_eq!(
            problems,
            [
                "users/x.yaml:10:16: invalid role \"trainer\" in roles.social (allowed: user, admin)",
                "users/x.yaml:11:14: unknown roles section \"games\" (learningcloud has: management, training, social, play, talent, content)",
                "users/x.yaml:12:22: role author listed twice in roles.play",
            ]
        );
    }

    #[test]
    fn management_needs_a_role() {
        let base = "users:\n  - username: bo\n    email: bo@x.example\n    name: Bo\n    surname: Chen\n    language: es\n    timezone: UTC\n";
        let (_, problems) = convert(&format!("{base}    roles: {{ training: [user] }}\n"));
        assert_eq!(
            problems,
            [
                "users/x.yaml:8:12: roles.management needs at least one of: user, groupadmin, admin (add e.g. `management: [user]`)"
            ]
        );
        let (_, problems) = convert(&format!("{base}    roles: {{ management: [] }}\n"));
        assert_eq!(
            problems,
            ["users/x.yaml:8:26: roles.management needs at least one of: user, groupadmin, admin"]
        );
    }

    #[test]
    fn missing_foreign_and_bad_values() {
        let text = "\
users:
  - username: two words
    id: 4092
    email: nope
    workflows: [1]
    active: true
    external_id: ''
    extended_fields: { costCenter: '' }
";
        let (users, problems) = convert(text);
        assert!(users.is_empty());
        let messages: Vec<&str> = problems
            .iter()
            .map(|p| p.splitn(4, ':').nth(3).unwrap().trim())
            .collect();
        assert_eq!(
            messages,
            [
                "`workflows` is not a field of learningcloud users",
                "`active` is not a field of learningcloud users",
                "learningcloud user ids are 32 hexadecimal digits (e.g. ff8081814fb1ee7f014fb20105ba0004), not \"4092\"",
                "username \"two words\" must not contain spaces or '/'",
                "invalid e-mail \"nope\"",
                "missing field `name`",
                "missing field `surname`",
                "missing field `language`",
                "missing field `timezone`",
                "`external_id` is empty (roster sets values but does not clear them; leave the key out to leave the vendor's value alone)",
                "extended field costCenter is empty (roster sets values but does not clear them; leave the key out to leave the vendor's value alone)",
            ]
        );
    }
}
