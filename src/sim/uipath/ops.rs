//! What the Identity user API does to the world: create, update and delete users.
//! Business refusals are [`IdentityError`]s (the `errors` of an `IdentityResult`), named
//! after ASP.NET Core Identity's codes where one fits.
//!
//! Pure and synchronous: no I/O, no HTTP parsing, no clock (callers pass `now` and fresh
//! ids), no persistence. Callers hold the lock. User names and addresses are checked for
//! uniqueness through the world's indexes, never by a scan over every user.

use std::collections::HashSet;

use super::Deployment;
use super::clock::Timestamp;
use super::ids::Uuid;
use super::world::{self, User, UserType, World, fold};

/// The shortest password accepted.
pub(crate) const MIN_PASSWORD: usize = 8;

/// One entry of a failed `IdentityResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityError {
    pub(crate) code: &'static str,
    pub(crate) description: String,
}

impl IdentityError {
    fn new(code: &'static str, description: String) -> Self {
        Self { code, description }
    }

    fn duplicate_user_id(id: Uuid) -> Self {
        Self::new(
            "DuplicateUserId",
            format!("User id '{id}' is already taken."),
        )
    }

    fn duplicate_user_name(name: &str) -> Self {
        let description = format!("User name '{name}' is already taken.");
        Self::new("DuplicateUserName", description)
    }

    fn duplicate_email(email: &str) -> Self {
        Self::new(
            "DuplicateEmail",
            format!("Email '{email}' is already taken."),
        )
    }

    fn invalid_user_name(name: &str) -> Self {
        let description =
            format!("User name '{name}' is invalid, can only contain letters or digits.");
        Self::new("InvalidUserName", description)
    }

    fn invalid_email(email: &str) -> Self {
        Self::new("InvalidEmail", format!("Email '{email}' is invalid."))
    }

    fn password_too_short() -> Self {
        let description = format!("Passwords must be at least {MIN_PASSWORD} characters.");
        Self::new("PasswordTooShort", description)
    }

    fn invalid_group(id: Uuid) -> Self {
        Self::new("InvalidGroup", format!("Group '{id}' does not exist."))
    }

    fn email_change_not_supported() -> Self {
        let description = "Changing a user email address is not supported.".to_owned();
        Self::new("EmailChangeNotSupported", description)
    }

    pub(crate) fn invalid_partition(id: Uuid) -> Self {
        Self::new("InvalidPartition", format!("Partition '{id}' is invalid."))
    }
}

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OpError {
    #[error("user not found: {0}")]
    UserNotFound(Uuid),
    #[error("refused: {}", .0.iter().map(|e| e.code).collect::<Vec<_>>().join(", "))]
    Refused(Vec<IdentityError>),
}

/// A `CreateUserCommand`, already checked for shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NewUser {
    pub(crate) id: Option<Uuid>,
    pub(crate) user_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) surname: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) user_type: UserType,
    pub(crate) password: Option<String>,
    pub(crate) group_ids: Vec<Uuid>,
    pub(crate) legacy_id: Option<i64>,
    pub(crate) bypass_basic_auth_restriction: bool,
    pub(crate) invitation_accepted: bool,
}

/// An `UpdateUserCommand`: `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserPatch {
    pub(crate) name: Option<String>,
    pub(crate) surname: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) is_active: Option<bool>,
    pub(crate) password: Option<String>,
    pub(crate) group_ids_to_add: Vec<Uuid>,
    pub(crate) group_ids_to_remove: Vec<Uuid>,
    pub(crate) bypass_basic_auth_restriction: Option<bool>,
    pub(crate) invitation_accepted: Option<bool>,
}

impl World {
    /// Creates a user with `new.id`, else `fresh_id`; answers the id.
    pub(crate) fn create_user(
        &mut self,
        new: NewUser,
        now: Timestamp,
        fresh_id: Uuid,
    ) -> Result<Uuid, OpError> {
        let id = new.id.unwrap_or(fresh_id);
        if self.user(id).is_some() {
            return Err(refused(vec![IdentityError::duplicate_user_id(id)]));
        }
        if let Some(problem) = new.password.as_deref().and_then(password_problem) {
            return Err(refused(vec![problem]));
        }
        let email = new.email.map(|e| e.trim().to_owned());
        let user_name = new
            .user_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .or_else(|| email.clone())
            .unwrap_or_default();
        let mut errors = Vec::new();
        if world::user_name_problem(&user_name).is_some() {
            errors.push(IdentityError::invalid_user_name(&user_name));
        } else if self.user_name_taken(&user_name, None) {
            errors.push(IdentityError::duplicate_user_name(&user_name));
        }
        if let Some(email) = email.as_deref() {
            errors.extend(self.email_error(email, None));
        }
        errors.extend(self.unknown_groups(&new.group_ids));
        if !errors.is_empty() {
            return Err(refused(errors));
        }
        let legacy_id = new.legacy_id.unwrap_or(self.next_legacy_id);
        self.next_legacy_id = self.next_legacy_id.max(legacy_id.saturating_add(1));
        let display_name = new
            .display_name
            .or_else(|| world::default_display_name(new.name.as_deref(), new.surname.as_deref()));
        let mut group_ids = new.group_ids;
        group_ids.extend(self.everyone());
        group_ids.sort_unstable();
        group_ids.dedup();
        self.user_names.claim(fold(&user_name), id);
        if let Some(email) = email.as_deref().filter(|e| !e.is_empty()) {
            self.emails.claim(fold(email), id);
        }
        self.users.push(User {
            id,
            user_name,
            email: email.filter(|e| !e.is_empty()),
            email_confirmed: false,
            name: new.name,
            surname: new.surname,
            display_name,
            creation_time: now,
            last_modification_time: None,
            last_login_time: None,
            group_ids,
            legacy_id,
            is_active: true,
            bypass_basic_auth_restriction: new.bypass_basic_auth_restriction,
            user_type: new.user_type,
            invitation_accepted: new.invitation_accepted,
            password: new.password,
        });
        self.users.sort_by_key(|u| (u.creation_time, u.id));
        Ok(id)
    }

    /// Applies `patch`; all or nothing. `Everyone` membership cannot be removed (ignored).
    pub(crate) fn update_user(
        &mut self,
        id: Uuid,
        patch: UserPatch,
        deployment: Deployment,
        now: Timestamp,
    ) -> Result<(), OpError> {
        let user = self.user(id).ok_or(OpError::UserNotFound(id))?;
        let current = user.email.as_deref().unwrap_or_default();
        // Re-sending the current address is no change; in the cloud, not even in another case.
        let new_email = patch
            .email
            .as_deref()
            .map(str::trim)
            .filter(|email| match deployment {
                Deployment::Cloud => fold(email) != fold(current),
                Deployment::Onprem => *email != current,
            });
        let mut errors = Vec::new();
        if let Some(email) = new_email {
            match deployment {
                Deployment::Cloud => errors.push(IdentityError::email_change_not_supported()),
                Deployment::Onprem => errors.extend(self.email_error(email, Some(id))),
            }
        }
        errors.extend(patch.password.as_deref().and_then(password_problem));
        errors.extend(self.unknown_groups(&patch.group_ids_to_add));
        errors.extend(self.unknown_groups(&patch.group_ids_to_remove));
        if !errors.is_empty() {
            return Err(refused(errors));
        }
        let new_email = new_email.map(str::to_owned);
        let everyone = self.everyone();
        let user = self
            .users
            .iter_mut()
            .find(|u| u.id == id)
            .ok_or(OpError::UserNotFound(id))?;
        if let Some(email) = new_email {
            if let Some(old) = user.address() {
                self.emails.release(&fold(old), &id);
            }
            user.email = Some(email).filter(|e| !e.is_empty());
            if let Some(new) = user.address() {
                self.emails.claim(fold(new), id);
            }
        }
        let set = |field: &mut Option<String>, value: Option<String>| {
            if value.is_some() {
                *field = value;
            }
        };
        set(&mut user.name, patch.name);
        set(&mut user.surname, patch.surname);
        set(&mut user.display_name, patch.display_name);
        if patch.password.is_some() {
            user.password = patch.password;
        }
        user.is_active = patch.is_active.unwrap_or(user.is_active);
        user.bypass_basic_auth_restriction = patch
            .bypass_basic_auth_restriction
            .unwrap_or(user.bypass_basic_auth_restriction);
        user.invitation_accepted = patch
            .invitation_accepted
            .unwrap_or(user.invitation_accepted);
        user.group_ids.extend(patch.group_ids_to_add);
        user.group_ids
            .retain(|g| Some(*g) == everyone || !patch.group_ids_to_remove.contains(g));
        user.group_ids.sort_unstable();
        user.group_ids.dedup();
        user.last_modification_time = Some(now);
        Ok(())
    }

    pub(crate) fn delete_user(&mut self, id: Uuid) -> Result<(), OpError> {
        match self.delete_users(&[id]) {
            0 => Err(OpError::UserNotFound(id)),
            _ => Ok(()),
        }
    }

    /// Deletes the listed users; ids of users that do not exist are ignored. Answers how many
    /// were deleted.
    pub(crate) fn delete_users(&mut self, ids: &[Uuid]) -> usize {
        let ids: HashSet<Uuid> = ids.iter().copied().collect();
        let before = self.users.len();
        let (user_names, emails) = (&mut self.user_names, &mut self.emails);
        self.users.retain(|u| {
            let kept = !ids.contains(&u.id);
            if !kept {
                user_names.release(&fold(&u.user_name), &u.id);
                if let Some(email) = u.address() {
                    emails.release(&fold(email), &u.id);
                }
            }
            kept
        });
        before - self.users.len()
    }

    fn user_name_taken(&self, user_name: &str, except: Option<Uuid>) -> bool {
        self.user_names.taken(&fold(user_name), except.as_ref())
    }

    /// An invalid or taken address; an empty one is allowed (a user without e-mail).
    fn email_error(&self, email: &str, except: Option<Uuid>) -> Option<IdentityError> {
        if email.is_empty() {
            return None;
        }
        if world::email_problem(email).is_some() {
            return Some(IdentityError::invalid_email(email));
        }
        let taken = self.emails.taken(&fold(email), except.as_ref());
        taken.then(|| IdentityError::duplicate_email(email))
    }

    fn unknown_groups(&self, ids: &[Uuid]) -> Vec<IdentityError> {
        let mut unknown: Vec<Uuid> = ids
            .iter()
            .copied()
            .filter(|id| self.group(*id).is_none())
            .collect();
        unknown.dedup();
        unknown
            .into_iter()
            .map(IdentityError::invalid_group)
            .collect()
    }
}

fn refused(errors: Vec<IdentityError>) -> OpError {
    OpError::Refused(errors)
}

fn password_problem(password: &str) -> Option<IdentityError> {
    (password.chars().count() < MIN_PASSWORD).then(IdentityError::password_too_short)
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
