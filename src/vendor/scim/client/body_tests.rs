//! Unit tests of the bodies roster sends (`body.rs`): a new user, PATCH operations, a user
//! and a group read whole and changed for PUT, member chunks.

use serde_json::json;

use super::*;
use crate::plan::UserRef;

fn change(field: &str, from: Option<Value>, to: Value) -> FieldChange {
    FieldChange {
        user: UserRef::default(),
        field: field.into(),
        from,
        to,
    }
}

fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn a_new_user_carries_what_the_manifest_sets() {
    let fields: Fields = [
        ("user_name", Value::text("ana@x.io")),
        ("email", Value::text("ana@x.io")),
        ("family_name", Value::text("Lima")),
        ("active", Value::Bool(false)),
        ("groups", Value::set(["Finance"])),
        (
            "enterprise",
            map(&[("manager", "9"), ("cost_center", "CC")]),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(
        new_user(&fields, Some("pw")),
        json!({
            "schemas": [USER_URN, ENTERPRISE_URN],
            "userName": "ana@x.io",
            "name": { "familyName": "Lima" },
            "emails": [{ "value": "ana@x.io", "type": "work", "primary": true }],
            "active": false,
            ENTERPRISE_URN: { "costCenter": "CC", "manager": { "value": "9" } },
            "password": "pw"
        })
    );
}

#[test]
fn patch_replaces_exactly_the_changed_attributes() {
    let current = json!({
        "id": "1",
        "Emails": [{ "Value": "old@x.io", "Type": "work" }, { "value": "me@home.io", "type": "home", "primary": "True" }]
    });
    let ops = user_operations(
        &[
            change("given_name", None, Value::text("Ana")),
            change("active", Some(Value::Bool(true)), Value::Bool(false)),
            change("email", None, Value::text("new@x.io")),
            change(
                "enterprise",
                Some(map(&[("department", "Ops"), ("cost_center", "1")])),
                map(&[("department", "Ops"), ("cost_center", "2")]),
            ),
        ],
        Some(&current),
    );
    assert_eq!(
        ops,
        [
            json!({ "op": "replace", "path": "name.givenName", "value": "Ana" }),
            json!({ "op": "replace", "path": "active", "value": false }),
            json!({ "op": "replace", "path": "emails", "value": [
                { "Value": "old@x.io", "Type": "work" },
                { "value": "new@x.io", "type": "home", "primary": "True" }
            ] }),
            json!({ "op": "replace", "path": format!("{ENTERPRISE_URN}:costCenter"), "value": "2" }),
        ]
    );
}

#[test]
fn put_changes_managed_attributes_where_they_are_and_keeps_the_rest() {
    let current = json!({
        "schemas": [USER_URN],
        "id": "1",
        "UserName": "ana@x.io",
        "Name": { "GivenName": "Ana", "Formatted": "Ana Lima" },
        "title": "Boss",
        "phoneNumbers": [{ "value": "+1 555" }],
        "meta": { "version": "W/\"3\"" }
    });
    let Json::Object(current) = current else {
        unreachable!()
    };
    let merged = merged_user(
        current,
        &[
            change("given_name", None, Value::text("Anna")),
            change("user_name", None, Value::text("anna@x.io")),
            change("email", None, Value::text("anna@x.io")),
            change("enterprise", None, map(&[("department", "Ops")])),
        ],
    );
    assert_eq!(
        merged,
        json!({
            "schemas": [USER_URN, ENTERPRISE_URN],
            "id": "1",
            "UserName": "anna@x.io",
            "Name": { "GivenName": "Anna", "Formatted": "Ana Lima" },
            "title": "Boss",
            "phoneNumbers": [{ "value": "+1 555" }],
            "emails": [{ "value": "anna@x.io", "type": "work", "primary": true }],
            ENTERPRISE_URN: { "department": "Ops" }
        })
    );
}

#[test]
fn member_changes_in_chunks_of_a_hundred() {
    let ids = |n: usize, p: &str| -> Vec<String> { (0..n).map(|i| format!("{p}{i}")).collect() };
    let chunks = member_chunks(&ids(150, "j"), &ids(60, "l"));
    let sizes: Vec<(usize, usize)> = chunks.iter().map(|(j, l)| (j.len(), l.len())).collect();
    assert_eq!(sizes, [(100, 0), (50, 50), (0, 10)]);
    assert_eq!(
        member_operations(&["a".into()], &["b\"".into()]),
        [
            json!({ "op": "add", "path": "members", "value": [{ "value": "a" }] }),
            json!({ "op": "remove", "path": "members[value eq \"b\\\"\"]" }),
        ]
    );
    assert!(member_chunks(&[], &[]).is_empty());
}

#[test]
fn put_keeps_the_members_roster_does_not_manage() {
    let group = json!({
        "id": "g",
        "displayName": "Finance",
        "Members": [{ "Value": "keep", "display": "Kim" }, { "value": "go" }, { "value": "stay" }],
        "meta": { "version": "1" }
    });
    let Json::Object(group) = group else {
        unreachable!()
    };
    assert_eq!(
        member_values(&group),
        ["go", "keep", "stay"].map(String::from).into()
    );
    let merged = merged_group(group, &["new".into(), "stay".into()], &["go".into()]);
    assert_eq!(
        merged,
        json!({
            "id": "g",
            "displayName": "Finance",
            "Members": [{ "Value": "keep", "display": "Kim" }, { "value": "stay" }, { "value": "new" }],
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]
        })
    );
}
