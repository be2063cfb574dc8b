//! Unit tests of the world operations in `ops.rs`: ids and defaults, required fields, paging,
//! and what an update keeps, replaces and clears.

use super::*;
use crate::sim::learningcloud::roles::roles;

fn text(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn new_user(username: &str) -> NewUser {
    NewUser {
        profile: Profile {
            username: text(username),
            email: text(&format!("{username}@acme.example")),
            ..Profile::default()
        },
        ..NewUser::default()
    }
}

fn full_profile(username: &str) -> Profile {
    Profile {
        username: text(username),
        name: text("Rest"),
        surname: text("User"),
        language: text("en"),
        timezone: text("Europe/Madrid"),
        email: text("rest@acme.example"),
    }
}

fn world_with(usernames: &[&str]) -> World {
    let mut world = World::default();
    for username in usernames {
        world.create_user(new_user(username)).unwrap();
    }
    world
}

#[test]
fn create_assigns_counter_ids_never_reused_and_defaults() {
    let mut world = world_with(&["ana"]);
    let ana = world.get("ana").unwrap().clone();
    assert_eq!(ana.id, ids::user_id(1));
    assert_eq!(ana.common_id, ids::common_id(1));
    assert!(ana.enabled);
    assert_eq!(ana.roles, roles::default_roles());
    assert_eq!(ana.auth_source, "LOCAL");
    assert_eq!(ana.name, None);
    world.delete_user("ana").unwrap();
    let bo = world.create_user(new_user("bo")).unwrap();
    assert_eq!(bo, ids::user_id(2));
}

#[test]
fn create_refuses_missing_duplicate_and_bad_input() {
    let mut world = world_with(&["restuser.acme"]);
    let mut nameless = new_user("x");
    nameless.profile.username = text("  ");
    assert_eq!(
        world.create_user(nameless).unwrap_err().to_string(),
        "username is required"
    );
    let err = world.create_user(new_user("RestUser.ACME")).unwrap_err();
    assert_eq!(err.to_string(), "username already exists: RestUser.ACME");
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);

    let mut bad_roles = new_user("cy");
    bad_roles.details.roles = Some(roles(&[("training", &["trainer"])]));
    let err = world.create_user(bad_roles).unwrap_err();
    assert_eq!(err, WorldError::Roles(RoleError::ManagementRequired));

    let mut bad_field = new_user("cy");
    bad_field.details.extended_fields = BTreeMap::from([("shoeSize".to_owned(), text("44"))]);
    assert_eq!(
        world.create_user(bad_field).unwrap_err().to_string(),
        "unknown extended field: shoeSize (configured: costCenter, department)"
    );
    assert_eq!(world.users.len(), 1);
}

#[test]
fn paging_is_stable_and_capped() {
    let mut world = World::default();
    for i in 0..700 {
        world.create_user(new_user(&format!("u{i:03}"))).unwrap();
    }
    let first = world.page(0, 10_000);
    assert_eq!(first.len(), PAGE_LIMIT);
    assert_eq!(first[0].username, "u000");
    let second = world.page(500, 500);
    assert_eq!(second.len(), 200);
    assert_eq!(second[0].username, "u500");
    assert!(world.page(700, 500).is_empty());
    assert!(world.page(usize::MAX, usize::MAX).is_empty());
    assert_eq!(world.page(698, 5).len(), 2);
    assert!(world.page(0, 0).is_empty());
}

#[test]
fn update_requires_the_core_fields_in_documented_order() {
    let mut world = world_with(&["ana"]);
    let mut update = UserUpdate {
        profile: full_profile("ana"),
        ..UserUpdate::default()
    };
    update.profile.surname = None;
    update.profile.email = text("");
    let err = world
        .update_user("ana", update, PutReading::Merge)
        .unwrap_err();
    assert_eq!(err.to_string(), "surname is required");
    let err = world
        .update_user("nobody", UserUpdate::default(), PutReading::Merge)
        .unwrap_err();
    assert_eq!(err.to_string(), "user not found: nobody");
    assert_eq!(err.status(), StatusCode::NOT_FOUND);
}

#[test]
fn update_replaces_given_fields_and_keeps_absent_ones() {
    let mut world = world_with(&["ana", "bo"]);
    let mut create = new_user("cy");
    create.details.external_id = Some(text("HR-1"));
    create.details.office_phone = Some(text("+34 1"));
    create.details.extended_fields = BTreeMap::from([
        ("costCenter".to_owned(), text("CC-1")),
        ("department".to_owned(), text("Ops")),
    ]);
    create.details.roles = Some(roles(&[
        ("management", &["user"]),
        ("training", &["trainer"]),
    ]));
    let id = world.create_user(create).unwrap();

    let mut update = UserUpdate {
        profile: full_profile("cy.renamed"),
        ..UserUpdate::default()
    };
    update.details.roles = Some(roles(&[("management", &["admin", "admin"])]));
    update.details.extended_fields = BTreeMap::from([("department".to_owned(), None)]);
    update.details.enabled = Some(false);
    update.details.mobile_phone = Some(text("+34 2"));
    update.details.image = Some(Some(Image::Upload));
    world.update_user(&id, update, PutReading::Merge).unwrap();
    let cy = world.get(&id).unwrap();
    assert_eq!(cy.username, "cy.renamed");
    assert_eq!(cy.name.as_deref(), Some("Rest"));
    assert_eq!(cy.roles, roles(&[("management", &["admin"])]));
    assert_eq!(
        cy.extended_fields,
        BTreeMap::from([("costCenter".to_owned(), "CC-1".to_owned())])
    );
    assert!(!cy.enabled);
    assert_eq!(cy.external_id.as_deref(), Some("HR-1"), "absent: unchanged");
    assert_eq!(cy.office_phone.as_deref(), Some("+34 1"));
    assert_eq!(cy.mobile_phone.as_deref(), Some("+34 2"));
    assert!(cy.image_url.as_deref().unwrap().ends_with(&id));
    assert!(world.get("cy").is_err(), "the old username is gone");

    let mut clash = UserUpdate {
        profile: full_profile("BO"),
        ..UserUpdate::default()
    };
    clash.details.external_id = Some(None);
    let err = world
        .update_user(&id, clash.clone(), PutReading::Merge)
        .unwrap_err();
    assert_eq!(err.to_string(), "username already exists: BO");
    clash.profile.username = text("CY.Renamed");
    world
        .update_user("cy.renamed", clash, PutReading::Merge)
        .unwrap();
    let cy = world.get(&id).unwrap();
    assert_eq!(cy.username, "CY.Renamed", "a user may keep its own name");
    assert_eq!(cy.external_id, None, "null clears");
}

#[test]
fn activate_deactivate_password_and_delete() {
    let mut world = world_with(&["ana"]);
    world.set_enabled("ana", false).unwrap();
    assert!(!world.get("ana").unwrap().enabled);
    world.set_enabled("ANA", true).unwrap();
    assert!(world.get("ana").unwrap().enabled);
    assert_eq!(
        world.change_password("ana", None).unwrap_err().to_string(),
        "newPassword is required"
    );
    world.change_password("ana", text("s3cret!")).unwrap();
    assert_eq!(
        world.get("ana").unwrap().password.as_deref(),
        Some("s3cret!")
    );
    world.delete_user("ana").unwrap();
    assert_eq!(
        world.delete_user("ana").unwrap_err(),
        WorldError::UserNotFound("ana".to_owned())
    );
}

#[test]
fn replace_resets_what_the_body_leaves_out_and_keeps_ids_and_password() {
    let mut create = new_user("cy");
    create.password = text("secret-pw");
    create.details.enabled = Some(false);
    create.details.external_id = Some(text("HR-1"));
    create.details.office_phone = Some(text("+34 1"));
    create.details.auth_source = text("LDAP");
    create.details.extended_fields = BTreeMap::from([("costCenter".to_owned(), text("CC-1"))]);
    create.details.roles = Some(roles(&[("management", &["admin"])]));
    let mut world = World::default();
    let id = world.create_user(create).unwrap();
    let held = world.get(&id).unwrap().clone();

    let core = UserUpdate {
        profile: full_profile("cy"),
        ..UserUpdate::default()
    };
    world
        .update_user(&id, core.clone(), PutReading::Merge)
        .unwrap();
    let merged = world.get(&id).unwrap().clone();
    assert_eq!(
        (merged.external_id.as_deref(), merged.enabled),
        (Some("HR-1"), false),
        "merge keeps what is left out"
    );
    world.update_user(&id, core, PutReading::Replace).unwrap();
    let replaced = world.get(&id).unwrap();
    let fresh = User::new(1, "cy");
    assert_eq!(
        (&replaced.id, &replaced.common_id),
        (&held.id, &held.common_id)
    );
    assert_eq!(replaced.password.as_deref(), Some("secret-pw"));
    assert_eq!(replaced.name.as_deref(), Some("Rest"));
    assert_eq!(
        (&replaced.roles, replaced.enabled, &replaced.auth_source),
        (&fresh.roles, fresh.enabled, &fresh.auth_source)
    );
    assert_eq!(
        (&replaced.external_id, &replaced.office_phone),
        (&None, &None)
    );
    assert!(replaced.extended_fields.is_empty());
}

#[test]
fn usernames_stay_unique_after_renames_and_deletes() {
    let mut world = world_with(&["ana", "bo"]);
    let ana = world.get("ana").unwrap().id.clone();
    for reading in [PutReading::Merge, PutReading::Replace] {
        let renamed = UserUpdate {
            profile: full_profile("Ana.Lima"),
            ..UserUpdate::default()
        };
        world.update_user(&ana, renamed, reading).unwrap();
        assert_eq!(world.get("ana.lima").unwrap().id, ana);
        assert!(world.get("ana").is_err(), "the old name is gone");
        let err = world.create_user(new_user("ANA.LIMA")).unwrap_err();
        assert_eq!(err, WorldError::DuplicateUsername("ANA.LIMA".to_owned()));
        let back = UserUpdate {
            profile: full_profile("ana"),
            ..UserUpdate::default()
        };
        world.update_user(&ana, back, reading).unwrap();
    }
    let taken = UserUpdate {
        profile: full_profile("BO"),
        ..UserUpdate::default()
    };
    let err = world.update_user(&ana, taken, PutReading::Replace);
    assert_eq!(err, Err(WorldError::DuplicateUsername("BO".to_owned())));
    world.create_user(new_user("ana.lima")).unwrap();

    world.delete_user("bo").unwrap();
    assert!(world.get("bo").is_err());
    world.create_user(new_user("Bo")).unwrap();
    assert!(world.create_user(new_user("bO")).is_err());

    let mut rebuilt = world.clone();
    crate::sim::store::World::normalise(&mut rebuilt);
    assert_eq!(
        rebuilt.usernames, world.usernames,
        "the index is what a rebuild gives"
    );
}
