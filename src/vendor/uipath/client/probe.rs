//! UiPath's write probe for `roster doctor --write-probe`: one canary user
//! (`roster-canary-<hex>`, e-mail at `invalid.example`, in no group) is created with a surname;
//! an update of its name alone tells whether PUT keeps what it leaves out (roster's updates
//! send only what changes); joining and leaving one group tells whether the external
//! application has the partition-administrator rights group changes need. The canary is then
//! deleted, always, even after a failure, and the check says loudly when it could not be.
//!
//! Never tries the Administrators group: a canary is never given rights.

use reqwest::Method;
use serde_json::json;

use super::doctor::{PARTITION_ADMIN, PUT};
use super::wire::{self, WireUser};
use super::{EP_CREATE, EVERYONE, Uipath};
use crate::model::{DesiredUser, Value};
use crate::plan::UserRef;
use crate::vendor::ProviderError;
use crate::vendor::doctor::{Check, Diagnosis, canary_email, canary_name};
use crate::vendor::http::Repeat;
use crate::vendor::uipath::names;

const ADMINISTRATORS: &str = "Administrators";

type Step = Result<(), (&'static str, String)>;

pub(super) async fn run(u: &Uipath, desired: &[DesiredUser], d: &mut Diagnosis) {
    let name = canary_name();
    let email = canary_email(&name);
    let mut id = None;
    if let Err((step, e)) = steps(u, desired, &name, &email, &mut id, d).await {
        d.checks.push(Check::fail(
            step,
            e,
            "see the message; the canary is removed below",
        ));
    }
    d.checks.push(cleanup(u, &email, id.as_deref()).await);
}

async fn steps(
    u: &Uipath,
    desired: &[DesiredUser],
    name: &str,
    email: &str,
    id: &mut Option<String>,
    d: &mut Diagnosis,
) -> Step {
    let guid = u.guid_for(email);
    let body = json!({
        "id": guid, "userName": name, "email": email, "name": "Roster", "surname": "Canary",
        "partitionGlobalId": u.s.partition_global_id, "groupIDs": [],
    });
    let created = u
        .call(
            EP_CREATE,
            Method::POST,
            u.api("User"),
            Some(body),
            Repeat::Unsafe,
            |s, b| wire::identity_result(EP_CREATE, s, b),
        )
        .await;
    let lost = match created {
        Ok(()) => false,
        Err(e) if e.is_ambiguous() => true,
        Err(e) => {
            return Err((
                "probe: create",
                u.denied(e, super::rights::Needed::Scope("User", "Write"))
                    .to_string(),
            ));
        }
    };
    let found = find(u, email).await.map_err(|e| ("probe: create", e))?;
    *id = Some(found.id.clone());
    let how = if lost {
        " (its answer was lost; found by e-mail)"
    } else {
        ""
    };
    d.checks.push(Check::ok(
        "probe: create",
        format!("canary {name} created{how}"),
    ));

    u.put(&found.id, json!({ "name": "Roster2" }))
        .await
        .map_err(|e| ("probe: update", e.to_string()))?;
    let after = find(u, email).await.map_err(|e| ("probe: update", e))?;
    if after.name.as_deref() != Some("Roster2") {
        return Err(("probe: update", "the rename did not take effect".into()));
    }
    if after.surname.as_deref() == Some("Canary") {
        d.findings.insert(PUT.into(), "merges".into());
        d.checks.push(Check::ok(
            "probe: update",
            "PUT changes only the fields it sends (the surname stayed), as roster's updates expect",
        ));
    } else {
        d.findings.insert(PUT.into(), "replaces".into());
        return Err((
            "probe: update",
            "PUT reset the surname it did not send: roster's updates, which send only what changes, would clear fields; do not apply, and report this".into(),
        ));
    }

    let Some((group, gid)) = group_to_try(u, desired) else {
        d.checks.push(Check::ok(
            "probe: groups",
            "no group to try (only Everyone and Administrators); the rights for group changes are not known",
        ));
        return Ok(());
    };
    let join = json!({ "groupIDsToAdd": [gid], "groupIDsToRemove": [] });
    match u.put(&after.id, join).await {
        Err(ProviderError::Vendor {
            status: 403,
            message,
            ..
        }) => {
            d.findings.insert(PARTITION_ADMIN.into(), "missing".into());
            d.checks.push(Check::warn(
                "probe: groups",
                format!("joining {group} was refused: {message}"),
                "add the external application to the organisation's administrators, or leave `groups` out of the manifests (people then manage membership)",
            ));
            return Ok(());
        }
        Err(e) => return Err(("probe: groups", e.to_string())),
        Ok(_) => {}
    }
    let joined = find(u, email).await.map_err(|e| ("probe: groups", e))?;
    if !joined.group_ids.iter().flatten().any(|g| *g == gid) {
        return Err((
            "probe: groups",
            format!("joining {group} did not take effect"),
        ));
    }
    let leave = json!({ "groupIDsToAdd": [], "groupIDsToRemove": [gid] });
    u.put(&after.id, leave)
        .await
        .map_err(|e| ("probe: groups", e.to_string()))?;
    d.findings.insert(PARTITION_ADMIN.into(), "present".into());
    d.checks.push(Check::ok(
        "probe: groups",
        format!("the canary joined and left {group}: group changes are allowed"),
    ));
    Ok(())
}

/// A group a manifest names, else any the organisation has; never Everyone or Administrators.
fn group_to_try(u: &Uipath, desired: &[DesiredUser]) -> Option<(String, String)> {
    let groups = u.groups.lock().unwrap_or_else(|e| e.into_inner());
    let allowed = |n: &str| n != EVERYONE && n != ADMINISTRATORS;
    let named = desired
        .iter()
        .filter_map(|d| d.fields.get(names::GROUPS).and_then(Value::as_set))
        .flatten()
        .find(|n| allowed(n) && groups.by_name.contains_key(*n))
        .cloned();
    let mut any: Vec<&String> = groups.by_name.keys().filter(|n| allowed(n)).collect();
    any.sort();
    let name = named.or_else(|| any.first().map(|n| (*n).clone()))?;
    let id = groups.by_name.get(&name)?.clone();
    Some((name, id))
}

/// The canary by e-mail, if it is there.
async fn lookup(u: &Uipath, email: &str) -> Result<Option<WireUser>, String> {
    let users = u.list(Some(email)).await.map_err(|e| e.to_string())?;
    Ok(users.into_iter().find(|w| {
        w.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    }))
}

async fn find(u: &Uipath, email: &str) -> Result<WireUser, String> {
    lookup(u, email)
        .await?
        .ok_or_else(|| format!("the canary {email} is not there"))
}

/// Deletes the canary (looked up by e-mail when its id is not known) and checks it is gone.
async fn cleanup(u: &Uipath, email: &str, id: Option<&str>) -> Check {
    let gone = async {
        let id = match id {
            Some(id) => id.to_string(),
            None => match lookup(u, email).await? {
                Some(found) => found.id,
                None => return Ok(false),
            },
        };
        let user = UserRef {
            id: Some(id),
            ..UserRef::default()
        };
        let deleted = crate::vendor::Provider::delete(u, &user).await;
        match lookup(u, email).await? {
            None => Ok(true),
            Some(_) => Err(deleted.err().map_or_else(
                || "the delete was answered, but the canary is still there".to_string(),
                |e| e.to_string(),
            )),
        }
    };
    match gone.await {
        Ok(true) => Check::ok("probe: cleanup", format!("canary {email} removed")),
        Ok(false) => Check::ok(
            "probe: cleanup",
            format!("canary {email} was never created"),
        ),
        Err(why) => {
            eprintln!("error: COULD NOT REMOVE the canary user {email}: {why}; remove it by hand");
            Check::fail(
                "probe: cleanup",
                format!("COULD NOT REMOVE the canary user {email}: {why}"),
                "delete it by hand in UiPath; until then plans list it as unmanaged (and `unmanaged: delete` deletes it)",
            )
        }
    }
}
