//! `expires` on UiPath users and their groups, read from manifest text.

use std::sync::Arc;

use crate::manifest::user::testing;
use crate::model::expiry::OnExpiry;
use crate::secret::SecretRef;

use super::{Settings, UIPATH};

#[test]
fn uipath_groups_may_end() {
    let url: reqwest::Url = "https://cloud.uipath.com/acme/identity_".parse().unwrap();
    let env = || SecretRef::Env("X".into());
    let settings = Arc::new(Settings::new(
        url,
        env(),
        env(),
        "s".into(),
        "p".into(),
        true,
    ));
    let target = testing::target(&UIPATH, settings);
    let (users, problems) = testing::read(
        &target,
        "users:\n  - email: h@example.com\n    name: H\n    on_expiry: deactivate\n    expires: 2027-06-30T12:00:00Z\n    groups: [Finance, {name: Auditors, expires: 2027-02-01T18:00:00Z}]\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    let e = &users[0].expiry;
    assert_eq!(e.on_expiry, OnExpiry::Deactivate);
    assert!(e.members["groups"].contains_key("Auditors"));
    assert!(!e.members["groups"].contains_key("Finance"));
}
