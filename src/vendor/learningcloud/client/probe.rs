//! learningCloud's write probe for `roster doctor --write-probe`: one canary user
//! (`roster-canary-<hex>`, e-mail at `invalid.example`, a `location` roster does not manage)
//! is created; roster's own update renames it (the location must survive whatever PUT does);
//! an update with the six core fields only tells whether PUT replaces the record (the location
//! is gone) or merges into it; a role section is added and emptied again. The canary is then
//! deleted, always, even after a failure, and the check says loudly when it could not be.
//!
//! Writes are sent `synchronous`, so that each answer is final before it is read back.

use reqwest::Method;
use serde_json::{Value as Json, json};

use super::doctor::PUT;
use super::{CREATE, LearningCloud, UPDATE, record};
use crate::model::Value;
use crate::plan::{FieldChange, Update, UserRef};
use crate::vendor::ProviderError;
use crate::vendor::doctor::{Check, Diagnosis, canary_email, canary_name};
use crate::vendor::http::Repeat;
use crate::vendor::learningcloud::names;

const MARK: &str = "roster doctor canary";

/// The canary as the vendor shows it.
struct Seen {
    id: String,
    record: Json,
}

pub(super) async fn run(lc: &LearningCloud, d: &mut Diagnosis) {
    let name = canary_name();
    let mut id = None;
    let result = steps(lc, &name, &mut id, d).await;
    if let Err((step, e)) = result {
        d.checks.push(Check::fail(
            step,
            e,
            "see the message; the canary is removed below",
        ));
    }
    d.checks.push(cleanup(lc, &name, id.as_deref()).await);
}

type Step = Result<(), (&'static str, String)>;

async fn steps(lc: &LearningCloud, name: &str, id: &mut Option<String>, d: &mut Diagnosis) -> Step {
    let body = json!({ "user": {
        "username": name, "email": canary_email(name), "name": "Roster", "surname": "Canary",
        "language": "en", "timezone": "UTC", "location": MARK,
        "roles": { "management": ["user"] },
    }});
    let created = lc
        .write(
            CREATE,
            Repeat::Unsafe,
            Method::POST,
            lc.url(&[]),
            Some(bytes(&body)),
        )
        .await;
    let lost = match created {
        Ok(_) => false,
        Err(e) if e.is_ambiguous() => true,
        Err(e) => return Err(("probe: create", e.to_string())),
    };
    let found = read(lc, name).await.map_err(|e| ("probe: create", e))?;
    *id = Some(found.id.clone());
    let how = if lost {
        " (its answer was lost; found by username)"
    } else {
        ""
    };
    d.checks.push(Check::ok(
        "probe: create",
        format!("canary {name} created{how}"),
    ));

    // roster's own update: the whole record back, one managed field changed.
    let rename = update(&found, vec![change(names::NAME, "Roster2")]);
    let body = record::update_body(&found.record.to_string(), &rename)
        .map_err(|e| ("probe: update", e.to_string()))?;
    put(lc, &found.id, body)
        .await
        .map_err(|e| ("probe: update", e))?;
    let after = read(lc, &found.id)
        .await
        .map_err(|e| ("probe: update", e))?;
    if after.record["name"] != "Roster2" {
        return Err(("probe: update", "the rename did not take effect".into()));
    }
    if after.record["location"] != MARK {
        return Err((
            "probe: update",
            "roster's update lost the location, a field it does not manage: report this".into(),
        ));
    }
    d.checks.push(Check::ok(
        "probe: update",
        "roster's update renamed the canary and kept the fields it does not manage",
    ));

    // The vendor's reading: a body of the six core fields only.
    let core = ["username", "email", "surname", "language", "timezone"]
        .into_iter()
        .map(|k| (k.to_string(), after.record[k].clone()))
        .chain([("name".to_string(), json!("Roster3"))])
        .collect::<serde_json::Map<_, _>>();
    put(lc, &after.id, bytes(&json!({ "user": core })))
        .await
        .map_err(|e| ("probe: put", e))?;
    let bare = read(lc, &after.id).await.map_err(|e| ("probe: put", e))?;
    let (finding, detail) = if bare.record["location"] == MARK {
        (
            "merges",
            "PUT merges: a field the body leaves out stays as it was",
        )
    } else {
        (
            "replaces",
            "PUT replaces the record: what the body leaves out is reset; roster sends the whole record, so nothing is lost",
        )
    };
    d.findings.insert(PUT.into(), finding.into());
    d.checks.push(Check::ok("probe: put", detail));

    // Roles, the one collection learningCloud users have: a section added, then emptied.
    for (roles, want) in [
        (
            &["management:user", "training:trainer"][..],
            json!(["trainer"]),
        ),
        (&["management:user"][..], json!([])),
    ] {
        let now = read(lc, &bare.id).await.map_err(|e| ("probe: roles", e))?;
        let set = Value::set(roles.iter().copied());
        let change = FieldChange {
            user: UserRef::default(),
            field: names::ROLES.into(),
            from: None,
            to: set,
        };
        let body = record::update_body(&now.record.to_string(), &update(&now, vec![change]))
            .map_err(|e| ("probe: roles", e.to_string()))?;
        put(lc, &now.id, body)
            .await
            .map_err(|e| ("probe: roles", e))?;
        let got = read(lc, &now.id).await.map_err(|e| ("probe: roles", e))?;
        let training = &got.record["roles"]["training"];
        let same = training == &want || (want == json!([]) && training.is_null());
        if !same {
            return Err((
                "probe: roles",
                format!(
                    "roles.training is {training} after sending {want}: the role map is not replaced as a whole"
                ),
            ));
        }
    }
    d.checks.push(Check::ok(
        "probe: roles",
        "a role section sent is set, and one sent as [] is emptied",
    ));
    Ok(())
}

fn change(field: &str, to: &str) -> FieldChange {
    FieldChange {
        user: UserRef::default(),
        field: field.into(),
        from: None,
        to: Value::text(to),
    }
}

fn update(seen: &Seen, changes: Vec<FieldChange>) -> Update {
    Update {
        user: UserRef {
            key: seen.record["username"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase(),
            id: Some(seen.id.clone()),
            ..UserRef::default()
        },
        changes,
        actual: crate::model::Fields::new(),
    }
}

fn bytes(body: &Json) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_default()
}

async fn put(lc: &LearningCloud, id: &str, body: Vec<u8>) -> Result<(), String> {
    lc.write(UPDATE, Repeat::Safe, Method::PUT, lc.url(&[id]), Some(body))
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

async fn read(lc: &LearningCloud, id_or_username: &str) -> Result<Seen, String> {
    match lc.get(id_or_username).await {
        Ok(Some(found)) => {
            let record = serde_json::from_str(&found.record).unwrap_or(Json::Null);
            Ok(Seen {
                id: found.user.id.trim().to_string(),
                record,
            })
        }
        Ok(None) => Err(format!("the canary {id_or_username} is not there")),
        Err(e) => Err(e.to_string()),
    }
}

/// Deletes the canary (looked up by name when its id is not known) and checks it is gone.
async fn cleanup(lc: &LearningCloud, name: &str, id: Option<&str>) -> Check {
    let gone = async {
        let id = match id {
            Some(id) => id.to_string(),
            None => match lc.get(name).await.map_err(|e| e.to_string())? {
                Some(found) => found.user.id.trim().to_string(),
                None => return Ok(false),
            },
        };
        let user = UserRef {
            id: Some(id.clone()),
            ..UserRef::default()
        };
        let deleted = crate::vendor::Provider::delete(lc, &user).await;
        match lc.get(&id).await {
            Ok(None) => Ok(true),
            Ok(Some(_)) => Err(deleted.err().map_or_else(
                || "the delete was answered, but the canary is still there".to_string(),
                |e: ProviderError| e.to_string(),
            )),
            Err(e) => Err(e.to_string()),
        }
    };
    match gone.await {
        Ok(true) => Check::ok("probe: cleanup", format!("canary {name} removed")),
        Ok(false) => Check::ok("probe: cleanup", format!("canary {name} was never created")),
        Err(why) => {
            eprintln!("error: COULD NOT REMOVE the canary user {name}: {why}; remove it by hand");
            Check::fail(
                "probe: cleanup",
                format!("COULD NOT REMOVE the canary user {name}: {why}"),
                "delete it by hand in learningCloud; until then plans list it as unmanaged (and `unmanaged: delete` deletes it)",
            )
        }
    }
}
