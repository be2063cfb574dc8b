//! Reads a YAML seed into a [`World`], reporting every problem with its line and column
//! (the reporting is the shared `crate::sim::seed`).
//!
//! Parses text only; reading the file is `store.rs`'s job.
//!
//! ```yaml
//! extended_fields: [costCenter, department]   # optional; this is the default
//! users:
//!   - { username: restuser.acme, email: rest@acme.example, name: Rest, surname: User,
//!       language: en, timezone: Europe/Madrid, enabled: true,
//!       roles: { management: [user], training: [trainer] }, external_id: HR-1,
//!       extended_fields: { costCenter: CC-1 }, password: optional }
//! ```
//!
//! Only `username` is required. `enabled` defaults to true, `roles` to `{management: [user]}`,
//! `auth_source` to `LOCAL`; `office_phone`, `mobile_phone`, `interests`, `about_me`,
//! `location` and `image_url` are optional too. Users get ids and commonIds from the world's
//! counter in seed order (the first seeded user is `ids::user_id(1)`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::roles::{self, Roles};
use super::world::{LOCAL, Subject, User, World};
use crate::sim::problem::Problems;
use crate::sim::seed::{self, FromSeed};

/// Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RawSeed {
    extended_fields: Option<Vec<Spanned<String>>>,
    users: Vec<Spanned<RawUser>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    username: String,
    email: Option<String>,
    name: Option<String>,
    surname: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    enabled: Option<bool>,
    roles: Option<Roles>,
    external_id: Option<String>,
    #[serde(default)]
    extended_fields: BTreeMap<String, String>,
    auth_source: Option<String>,
    office_phone: Option<String>,
    mobile_phone: Option<String>,
    interests: Option<String>,
    about_me: Option<String>,
    location: Option<String>,
    image_url: Option<String>,
    password: Option<String>,
}

impl FromSeed for World {
    type Raw = RawSeed;

    /// Users get ids and commonIds from the world's counter, in seed order.
    fn build(raw: &RawSeed, _: &mut Problems<Subject>) -> World {
        let mut world = World::default();
        if let Some(keys) = &raw.extended_fields {
            world.extended_fields = keys.iter().map(|k| k.value.clone()).collect();
        }
        for (seq, user) in (1..).zip(&raw.users) {
            let user = &user.value;
            world.users.push(User {
                email: user.email.clone(),
                name: user.name.clone(),
                surname: user.surname.clone(),
                language: user.language.clone(),
                timezone: user.timezone.clone(),
                enabled: user.enabled.unwrap_or(true),
                roles: user.roles.clone().unwrap_or_else(roles::default_roles),
                external_id: user.external_id.clone(),
                extended_fields: user.extended_fields.clone(),
                auth_source: user.auth_source.clone().unwrap_or_else(|| LOCAL.to_owned()),
                office_phone: user.office_phone.clone(),
                mobile_phone: user.mobile_phone.clone(),
                interests: user.interests.clone(),
                about_me: user.about_me.clone(),
                location: user.location.clone(),
                image_url: user.image_url.clone(),
                password: user.password.clone(),
                ..User::new(seq, user.username.clone())
            });
            world.next_seq = seq + 1;
        }
        world
    }

    fn location(raw: &RawSeed, subject: Subject) -> Location {
        match subject {
            Subject::ExtendedField(i) => raw
                .extended_fields
                .as_deref()
                .map_or(Location::UNKNOWN, |keys| seed::entry(keys, i)),
            Subject::User(i) => seed::entry(&raw.users, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::learningcloud::ids;
    use crate::sim::seed::{Seeded as _, checks};

    const SEED: &str = "\
extended_fields: [costCenter, department]
users:
  - { username: restuser.acme, email: rest@acme.example, name: Rest, surname: User, language: en, timezone: Europe/Madrid, enabled: true, roles: { management: [user], training: [trainer] }, external_id: HR-1, extended_fields: { costCenter: CC-1 }, password: optional }
  - { username: bo, enabled: false }
";

    #[test]
    fn parses_the_documented_seed() {
        let world = World::from_seed(SEED).unwrap();
        let rest = &world.users[0];
        assert_eq!(rest.id, ids::user_id(1));
        assert_eq!(rest.roles["training"], ["trainer"]);
        assert_eq!(rest.extended_fields["costCenter"], "CC-1");
        assert_eq!(rest.password.as_deref(), Some("optional"));
        let bo = &world.users[1];
        assert_eq!(bo.id, ids::user_id(2));
        assert!(!bo.enabled);
        assert_eq!(bo.roles, roles::default_roles());
        assert_eq!(bo.auth_source, "LOCAL");
        assert_eq!(world.next_seq, 3);
        assert_eq!(World::from_seed("{}").unwrap(), World::default());
    }

    #[test]
    fn refuses_a_seed_at_the_locations_of_its_problems() {
        let misspelt = "users:\n  - { username: a, emial: a@x.com }\n";
        checks::assert_refused_at::<World>(misspelt, 2, "emial");
        let text = "\
extended_fields: [costCenter, costCenter]
users:
  - { username: ana, roles: { training: [user] } }
  - { username: ANA, extended_fields: { shoeSize: '44' } }
";
        assert_eq!(
            checks::refused::<World>(text),
            [
                "1:31: duplicate extended field costCenter (first at 1:19)",
                "3:5: roles.management needs at least one of: user, groupadmin, admin",
                "4:5: duplicate username ANA (first at 3:5)",
                "4:5: unknown extended field shoeSize",
            ]
        );
    }
}
