//! learningCloud's target keys and manifest users, read through the core's config and
//! manifest readers as a user writes them.

use std::path::Path;
use std::sync::Arc;

use crate::config::load;
use crate::manifest::user::testing;
use crate::model::{Unmanaged, Value};
use crate::secret::SecretRef;

use super::{LEARNINGCLOUD, Settings};

fn write(dir: &Path, target: &str) -> std::path::PathBuf {
    let path = dir.join("roster.yaml");
    let text = format!(
        "manifests: users\ntargets:\n  academy:\n    provider: learningcloud\n    url: https://acme.learningcloud.me/integration/ws/management/rest\n{target}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn settings(t: &crate::config::Target) -> &Settings {
    t.settings.as_any().downcast_ref::<Settings>().unwrap()
}

#[test]
fn reads_token_synchronization_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lc.token"), "t0k3n").unwrap();
    let path = write(
        dir.path(),
        "    token: { file: lc.token }\n    synchronization: synchronous\n    unmanaged: deactivate\n    protect: [Admin.User]\n",
    );
    let config = load(&path).unwrap();
    let t = &config.targets["academy"];
    assert!(settings(t).synchronous);
    assert_eq!(t.provider(), "learningcloud");
    assert_eq!(t.policy.unmanaged, Unmanaged::Deactivate);
    assert!(t.policy.protect.contains("admin.user"));
}

#[test]
fn asynchronous_by_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lc.token"), "t0k3n").unwrap();
    let path = write(dir.path(), "    token: { file: lc.token }\n");
    let config = load(&path).unwrap();
    assert!(!settings(&config.targets["academy"]).synchronous);
}

#[test]
fn every_problem_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "    token: { env: ROSTER_TEST_SURELY_UNSET_LC_TOKEN }\n    synchronization: sometimes\n    api_key: { env: X }\n    group_id: 3\n    unmanaged: disable\n",
    );
    let err = load(&path).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().map(|l| l.split_once(": ").unwrap().1).collect();
    assert_eq!(
        lines,
        [
            "token: environment variable ROSTER_TEST_SURELY_UNSET_LC_TOKEN is not set",
            "target academy: unknown `synchronization` value \"sometimes\" (expected synchronous or asynchronous)",
            "target academy: `api_key` is not a learningcloud setting",
            "target academy: `group_id` is not a learningcloud setting",
            "target academy: unknown `unmanaged` value \"disable\" (expected report, deactivate or delete)",
        ],
        "{err}"
    );
    assert!(err.contains("roster.yaml:6:"), "{err}");
}

#[test]
fn xtracta_still_refuses_deactivate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.yaml");
    std::fs::write(
        &path,
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: https://api-app.xtracta.com/v1\n    api_key: { env: PATH }\n    group_id: 1\n    unmanaged: deactivate\n",
    )
    .unwrap();
    let err = load(&path).unwrap_err().to_string();
    assert!(
        err.contains("xtracta users cannot be deactivated (use report or delete)"),
        "{err}"
    );
}

fn read(text: &str) -> (Vec<crate::model::DesiredUser>, Vec<String>) {
    let settings = Arc::new(Settings::new(SecretRef::Env("LC".into()), false));
    let target = testing::target(&LEARNINGCLOUD, settings);
    testing::read(&target, text)
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
    let (users, problems) = read(FULL);
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
    let (users, problems) = read(
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
    let (users, problems) = read(text);
    assert!(users.is_empty());
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
    let (_, problems) = read(&format!("{base}    roles: {{ training: [user] }}\n"));
    assert_eq!(
        problems,
        [
            "users/x.yaml:8:12: roles.management needs at least one of: user, groupadmin, admin (add e.g. `management: [user]`)"
        ]
    );
    let (_, problems) = read(&format!("{base}    roles: {{ management: [] }}\n"));
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
    let (users, problems) = read(text);
    assert!(users.is_empty());
    let mut messages: Vec<&str> = problems
        .iter()
        .map(|p| p.splitn(4, ':').nth(3).unwrap().trim())
        .collect();
    messages.sort();
    let mut expected = [
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
    ];
    expected.sort();
    assert_eq!(messages, expected);
}
