//! Unit tests of PATCH (`patch.rs`): paths, filters, the extension, no-path values, and the
//! refusals.

use serde_json::json;

use super::*;

fn run(kind: Kind, start: Json, body: Json) -> Result<Json, Refusal> {
    let Json::Object(mut attrs) = start else {
        unreachable!()
    };
    apply(kind, &mut attrs, &operations(&body)?)?;
    Ok(Json::Object(attrs))
}

fn ops(list: Json) -> Json {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list })
}

#[test]
fn replace_paths_sub_attributes_extension_and_no_path() {
    let got = run(
        Kind::User,
        json!({"userName": "ana", "name": {"givenName": "A", "familyName": "L"}, "title": "Boss"}),
        ops(json!([
            {"op": "Replace", "path": "name.givenName", "value": "Ana"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "9"}},
            {"op": "replace", "value": {"active": "False", "displayName": "Ana L", "id": "ignored"}},
            {"op": "add", "path": "emails", "value": [{"value": "a@x.io", "type": "work"}]},
        ])),
    )
    .unwrap();
    assert_eq!(
        got,
        json!({
            "userName": "ana", "name": {"givenName": "Ana", "familyName": "L"}, "title": "Boss",
            ENTERPRISE_URN: {"department": "Ops", "manager": {"value": "9"}},
            "active": false, "displayName": "Ana L",
            "emails": [{"value": "a@x.io", "type": "work"}]
        })
    );
}

#[test]
fn members_add_and_remove_by_filter_and_a_repeated_remove_succeeds() {
    let group = json!({"displayName": "G", "members": [{"value": "a"}, {"value": "b"}]});
    let body = ops(json!([
        {"op": "add", "path": "members", "value": [{"value": "c"}, {"value": "a"}]},
        {"op": "remove", "path": "members[value eq \"b\"]"},
        {"op": "remove", "path": "members[value eq \"gone\"]"},
    ]));
    let got = run(Kind::Group, group, body).unwrap();
    assert_eq!(got["members"], json!([{"value": "a"}, {"value": "c"}]));
    let e = run(
        Kind::Group,
        got,
        ops(json!([{"op": "replace", "path": "members[value eq \"zz\"].type", "value": "User"}])),
    )
    .unwrap_err();
    assert_eq!(e.scim_type, Some("noTarget"));
}

#[test]
fn filtered_sub_attribute_paths_and_removals() {
    let user = json!({"userName": "a", "emails": [{"value": "w@x.io", "type": "work"}, {"value": "h@x.io", "type": "home"}]});
    let got = run(
        Kind::User,
        user,
        ops(json!([
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@x.io"},
            {"op": "remove", "path": "emails[type eq \"home\"]"},
        ])),
    )
    .unwrap();
    assert_eq!(
        got["emails"],
        json!([{"value": "new@x.io", "type": "work"}])
    );
    let got = run(
        Kind::User,
        got,
        ops(json!([{"op": "remove", "path": "emails"}])),
    )
    .unwrap();
    assert_eq!(got, json!({"userName": "a"}));
}

#[test]
fn refusals_name_their_kind() {
    let user = json!({"userName": "a"});
    let kind = |body: Json| run(Kind::User, user.clone(), body).unwrap_err().scim_type;
    assert_eq!(kind(ops(json!([{"op": "remove"}]))), Some("noTarget"));
    assert_eq!(
        kind(ops(json!([{"op": "add", "path": "shoe", "value": 1}]))),
        Some("invalidPath")
    );
    assert_eq!(
        kind(ops(json!([{"op": "add", "path": "groups", "value": []}]))),
        Some("mutability")
    );
    assert_eq!(
        kind(ops(json!([{"op": "remove", "path": "userName"}]))),
        Some("invalidValue")
    );
    assert_eq!(
        kind(ops(json!([{"op": "move", "path": "userName"}]))),
        Some("invalidSyntax")
    );
    assert_eq!(kind(json!({"schemas": []})), Some("invalidSyntax"));
    assert_eq!(
        kind(ops(
            json!([{"op": "replace", "path": "active", "value": "maybe"}])
        )),
        Some("invalidValue")
    );
}
