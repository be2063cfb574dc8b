//! Unit tests of the world operations in `ops.rs`: what create, update and delete change, and
//! the Identity errors they refuse with.

use super::*;
use crate::sim::uipath::clock::SEED_EPOCH;

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: Some(email.to_owned()),
        name: Some("Ana".to_owned()),
        surname: Some("Lima".to_owned()),
        ..NewUser::default()
    }
}

fn codes(err: OpError) -> Vec<&'static str> {
    match err {
        OpError::Refused(errors) => errors.into_iter().map(|e| e.code).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn at(seconds: i64) -> Timestamp {
    SEED_EPOCH.plus_seconds(seconds)
}

fn world_with_ana() -> (World, Uuid) {
    let mut world = World::default();
    let ana = world
        .create_user(new_user("ana@example.com"), at(1), Uuid::derived(500))
        .unwrap();
    (world, ana)
}

fn administrators(world: &World) -> Uuid {
    world.group_named("administrators").unwrap().id
}

#[test]
fn create_fills_defaults() {
    let (world, id) = world_with_ana();
    assert_eq!(id, Uuid::derived(500));
    let ana = world.user(id).unwrap();
    assert_eq!(
        ana.user_name, "ana@example.com",
        "user name defaults to email"
    );
    assert_eq!(ana.display_name.as_deref(), Some("Ana Lima"));
    assert!(ana.is_active);
    assert!(!ana.email_confirmed);
    assert_eq!(ana.group_ids, [world.everyone().unwrap()]);
    assert_eq!(ana.legacy_id, 1);
    assert_eq!(ana.creation_time, at(1));
    assert_eq!(ana.last_modification_time, None);
}

#[test]
fn create_honours_a_chosen_id_and_refuses_it_twice() {
    let (mut world, _) = world_with_ana();
    let mut bo = new_user("bo@example.com");
    bo.id = Some(Uuid::derived(9));
    bo.group_ids = vec![administrators(&world)];
    bo.legacy_id = Some(40);
    let id = world.create_user(bo.clone(), at(2), Uuid::derived(501));
    assert_eq!(id, Ok(Uuid::derived(9)));
    assert_eq!(world.user(Uuid::derived(9)).unwrap().group_ids.len(), 2);
    assert_eq!(world.next_legacy_id, 41);
    bo.email = Some("other@example.com".to_owned());
    let err = world
        .create_user(bo, at(3), Uuid::derived(502))
        .unwrap_err();
    assert_eq!(codes(err), ["DuplicateUserId"]);
}

#[test]
fn create_refuses_duplicates_case_insensitively_with_every_reason() {
    let (mut world, _) = world_with_ana();
    let twin = new_user(" ANA@example.com");
    let err = world
        .create_user(twin, at(2), Uuid::derived(501))
        .unwrap_err();
    let OpError::Refused(errors) = err else {
        panic!("expected a refusal");
    };
    assert_eq!(errors[0].code, "DuplicateUserName");
    assert_eq!(
        errors[0].description,
        "User name 'ANA@example.com' is already taken."
    );
    assert_eq!(errors[1].code, "DuplicateEmail");
    assert_eq!(world.users.len(), 1);

    let mut by_name = new_user("new@example.com");
    by_name.user_name = Some("Ana@Example.com".to_owned());
    let err = world.create_user(by_name, at(2), Uuid::derived(501));
    assert_eq!(codes(err.unwrap_err()), ["DuplicateUserName"]);
}

#[test]
fn create_checks_password_email_and_groups() {
    let mut world = World::default();
    let mut short = new_user("a@example.com");
    short.password = Some("1234567".to_owned());
    let mut bad = new_user("not-an-address");
    bad.group_ids = vec![Uuid::derived(77)];
    let nameless = NewUser::default();
    let refused: [(NewUser, &[&str]); 3] = [
        (short, &["PasswordTooShort"]),
        (bad, &["InvalidEmail", "InvalidGroup"]),
        (nameless, &["InvalidUserName"]),
    ];
    for (new, want) in refused {
        let err = world.create_user(new, at(1), Uuid::derived(1)).unwrap_err();
        assert_eq!(codes(err), want);
    }
    assert!(world.users.is_empty());

    let mut ok = new_user("a@example.com");
    ok.password = Some("12345678".to_owned());
    assert!(world.create_user(ok, at(1), Uuid::derived(1)).is_ok());
}

#[test]
fn update_leaves_absent_fields_alone() {
    let (mut world, id) = world_with_ana();
    let patch = UserPatch {
        surname: Some("Souza".to_owned()),
        is_active: Some(false),
        ..UserPatch::default()
    };
    world
        .update_user(id, patch, Deployment::Cloud, at(5))
        .unwrap();
    let ana = world.user(id).unwrap();
    assert_eq!(ana.name.as_deref(), Some("Ana"));
    assert_eq!(ana.surname.as_deref(), Some("Souza"));
    assert!(!ana.is_active);
    assert_eq!(ana.last_modification_time, Some(at(5)));
}

#[test]
fn email_changes_depend_on_the_deployment() {
    let (mut world, id) = world_with_ana();
    let change_email = |world: &mut World, email: &str, deployment, seconds| {
        let patch = UserPatch {
            email: Some(email.to_owned()),
            ..UserPatch::default()
        };
        world.update_user(id, patch, deployment, at(seconds))
    };
    let err = change_email(&mut world, "new@example.com", Deployment::Cloud, 2).unwrap_err();
    assert_eq!(codes(err), ["EmailChangeNotSupported"]);
    change_email(&mut world, "ANA@example.com", Deployment::Cloud, 2)
        .expect("re-sending the current address is no change");
    assert_eq!(
        world.user(id).unwrap().email.as_deref(),
        Some("ana@example.com")
    );

    world
        .create_user(new_user("bo@example.com"), at(3), Uuid::derived(600))
        .unwrap();
    let err = change_email(&mut world, "Bo@example.com", Deployment::Onprem, 4).unwrap_err();
    assert_eq!(codes(err), ["DuplicateEmail"]);
    change_email(&mut world, "new@example.com", Deployment::Onprem, 4).unwrap();
    let ana = world.user(id).unwrap();
    assert_eq!(ana.email.as_deref(), Some("new@example.com"));
    assert_eq!(
        ana.user_name, "ana@example.com",
        "the user name never changes"
    );
}

#[test]
fn group_deltas_apply_but_everyone_stays() {
    let (mut world, id) = world_with_ana();
    let (admins, everyone) = (administrators(&world), world.everyone().unwrap());
    let add = UserPatch {
        group_ids_to_add: vec![admins, admins],
        ..UserPatch::default()
    };
    let mut both = vec![admins, everyone];
    both.sort_unstable();
    let remove = UserPatch {
        group_ids_to_remove: vec![admins, everyone],
        ..UserPatch::default()
    };
    for (seconds, patch, want) in [(2, add, both), (3, remove, vec![everyone])] {
        let at = at(seconds);
        world.update_user(id, patch, Deployment::Cloud, at).unwrap();
        assert_eq!(world.user(id).unwrap().group_ids, want);
    }
    let unknown = UserPatch {
        group_ids_to_add: vec![Uuid::derived(3)],
        name: Some("Changed".to_owned()),
        ..UserPatch::default()
    };
    let err = world.update_user(id, unknown, Deployment::Cloud, at(4));
    assert_eq!(codes(err.unwrap_err()), ["InvalidGroup"]);
    assert_eq!(
        world.user(id).unwrap().name.as_deref(),
        Some("Ana"),
        "all or nothing"
    );
}

#[test]
fn unknown_users_are_not_found() {
    let (mut world, id) = world_with_ana();
    let ghost = Uuid::derived(404);
    let patch = UserPatch::default();
    let err = world.update_user(ghost, patch, Deployment::Cloud, at(1));
    assert_eq!(err, Err(OpError::UserNotFound(ghost)));
    assert_eq!(world.delete_user(ghost), Err(OpError::UserNotFound(ghost)));
    assert_eq!(world.delete_user(id), Ok(()));
    assert_eq!(world.delete_user(id), Err(OpError::UserNotFound(id)));
}

#[test]
fn bulk_delete_ignores_unknown_ids() {
    let (mut world, id) = world_with_ana();
    assert_eq!(world.delete_users(&[Uuid::derived(1), id]), 1);
    assert!(world.users.is_empty());
}

#[test]
fn names_and_addresses_stay_unique_after_changes_and_deletes() {
    let (mut world, ana) = world_with_ana();
    let bo = world
        .create_user(new_user("bo@example.com"), at(2), Uuid::derived(501))
        .unwrap();
    let moved = UserPatch {
        email: Some("ana.lima@example.com".to_owned()),
        ..UserPatch::default()
    };
    world
        .update_user(ana, moved.clone(), Deployment::Onprem, at(3))
        .unwrap();
    let err = world
        .update_user(bo, moved, Deployment::Onprem, at(4))
        .unwrap_err();
    assert_eq!(codes(err), ["DuplicateEmail"]);
    let mut other = new_user("ANA@example.com");
    other.user_name = Some("someone-else".to_owned());
    world
        .create_user(other, at(5), Uuid::derived(502))
        .expect("an address given up is free again");
    let err = world
        .create_user(new_user("Ana@Example.com"), at(6), Uuid::derived(503))
        .unwrap_err();
    assert_eq!(
        codes(err),
        ["DuplicateUserName", "DuplicateEmail"],
        "ana keeps her user name, and the address is someone else's now"
    );

    world.delete_users(&[bo, Uuid::derived(999)]);
    world
        .create_user(new_user("BO@example.com"), at(7), Uuid::derived(504))
        .expect("a deleted user's name and address are free again");
    world.delete_user(ana).unwrap();
    let mut reused = new_user("ana.lima@example.com");
    reused.user_name = Some("ana@example.com".to_owned());
    world
        .create_user(reused, at(8), Uuid::derived(505))
        .expect("and so are those of one deleted alone");

    let mut rebuilt = world.clone();
    crate::sim::store::World::normalise(&mut rebuilt);
    assert_eq!(
        (&rebuilt.user_names, &rebuilt.emails),
        (&world.user_names, &world.emails),
        "the indexes are what a rebuild gives"
    );
}
