//! Xtracta's write probe for `roster doctor --write-probe`: one canary user
//! (`roster-canary-<hex>@invalid.example`, in the target's group) is added; an update of its
//! name alone tells whether the e-mail it leaves out stays; roster's own membership change
//! adds it to one workflow the manifests name and takes it out again, and the workflow's
//! other members must survive both (when the canary was its only member, leaving sends an
//! empty `user_ids=`). The canary is then deleted, always, even after a failure, and the check
//! says loudly when it could not be.

use super::wire::WireUser;
use super::{ADD, Xtracta};
use crate::model::{DesiredUser, Value};
use crate::plan::{Membership, UserRef};
use crate::vendor::doctor::{Check, Diagnosis, canary_email, canary_name};
use crate::vendor::http::Repeat;
use crate::vendor::xtracta::names;
use crate::vendor::{Provider, ProviderError};

pub(crate) const UPDATE: &str = "update";
pub(crate) const EMPTY_USER_IDS: &str = "empty_user_ids";

type Step = Result<(), (&'static str, String)>;

pub(super) async fn run(x: &Xtracta, desired: &[DesiredUser], d: &mut Diagnosis) {
    let email = canary_email(&canary_name());
    let mut id = None;
    if let Err((step, e)) = steps(x, desired, &email, &mut id, d).await {
        d.checks.push(Check::fail(
            step,
            e,
            "see the message; the canary is removed below",
        ));
    }
    d.checks.push(cleanup(x, &email, id.as_deref()).await);
}

async fn steps(
    x: &Xtracta,
    desired: &[DesiredUser],
    email: &str,
    id: &mut Option<String>,
    d: &mut Diagnosis,
) -> Step {
    let params = vec![
        ("name", "Roster Canary".to_string()),
        ("email_address", email.to_string()),
        ("group_id", x.group_id.to_string()),
    ];
    let added = x.post(ADD, "user_response", Repeat::Unsafe, params).await;
    let lost = match added {
        Ok(_) => false,
        Err(e) if e.is_ambiguous() => true,
        Err(e) => return Err(("probe: create", e.to_string())),
    };
    let found = find(x, email).await.map_err(|e| ("probe: create", e))?;
    let canary = found.user_id.trim().to_string();
    *id = Some(canary.clone());
    let how = if lost {
        " (its answer was lost; found by e-mail)"
    } else {
        ""
    };
    d.checks.push(Check::ok(
        "probe: create",
        format!("canary {email} added{how}"),
    ));

    let rename = vec![
        ("user_id", canary.clone()),
        ("name", "Roster Canary 2".to_string()),
    ];
    x.post(super::UPDATE, "user_response", Repeat::Safe, rename)
        .await
        .map_err(|e| ("probe: update", e.to_string()))?;
    let after = find(x, email).await.map_err(|e| ("probe: update", e))?;
    if after.name.as_deref() != Some("Roster Canary 2") {
        return Err(("probe: update", "the rename did not take effect".into()));
    }
    d.findings.insert(UPDATE.into(), "partial".into());
    d.checks.push(Check::ok(
        "probe: update",
        "user/update changes only the fields it sends (the e-mail stayed), as roster's updates expect",
    ));

    let members = |list: Vec<WireUser>| -> Vec<String> {
        let mut ids: Vec<String> = list
            .into_iter()
            .map(|u| u.user_id.trim().to_string())
            .collect();
        ids.sort();
        ids
    };
    let step = "probe: workflows";
    let named: std::collections::BTreeSet<&String> = desired
        .iter()
        .filter_map(|u| u.fields.get(names::WORKFLOWS).and_then(Value::as_set))
        .flatten()
        .collect();
    // Of the workflows named that exist (the workflows check reports the others), the one
    // with the fewest members: the least disturbed, and when empty, leaving it again tells
    // how the vendor takes an empty `user_ids=`.
    let mut chosen: Option<(String, Vec<String>)> = None;
    for wf in named.into_iter().take(20) {
        if let Ok(list) = x.list("workflow_id", wf).await {
            let list = members(list);
            if chosen.as_ref().is_none_or(|(_, c)| list.len() < c.len()) {
                chosen = Some((wf.clone(), list));
            }
        }
    }
    let Some((workflow, before)) = chosen else {
        d.checks.push(Check::ok(
            step,
            "the manifests name no existing workflow to try membership with",
        ));
        return Ok(());
    };
    let user = UserRef {
        id: Some(canary.clone()),
        ..UserRef::default()
    };
    let change = |join: bool| Membership {
        field: names::WORKFLOWS.into(),
        collection: workflow.clone(),
        join: if join { vec![user.clone()] } else { Vec::new() },
        leave: if join { Vec::new() } else { vec![user.clone()] },
    };
    x.membership(&change(true))
        .await
        .map_err(|e| (step, e.to_string()))?;
    let joined = members(
        x.list("workflow_id", &workflow)
            .await
            .map_err(|e| (step, e.to_string()))?,
    );
    let mut want = before.clone();
    want.push(canary.clone());
    want.sort();
    if joined != want {
        return Err((
            step,
            format!("after joining workflow {workflow} its members are {joined:?}, not {want:?}"),
        ));
    }
    x.membership(&change(false))
        .await
        .map_err(|e| (step, e.to_string()))?;
    let left = members(
        x.list("workflow_id", &workflow)
            .await
            .map_err(|e| (step, e.to_string()))?,
    );
    if left != before {
        return Err((
            step,
            format!("after leaving workflow {workflow} its members are {left:?}, not {before:?}"),
        ));
    }
    let empty = if before.is_empty() {
        d.findings.insert(EMPTY_USER_IDS.into(), "empties".into());
        "; leaving sent an empty user_ids=, which emptied it"
    } else {
        ""
    };
    d.checks.push(Check::ok(
        step,
        format!("the canary joined and left workflow {workflow}, and its {} other members stayed{empty}", before.len()),
    ));
    Ok(())
}

/// The canary by e-mail in the target's group, if it is there.
async fn lookup(x: &Xtracta, email: &str) -> Result<Option<WireUser>, String> {
    let users = x
        .list("group_id", &x.group_id.to_string())
        .await
        .map_err(|e| e.to_string())?;
    Ok(users
        .into_iter()
        .find(|u| u.email_address.trim().eq_ignore_ascii_case(email)))
}

async fn find(x: &Xtracta, email: &str) -> Result<WireUser, String> {
    lookup(x, email)
        .await?
        .ok_or_else(|| format!("the canary {email} is not there"))
}

/// Deletes the canary (looked up by e-mail when its id is not known) and checks it is gone.
async fn cleanup(x: &Xtracta, email: &str, id: Option<&str>) -> Check {
    let gone = async {
        let id = match id {
            Some(id) => id.to_string(),
            None => match lookup(x, email).await? {
                Some(found) => found.user_id.trim().to_string(),
                None => return Ok(false),
            },
        };
        let user = UserRef {
            id: Some(id),
            ..UserRef::default()
        };
        let deleted = x.delete(&user).await;
        match lookup(x, email).await? {
            None => Ok(true),
            Some(_) => Err(deleted.err().map_or_else(
                || "the delete was answered, but the canary is still there".to_string(),
                |e: ProviderError| e.to_string(),
            )),
        }
    };
    match gone.await {
        Ok(true) => Check::ok("probe: cleanup", format!("canary {email} removed")),
        Ok(false) => Check::ok("probe: cleanup", format!("canary {email} was never added")),
        Err(why) => {
            eprintln!("error: COULD NOT REMOVE the canary user {email}: {why}; remove it by hand");
            Check::fail(
                "probe: cleanup",
                format!("COULD NOT REMOVE the canary user {email}: {why}"),
                "delete it by hand in Xtracta; until then plans list it as unmanaged (and `unmanaged: delete` deletes it)",
            )
        }
    }
}
