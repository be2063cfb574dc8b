//! Unit tests of the world operations in `ops.rs`: uniqueness, versions and `If-Match`,
//! passwords kept by a PUT, members, and refusals that change nothing.

use serde_json::json;

use super::*;
use crate::sim::seed::Seeded as _;

fn world() -> World {
    World::from_seed(
        "users:\n  - { userName: ana@example.com }\n  - { userName: bo@example.com }\ngroups:\n  - { displayName: Finance, members: [ana@example.com, bo@example.com] }\n",
    )
    .unwrap()
}

fn attrs(v: Json) -> Map<String, Json> {
    let Json::Object(m) = v else { unreachable!() };
    m
}

#[test]
fn user_names_are_unique_whatever_their_case() {
    let mut w = world();
    let e = w
        .create(Kind::User, attrs(json!({"userName": " ANA@example.com"})))
        .unwrap_err();
    assert_eq!(
        (e.status, e.scim_type),
        (StatusCode::CONFLICT, Some("uniqueness"))
    );
    let bo = w.users[1].id.clone();
    let e = w
        .replace(
            Kind::User,
            &bo,
            attrs(json!({"userName": "Ana@Example.com"})),
            Precondition::NONE,
        )
        .unwrap_err();
    assert_eq!(e.status, StatusCode::CONFLICT);
    // A rename frees the old name.
    w.replace(
        Kind::User,
        &bo,
        attrs(json!({"userName": "robert@example.com"})),
        Precondition::NONE,
    )
    .unwrap();
    w.create(Kind::User, attrs(json!({"userName": "bo@example.com"})))
        .unwrap();
}

#[test]
fn versions_count_changes_and_if_match_must_name_the_current_one() {
    let mut w = world();
    let ana = w.users[0].id.clone();
    let mut put_if_match = |tag| {
        let pre = Precondition {
            if_match: Some(tag),
            required: false,
        };
        let body = attrs(json!({"userName": "ana@example.com"}));
        w.replace(Kind::User, &ana, body, pre)
    };
    let e = put_if_match("W/\"0\"").unwrap_err();
    assert_eq!(e.status, StatusCode::PRECONDITION_FAILED);
    let r = put_if_match("W/\"1\"").unwrap();
    assert_eq!(r.etag(), "W/\"2\"");
    let missing = Precondition {
        if_match: None,
        required: true,
    };
    let e = w.delete(Kind::User, &ana, missing).unwrap_err();
    assert_eq!(e.status, StatusCode::PRECONDITION_REQUIRED);
}

#[test]
fn a_put_keeps_the_password_it_leaves_out() {
    let mut w = world();
    let ana = w.users[0].id.clone();
    let body = json!({"userName": "ana@example.com", "password": "s3cret"});
    w.replace(Kind::User, &ana, attrs(body), Precondition::NONE)
        .unwrap();
    let body = json!({"userName": "ana@example.com", "title": "Boss"});
    let r = w
        .replace(Kind::User, &ana, attrs(body), Precondition::NONE)
        .unwrap();
    assert_eq!(r.attributes["password"], "s3cret");
}

#[test]
fn members_must_exist_and_a_deleted_user_leaves_every_group() {
    let mut w = world();
    let e = w
        .create(
            Kind::Group,
            attrs(json!({"displayName": "X", "members": [{"value": "nobody"}]})),
        )
        .unwrap_err();
    assert_eq!(e.scim_type, Some("invalidValue"));
    let ana = w.users[0].id.clone();
    let version = w.groups[0].version;
    w.delete(Kind::User, &ana, Precondition::NONE).unwrap();
    let left: Vec<&str> = w.groups[0].member_ids().collect();
    assert_eq!(left, [w.users[0].id.as_str()]);
    assert_eq!(w.groups[0].version, version + 1);
    let e = w.delete(Kind::User, &ana, Precondition::NONE).unwrap_err();
    assert_eq!(e.status, StatusCode::NOT_FOUND);
}

#[test]
fn a_refused_patch_changes_nothing() {
    let mut w = world();
    let before = w.clone();
    let ana = w.users[0].id.clone();
    let ops = patch::operations(&json!({"Operations": [
        {"op": "replace", "path": "title", "value": "Boss"},
        {"op": "replace", "path": "userName", "value": "bo@example.com"}
    ]}))
    .unwrap();
    assert!(w.patch(Kind::User, &ana, &ops, Precondition::NONE).is_err());
    assert_eq!(w, before);
}
