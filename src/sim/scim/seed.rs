//! Reads a YAML seed into a [`World`], reporting every problem with its line and column
//! (the reporting is the shared `crate::sim::seed`).
//!
//! Parses text only; reading the file is `store.rs`'s job.
//!
//! ```yaml
//! users:        # each a SCIM User as a client would POST it, in YAML; `id` optional
//!   - { userName: ana@example.com, name: { givenName: Ana, familyName: Lima },
//!       emails: [{ value: ana@example.com, type: work, primary: true }], active: true,
//!       title: Analyst, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User: { department: Ops } }
//! groups:       # members by userName
//!   - { displayName: Finance, members: [ana@example.com] }
//! ```
//!
//! Resources get ids from the world's counter in seed order, users first (the first seeded
//! user is `world::id(1)`), unless the seed names one.

use serde::Deserialize;
use serde_json::{Map, Value as Json, json};
use serde_saphyr::{Location, Spanned};

use super::request;
use super::store::Subject;
use super::world::{self, Kind, Resource, World};
use crate::sim::problem::Problem;
use crate::sim::seed::{self, SeedError, Seeded};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    #[serde(default)]
    users: Vec<Spanned<Map<String, Json>>>,
    #[serde(default)]
    groups: Vec<Spanned<RawGroup>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    #[serde(rename = "displayName")]
    display_name: String,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default, rename = "externalId")]
    external_id: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

impl Seeded for World {
    fn from_seed(text: &str) -> Result<World, SeedError> {
        let raw: RawSeed = seed::read(text)?;
        let where_is = |s: Subject| -> Location {
            match s {
                Subject::User(i) => raw.users[i].referenced,
                Subject::Group(i) => raw.groups[i].referenced,
            }
        };
        let mut extra = Vec::new();
        let world = to_world(&raw, &mut extra);
        seed::finish(world, extra, where_is)
    }
}

fn resource(world: &mut World, id: Option<String>, attributes: Map<String, Json>) -> Resource {
    let id = id.unwrap_or_else(|| {
        let id = world::id(world.next_id);
        world.next_id += 1;
        id
    });
    let now = world::now();
    Resource {
        id,
        version: 1,
        created: now.clone(),
        last_modified: now,
        attributes,
    }
}

/// Builds the world in seed order, so that problem indices map back to seed entries.
fn to_world(raw: &RawSeed, extra: &mut Vec<Problem<Subject>>) -> World {
    let mut world = World::default();
    for u in &raw.users {
        let mut body = u.value.clone();
        let id = body
            .remove("id")
            .and_then(|v| v.as_str().map(str::to_string));
        // A user the simulator would refuse is kept as written: the world's check says why.
        let attributes = request::resource(Kind::User, &Json::Object(body.clone())).unwrap_or(body);
        let r = resource(&mut world, id, attributes);
        world.users.push(r);
    }
    for (i, g) in raw.groups.iter().enumerate() {
        let g = &g.value;
        let mut members = Vec::new();
        for name in &g.members {
            let key = world::fold(name);
            let found = world
                .users
                .iter()
                .find(|u| u.text("userName").map(world::fold) == Some(key.clone()));
            match found {
                Some(u) => members.push(json!({ "value": u.id })),
                None => extra.push(problem(
                    Subject::Group(i),
                    format!("no user {name} to be a member"),
                )),
            }
        }
        let mut attributes = Map::new();
        attributes.insert("displayName".into(), json!(g.display_name));
        if !members.is_empty() {
            attributes.insert("members".into(), Json::Array(members));
        }
        if let Some(x) = &g.external_id {
            attributes.insert("externalId".into(), json!(x));
        }
        let r = resource(&mut world, g.id.clone(), attributes);
        world.groups.push(r);
    }
    world
}

fn problem(subject: Subject, message: String) -> Problem<Subject> {
    Problem {
        subject,
        message,
        first: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "\
users:
  - { userName: ana@example.com, name: { givenName: Ana }, active: 'False', title: Analyst }
  - { id: fixed-7, userName: bo@example.com, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User: { department: Ops } }
groups:
  - { displayName: Finance, members: [ANA@example.com, bo@example.com] }
";

    #[test]
    fn parses_the_documented_seed() {
        let world = World::from_seed(SEED).unwrap();
        let ana = &world.users[0];
        assert_eq!(ana.id, world::id(1));
        assert_eq!(ana.attributes["active"], json!(false));
        assert_eq!(ana.attributes["title"], json!("Analyst"));
        assert_eq!(world.users[1].id, "fixed-7");
        let members: Vec<&str> = world.groups[0].member_ids().collect();
        assert_eq!(members, [world::id(1).as_str(), "fixed-7"]);
        assert_eq!(world.groups[0].id, world::id(2));
        assert_eq!(World::from_seed("{}").unwrap(), World::default());
    }

    #[test]
    fn reports_every_problem_with_locations() {
        let text = "\
users:
  - { userName: ana }
  - { userName: ANA }
  - { name: { givenName: X } }
groups:
  - { displayName: G, members: [nobody] }
";
        let err = World::from_seed(text).unwrap_err().to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            [
                "3:5: duplicate userName \"ANA\" (first at 2:5)",
                "4:5: userName is required",
                "6:5: no user nobody to be a member",
            ]
        );
    }
}
