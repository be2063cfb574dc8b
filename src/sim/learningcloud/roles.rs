//! learningCloud's role map (section → roles): the documented sections and roles, and the
//! check every role map passes before it reaches the world.
//!
//! Pure; knows nothing of users or HTTP.

use std::collections::BTreeMap;

/// Section → roles, as on the wire.
pub(crate) type Roles = BTreeMap<String, Vec<String>>;

/// The documented sections and their roles (newest version of "Update user").
pub(crate) const SECTIONS: [(&str, &[&str]); 6] = [
    ("management", &["user", "groupadmin", "admin"]),
    ("training", &["user", "trainer", "groupadmin", "admin"]),
    ("social", &["user", "admin"]),
    (
        "play",
        &["user", "author", "validator", "admin", "groupadmin"],
    ),
    ("talent", &["admin", "employee"]),
    (
        "content",
        &["author", "manager", "reviewer", "projectowner"],
    ),
];

/// Why a role map is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RoleError {
    #[error("unknown roles section: {0} (allowed: {sections})", sections = section_names())]
    UnknownSection(String),
    #[error("invalid role in roles.{section}: {role} (allowed: {allowed})")]
    UnknownRole {
        section: String,
        role: String,
        allowed: String,
    },
    #[error("roles.management needs at least one of: user, groupadmin, admin")]
    ManagementRequired,
}

fn section_names() -> String {
    SECTIONS.map(|(name, _)| name).join(", ")
}

/// What a user gets when created without roles.
pub(crate) fn default_roles() -> Roles {
    Roles::from([("management".to_owned(), vec!["user".to_owned()])])
}

/// Checks `roles` and returns it normalised: duplicate roles dropped (first kept), empty
/// sections other than management dropped.
pub(crate) fn normalise(roles: &Roles) -> Result<Roles, RoleError> {
    let mut out = Roles::new();
    for (section, given) in roles {
        let Some((_, allowed)) = SECTIONS.iter().find(|(name, _)| name == section) else {
            return Err(RoleError::UnknownSection(section.clone()));
        };
        let mut kept: Vec<String> = Vec::new();
        for role in given {
            if !allowed.contains(&role.as_str()) {
                return Err(RoleError::UnknownRole {
                    section: section.clone(),
                    role: role.clone(),
                    allowed: allowed.join(", "),
                });
            }
            if !kept.contains(role) {
                kept.push(role.clone());
            }
        }
        if !kept.is_empty() {
            out.insert(section.clone(), kept);
        }
    }
    if !out.contains_key("management") {
        return Err(RoleError::ManagementRequired);
    }
    Ok(out)
}

/// A role map from string slices, for tests.
#[cfg(test)]
pub(crate) fn roles(pairs: &[(&str, &[&str])]) -> Roles {
    pairs
        .iter()
        .map(|(s, rs)| {
            (
                (*s).to_owned(),
                rs.iter().map(|r| (*r).to_owned()).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_role_is_accepted() {
        for (section, allowed) in SECTIONS {
            let given = roles(&[("management", &["admin"]), (section, allowed)]);
            let out = normalise(&given).unwrap();
            assert_eq!(out[section].len(), allowed.len(), "{section}");
        }
    }

    #[test]
    fn normalises_duplicates_and_empty_sections() {
        let given = roles(&[("management", &["user", "admin", "user"]), ("social", &[])]);
        let out = normalise(&given).unwrap();
        assert_eq!(out, roles(&[("management", &["user", "admin"])]));
    }

    #[test]
    fn refusals_name_section_and_role() {
        let err = normalise(&roles(&[
            ("management", &["user"]),
            ("training", &["boss"]),
        ]));
        assert_eq!(
            err.unwrap_err().to_string(),
            "invalid role in roles.training: boss (allowed: user, trainer, groupadmin, admin)"
        );
        let err = normalise(&roles(&[("management", &["user"]), ("gaming", &["user"])]));
        assert_eq!(
            err.unwrap_err().to_string(),
            "unknown roles section: gaming (allowed: management, training, social, play, talent, content)"
        );
        let err = normalise(&roles(&[("play", &["groupadmin"])])).unwrap_err();
        assert_eq!(err, RoleError::ManagementRequired);
        let err = normalise(&roles(&[("management", &[])])).unwrap_err();
        assert_eq!(err, RoleError::ManagementRequired);
        let err = normalise(&roles(&[("management", &["trainer"])])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid role in roles.management: trainer")
        );
    }
}
