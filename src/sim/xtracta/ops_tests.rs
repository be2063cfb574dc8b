//! Unit tests of the world operations in `ops.rs`: what each changes, and that every refusal
//! leaves the world as it was.

use super::*;
use crate::sim::store::World as _;

fn new_user(name: &str, email: &str) -> NewUser {
    NewUser {
        name: name.to_owned(),
        email_address: email.to_owned(),
        password: None,
        group_id: 12345,
        workflow_ids: Vec::new(),
    }
}

fn world_with_ana() -> (World, u64) {
    let mut world = World::default();
    let ana = world.add_user(new_user("Ana", "ana@example.com")).unwrap();
    (world, ana.user_id)
}

/// Ana, then Bo.
fn world_with_ana_and_bo() -> (World, u64, u64) {
    let (mut world, ana) = world_with_ana();
    let bo = world.add_user(new_user("Bo", "bo@example.com")).unwrap();
    (world, ana, bo.user_id)
}

/// The ids of the users `scope` lists.
fn listed(world: &World, scope: Scope) -> Vec<u64> {
    let users = world.list_users(scope).unwrap();
    users.iter().map(|u| u.user_id).collect()
}

#[test]
fn add_assigns_monotonic_ids_never_reused() {
    let (mut world, ana) = world_with_ana();
    assert_eq!(ana, world::FIRST_USER_ID);
    world.delete_user(ana).unwrap();
    let bo = world.add_user(new_user("Bo", "bo@example.com")).unwrap();
    assert_eq!(bo.user_id, ana + 1);
}

#[test]
fn add_sorts_and_checks_workflows() {
    let mut world = World::default();
    let mut new = new_user("Ana", " ana@example.com ");
    new.workflow_ids = vec![496941, 496553, 496941];
    let ana = world.add_user(new).unwrap();
    assert_eq!(ana.assigned_workflows, [496553, 496941]);
    assert_eq!(ana.email_address, "ana@example.com");

    let mut new = new_user("Bo", "bo@example.com");
    new.workflow_ids = vec![496553, 1];
    let err = world.add_user(new).unwrap_err();
    assert_eq!(err, WorldError::UnknownWorkflowInList(1));
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn add_refuses_duplicate_email_case_insensitively() {
    let (mut world, _) = world_with_ana();
    let err = world
        .add_user(new_user("Other", " ANA@example.com"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "email address already in use: ANA@example.com"
    );
    assert_eq!(err.status(), StatusCode::CONFLICT);
    assert_eq!(world.users.len(), 1);
}

#[test]
fn add_refuses_bad_input() {
    let mut world = World::default();
    let mut short = new_user("Ana", "ana@example.com");
    short.password = Some("short".to_owned());
    let refused = [
        (
            new_user("Ana", "ana.example.com"),
            "invalid email address (has no @): ana.example.com",
        ),
        (short, "invalid password: must be at least 8 characters"),
    ];
    for (new, why) in refused {
        assert_eq!(world.add_user(new).unwrap_err().to_string(), why);
    }
    let mut elsewhere = new_user("Ana", "ana@example.com");
    elsewhere.group_id = 1;
    assert_eq!(
        world.add_user(elsewhere).unwrap_err().status(),
        StatusCode::NOT_FOUND
    );
    assert!(world.users.is_empty());
    assert_eq!(
        world.next_user_id,
        world::FIRST_USER_ID,
        "refusals use up no id"
    );
}

#[test]
fn update_changes_only_given_fields() {
    let (mut world, ana) = world_with_ana();
    let patch = UserPatch {
        name: Some("Ana Lima".to_owned()),
        password: Some("correct horse".to_owned()),
        ..UserPatch::default()
    };
    let updated = world.update_user(ana, patch).unwrap();
    assert_eq!(updated.name, "Ana Lima");
    assert_eq!(updated.email_address, "ana@example.com");
    assert_eq!(updated.password.as_deref(), Some("correct horse"));
}

#[test]
fn update_allows_own_email_in_new_case_but_not_anothers() {
    let (mut world, ana) = world_with_ana();
    world.add_user(new_user("Bo", "bo@example.com")).unwrap();
    let own = UserPatch {
        email_address: Some("ANA@example.com".to_owned()),
        ..UserPatch::default()
    };
    assert_eq!(
        world.update_user(ana, own).unwrap().email_address,
        "ANA@example.com"
    );
    let theirs = UserPatch {
        email_address: Some("Bo@Example.com".to_owned()),
        ..UserPatch::default()
    };
    let err = world.update_user(ana, theirs).unwrap_err();
    assert_eq!(err, WorldError::DuplicateEmail("Bo@Example.com".to_owned()));
}

#[test]
fn update_and_delete_unknown_user_are_not_found() {
    let mut world = World::default();
    let err = world.update_user(9, UserPatch::default()).unwrap_err();
    assert_eq!(err.to_string(), "user not found: 9");
    assert_eq!(
        world.delete_user(9).unwrap_err().status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn workflow_update_replaces_members() {
    let (mut world, ana, bo) = world_with_ana_and_bo();
    world.replace_workflow_members(496553, &[ana, bo]).unwrap();
    world.replace_workflow_members(496941, &[bo]).unwrap();
    world.replace_workflow_members(496553, &[bo]).unwrap();
    assert_eq!(
        world.user(ana).unwrap().assigned_workflows,
        Vec::<u64>::new()
    );
    assert_eq!(world.user(bo).unwrap().assigned_workflows, [496553, 496941]);
    assert_eq!(listed(&world, Scope::Workflow(496553)), [bo]);
    world.replace_workflow_members(496553, &[]).unwrap();
    assert!(listed(&world, Scope::Workflow(496553)).is_empty());
}

#[test]
fn workflow_update_refuses_unknowns_without_changing_anything() {
    let (mut world, ana) = world_with_ana();
    world.replace_workflow_members(496553, &[ana]).unwrap();
    let before = world.clone();
    assert_eq!(
        world.replace_workflow_members(496553, &[77]),
        Err(WorldError::UnknownUserInList(77))
    );
    assert_eq!(
        world.replace_workflow_members(1, &[ana]),
        Err(WorldError::UnknownWorkflow(1))
    );
    assert_eq!(world, before);
}

#[test]
fn refusals_leave_the_world_unchanged() {
    // `App::write` changes the world in place when there is no state file: it relies on this.
    let (mut world, ana, bo) = world_with_ana_and_bo();
    let before = world.clone();
    let mut bad_workflow = new_user("Cy", "cy@example.com");
    bad_workflow.workflow_ids = vec![496553, 1];
    assert!(world.add_user(bad_workflow).is_err());
    assert!(world.add_user(new_user("Cy", "BO@example.com")).is_err());
    assert!(world.add_user(new_user(" ", "cy@example.com")).is_err());
    let taken = UserPatch {
        name: Some("Ana Renamed".to_owned()),
        email_address: Some("Bo@Example.com".to_owned()),
        ..UserPatch::default()
    };
    assert!(world.update_user(ana, taken).is_err());
    let short = UserPatch {
        name: Some("Ana Renamed".to_owned()),
        password: Some("short".to_owned()),
        ..UserPatch::default()
    };
    assert!(world.update_user(ana, short).is_err());
    assert!(world.update_user(9, UserPatch::default()).is_err());
    assert!(world.delete_user(9).is_err());
    assert!(
        world
            .replace_workflow_members(496553, &[ana, bo, 9])
            .is_err()
    );
    assert_eq!(world, before);
}

#[test]
fn delete_removes_workflow_membership() {
    let (mut world, ana) = world_with_ana();
    world.replace_workflow_members(496553, &[ana]).unwrap();
    world.delete_user(ana).unwrap();
    assert!(listed(&world, Scope::Workflow(496553)).is_empty());
}

#[test]
fn list_scopes() {
    let (mut world, ana) = world_with_ana();
    world.groups.push(777);
    let mut other = new_user("Cy", "cy@example.com");
    other.group_id = 777;
    let cy = world.add_user(other).unwrap().user_id;
    assert_eq!(listed(&world, Scope::KeyGroup), [ana]);
    assert_eq!(listed(&world, Scope::Group(777)), [cy]);
    assert_eq!(
        world.list_users(Scope::Group(5)),
        Err(WorldError::UnknownGroup(5))
    );
    assert_eq!(
        world.list_users(Scope::Workflow(5)),
        Err(WorldError::UnknownWorkflow(5))
    );
}

#[test]
fn addresses_stay_unique_after_renames_and_deletes() {
    let (mut world, ana, bo) = world_with_ana_and_bo();
    let moved = UserPatch {
        email_address: Some("ana.lima@example.com".to_owned()),
        ..UserPatch::default()
    };
    world.update_user(ana, moved.clone()).unwrap();
    let twin = new_user("Ana Twin", "Ana.Lima@example.com");
    assert_eq!(
        world.add_user(twin).unwrap_err(),
        WorldError::DuplicateEmail("Ana.Lima@example.com".to_owned())
    );
    assert_eq!(
        world.update_user(bo, moved).unwrap_err(),
        WorldError::DuplicateEmail("ana.lima@example.com".to_owned())
    );
    let old = world.add_user(new_user("Other Ana", "ANA@example.com"));
    assert!(old.is_ok(), "an address given up is free again");

    world.delete_user(bo).unwrap();
    let back = world.add_user(new_user("Bo Again", "bo@example.com"));
    assert!(back.is_ok(), "a deleted user's address is free again");
    let again = world.add_user(new_user("Bo Twin", " BO@example.com "));
    assert!(again.is_err(), "and taken once it is reused");

    let mut rebuilt = world.clone();
    rebuilt.normalise();
    assert_eq!(
        rebuilt.emails, world.emails,
        "the index is what a rebuild gives"
    );
    assert_eq!(world.emails.holder("ana.lima@example.com"), Some(&ana));
    assert_eq!(
        world.emails.holder("ana@example.com").map(|id| *id > bo),
        Some(true)
    );
}
