//! `expires` and `on_expiry` on Xtracta users and their workflows, read from manifest text.

use std::sync::Arc;

use crate::manifest::user::testing;
use crate::model::expiry::OnExpiry;
use crate::secret::SecretRef;

use super::{Settings, XTRACTA};

fn xtracta_read(text: &str) -> (Vec<crate::model::DesiredUser>, Vec<String>) {
    let settings = Arc::new(Settings::new(SecretRef::Env("K".into()), 1));
    testing::read(&testing::target(&XTRACTA, settings), text)
}

#[test]
fn a_user_and_its_workflows_may_end() {
    let (users, problems) = xtracta_read(
        "users:\n  - email: ana@example.com\n    name: Ana\n    expires: 2027-03-31\n    on_expiry: delete\n    workflows: [496553, {id: 498082, expires: '2027-01-15T09:00:00+01:00'}]\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    let e = &users[0].expiry;
    let user = e.user.as_ref().unwrap();
    assert_eq!(user.at.to_rfc3339(), "2027-04-01T00:00:00+00:00");
    assert_eq!(user.written, "2027-03-31");
    assert_eq!(user.origin.to_string(), "users/x.yaml:4:14");
    assert_eq!(e.on_expiry, OnExpiry::Delete);
    let wf = &e.members["workflows"]["498082"];
    assert_eq!(wf.at.to_rfc3339(), "2027-01-15T08:00:00+00:00");
    assert_eq!(
        users[0].fields["workflows"],
        crate::model::Value::set(["496553", "498082"])
    );
}

#[test]
fn wrong_ends_are_located() {
    let (_, problems) = xtracta_read(
        "users:\n  - email: a@example.com\n    name: A\n    expires: 31/03/2027\n    on_expiry: deactivate\n  - email: b@example.com\n    name: B\n    on_expiry: delete\n  - email: c@example.com\n    name: C\n    expires: 2027-01-01\n    on_expiry: never\n",
    );
    assert_eq!(
        problems,
        [
            "users/x.yaml:12:16: unknown `on_expiry` value \"never\" (expected deactivate, delete or report)",
            "users/x.yaml:4:14: `expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not \"31/03/2027\"",
            "users/x.yaml:5:16: xtracta users cannot be deactivated: `on_expiry` may be report or delete",
            "users/x.yaml:8:16: `on_expiry` without `expires`: it says what happens when the user's `expires` passes",
        ]
    );
}
