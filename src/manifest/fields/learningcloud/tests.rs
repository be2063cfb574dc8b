//! learningCloud manifest entries: every field kind, defaults, and each problem located.

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
            max_answer_size: 1 << 20,
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
