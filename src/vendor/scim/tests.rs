//! SCIM's target keys and manifest users, read through the core's config and manifest
//! readers as a user writes them, and what `import` writes back.

use std::path::Path;
use std::sync::Arc;

use crate::config::load;
use crate::manifest::user::testing;
use crate::model::{ActualUser, Value};
use crate::secret::SecretRef;

use super::{PatchMode, SCIM, Settings};

fn write(dir: &Path, target: &str) -> std::path::PathBuf {
    let path = dir.join("roster.yaml");
    let text = format!(
        "manifests: users\ntargets:\n  chat:\n    provider: scim\n    url: https://scim.example.com/scim/v2\n{target}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn settings(t: &crate::config::Target) -> &Settings {
    t.settings.as_any().downcast_ref::<Settings>().unwrap()
}

#[test]
fn reads_token_page_size_and_patch_with_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chat.token"), "t0k3n-abc").unwrap();
    let path = write(
        dir.path(),
        "    token: { file: chat.token }\n    page_size: 50\n    patch: never\n    unmanaged: deactivate\n    protect: [Admin@Example.com]\n",
    );
    let config = load(&path).unwrap();
    let t = &config.targets["chat"];
    assert_eq!(
        (settings(t).page_size, settings(t).patch),
        (50, PatchMode::Never)
    );
    assert!(t.policy.protect.contains("admin@example.com"));
    let path = write(
        dir.path(),
        "    token: { file: chat.token }\n    page_size: null\n",
    );
    let config = load(&path).unwrap();
    let s = settings(&config.targets["chat"]);
    assert_eq!((s.page_size, s.patch), (100, PatchMode::Auto));
}

#[test]
fn every_target_problem_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "    page_size: 0\n    patch: sometimes\n    api_key: { env: X }\n",
    );
    let err = load(&path).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().map(|l| l.split_once(": ").unwrap().1).collect();
    assert_eq!(
        lines,
        [
            "missing `token` (e.g. `token: { env: NAME }`)",
            "target chat: page_size must be 1 to 10000, not 0",
            "target chat: unknown `patch` value \"sometimes\" (expected auto, always or never)",
            "target chat: `api_key` is not a scim setting",
        ],
        "{err}"
    );
}

fn target() -> crate::config::Target {
    let settings = Arc::new(Settings::new(
        SecretRef::Env("T".into()),
        100,
        PatchMode::Auto,
    ));
    testing::target(&SCIM, settings)
}

fn read(text: &str) -> (Vec<crate::model::DesiredUser>, Vec<String>) {
    testing::read(&target(), text)
}

#[test]
fn every_field_kind() {
    let (users, problems) = read(
        "\
users:
  - user_name: Ana@Example.com
    id: 2819c223-7f76-453a-919d-413861904646
    email: ana@example.com
    given_name: Ana
    family_name: Lima
    display_name: Ana Lima
    active: false
    external_id: HR-00123
    groups: [Finance, Admins]
    enterprise: { employee_number: '701984', cost_center: CC-4, manager: 26118915-6090-4610-87e4-49d8ca9f808d }
",
    );
    assert_eq!(problems, Vec::<String>::new());
    let u = &users[0];
    assert_eq!(u.key, "ana@example.com");
    assert_eq!(
        u.id.as_deref(),
        Some("2819c223-7f76-453a-919d-413861904646")
    );
    let f = &u.fields;
    assert_eq!(f["user_name"], Value::text("Ana@Example.com"));
    assert_eq!(f["active"], Value::Bool(false));
    assert_eq!(f["groups"], Value::set(["Admins", "Finance"]));
    assert_eq!(
        f["enterprise"],
        Value::Map(
            [
                ("cost_center", "CC-4"),
                ("employee_number", "701984"),
                ("manager", "26118915-6090-4610-87e4-49d8ca9f808d")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into()
        )
    );
}

#[test]
fn only_the_user_name_is_required_and_active_defaults_to_true() {
    let (users, problems) = read("users:\n  - user_name: bo\n");
    assert!(problems.is_empty(), "{problems:?}");
    let names: Vec<&str> = users[0].fields.keys().collect();
    assert_eq!(names, ["active", "user_name"]);
    assert_eq!(users[0].fields["active"], Value::Bool(true));
}

#[test]
fn bad_values_unknown_keys_and_foreign_fields_are_located() {
    let text = "\
users:
  - email: nope
    id: ''
    workflows: [1]
    groups: [A, A, '']
    enterprise: { department: '', shoe_size: '44' }
";
    let (users, problems) = read(text);
    assert!(users.is_empty());
    assert_eq!(
        problems,
        [
            "users/x.yaml:2:12: invalid e-mail \"nope\"",
            "users/x.yaml:2:5: missing field `user_name`",
            "users/x.yaml:3:9: `id` is empty",
            "users/x.yaml:4:16: `workflows` is not a field of scim users",
            "users/x.yaml:5:17: group \"A\" listed twice",
            "users/x.yaml:5:20: empty group name",
            "users/x.yaml:6:31: `department` is empty",
            "users/x.yaml:6:35: unknown field `shoe_size`, expected one of employee_number, department, cost_center, manager",
        ]
    );
}

#[test]
fn import_writes_what_reads_back_the_same() {
    let fields = [
        ("user_name", Value::text("Ana@Example.com")),
        ("email", Value::text("ana@example.com")),
        ("given_name", Value::text("Ana")),
        ("display_name", Value::text("Ana \"the\" Lima")),
        ("active", Value::Bool(false)),
        ("groups", Value::set(["Finance"])),
        (
            "enterprise",
            Value::Map([("department".to_string(), "Ops".to_string())].into()),
        ),
    ];
    let user = ActualUser {
        id: "u-1".into(),
        key: "ana@example.com".into(),
        fields: fields
            .iter()
            .cloned()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    let t = target();
    let lines = t.settings.import(&user);
    let mut text = String::from("users:\n  - id: \"u-1\"\n");
    for (k, v) in &lines {
        text.push_str(&format!("    {k}: {v}\n"));
    }
    let (users, problems) = read(&text);
    assert!(problems.is_empty(), "{problems:?}\n{text}");
    assert_eq!(users[0].fields, user.fields, "{text}");
    assert_eq!(users[0].id.as_deref(), Some("u-1"));
}
