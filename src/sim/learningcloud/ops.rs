//! What learningCloud's user services do to the world: list a page, get, create, update,
//! activate, deactivate, change a password and delete. Each refusal is a [`WorldError`]
//! carrying its HTTP status.
//!
//! Pure and synchronous: no I/O, no JSON, no persistence. Callers hold the lock. Usernames are
//! checked for uniqueness through the world's index, never by a scan over every user.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use super::ids;
use super::roles::{self, RoleError, Roles};
use super::world::{self, User, World};

/// The most users one `GET /users` answers with.
pub(crate) const PAGE_LIMIT: usize = 500;

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WorldError {
    #[error("user not found: {0}")]
    UserNotFound(String),
    /// A required field that is absent, null or blank, by its wire name.
    #[error("{0} is required")]
    Required(&'static str),
    #[error("username already exists: {0}")]
    DuplicateUsername(String),
    #[error("invalid username ({why}): {username}")]
    InvalidUsername { username: String, why: &'static str },
    #[error(transparent)]
    Roles(#[from] RoleError),
    #[error("unknown extended field: {key} (configured: {configured})")]
    UnknownExtendedField { key: String, configured: String },
}

impl WorldError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::UserNotFound(_) => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The core fields, each `None` when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Profile {
    pub(crate) username: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) surname: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) timezone: Option<String>,
    pub(crate) email: Option<String>,
}

/// A user's picture as sent: a URL, or uploaded data (which the simulator gives a URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Image {
    Url(String),
    Upload,
}

/// The optional fields. `None` leaves a field alone; `Some(None)` (JSON null) clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Details {
    pub(crate) enabled: Option<bool>,
    /// Replaces the whole role map.
    pub(crate) roles: Option<Roles>,
    pub(crate) external_id: Option<Option<String>>,
    /// Only the keys given change; a null value clears one.
    pub(crate) extended_fields: BTreeMap<String, Option<String>>,
    pub(crate) auth_source: Option<String>,
    pub(crate) office_phone: Option<Option<String>>,
    pub(crate) mobile_phone: Option<Option<String>>,
    pub(crate) interests: Option<Option<String>>,
    pub(crate) about_me: Option<Option<String>>,
    pub(crate) location: Option<Option<String>>,
    pub(crate) image: Option<Option<Image>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NewUser {
    pub(crate) profile: Profile,
    pub(crate) password: Option<String>,
    pub(crate) details: Details,
}

/// How `PUT /users/{id}` reads a body. The documents mark six core fields required, which
/// suggests a replacement, but call the rest "new" values, which suggests a merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum PutReading {
    /// A field left out stays as it is. `roles`, when sent, is the whole role map: a section
    /// sent as `[]` or left out of it is emptied.
    #[default]
    Merge,
    /// The body is the whole new record: what it leaves out is cleared or reset to the
    /// default a new user gets (`enabled`, `authSource` LOCAL, `{management: [user]}`).
    Replace,
}

/// The new name, surname, language, timezone, email and username are all required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserUpdate {
    pub(crate) profile: Profile,
    pub(crate) details: Details,
}

impl World {
    /// Up to `count` (at most [`PAGE_LIMIT`]) users from position `start`, in creation order.
    pub(crate) fn page(&self, start: usize, count: usize) -> &[User] {
        let start = start.min(self.users.len());
        let end = start.saturating_add(count.min(PAGE_LIMIT));
        &self.users[start..end.min(self.users.len())]
    }

    pub(crate) fn get(&self, id_or_username: &str) -> Result<&User, WorldError> {
        let at = self.find(id_or_username)?;
        Ok(&self.users[at])
    }

    /// Creates the user and returns its id. Only `username` is required.
    pub(crate) fn create_user(&mut self, new: NewUser) -> Result<String, WorldError> {
        let username = present(new.profile.username.as_ref())
            .ok_or(WorldError::Required("username"))?
            .clone();
        self.check_username(&username, None)?;
        let roles = new
            .details
            .roles
            .as_ref()
            .map(roles::normalise)
            .transpose()?;
        self.check_extended_fields(&new.details.extended_fields)?;
        let mut details = new.details;
        details.roles = Some(roles.unwrap_or_else(roles::default_roles));
        let mut seq = self.next_seq.max(1);
        let taken = |seq| {
            let id = ids::user_id(seq);
            self.users.iter().any(|u| u.id == id)
        };
        while taken(seq) {
            seq += 1;
        }
        self.next_seq = seq + 1;
        let profile = new.profile;
        let mut user = User {
            email: profile.email,
            name: profile.name,
            surname: profile.surname,
            language: profile.language,
            timezone: profile.timezone,
            password: new.password,
            ..User::new(seq, username)
        };
        apply(&mut user, details);
        let id = user.id.clone();
        let key = world::username_key(&user.username);
        self.users.push(user);
        self.usernames.claim(key, id.clone());
        Ok(id)
    }

    /// Replaces the core fields, and the optional fields as `reading` reads the body.
    pub(crate) fn update_user(
        &mut self,
        id_or_username: &str,
        update: UserUpdate,
        reading: PutReading,
    ) -> Result<(), WorldError> {
        let at = self.find(id_or_username)?;
        let p = &update.profile;
        let required = [
            ("name", &p.name),
            ("surname", &p.surname),
            ("language", &p.language),
            ("timezone", &p.timezone),
            ("email", &p.email),
            ("username", &p.username),
        ];
        if let Some((field, _)) = required.iter().find(|(_, v)| present(v.as_ref()).is_none()) {
            return Err(WorldError::Required(field));
        }
        let username = p.username.clone().unwrap_or_default();
        self.check_username(&username, Some(at))?;
        let roles = match (reading, update.details.roles.as_ref()) {
            (PutReading::Merge, None) => None,
            (PutReading::Replace, None) => Some(roles::default_roles()),
            (_, Some(given)) => Some(roles::normalise(given)?),
        };
        self.check_extended_fields(&update.details.extended_fields)?;
        let user = &mut self.users[at];
        self.usernames
            .release(&world::username_key(&user.username), &user.id);
        self.usernames
            .claim(world::username_key(&username), user.id.clone());
        if reading == PutReading::Replace {
            // What the body leaves out starts again from a new user's defaults; only what is
            // not the body's to say stays: the ids and the password.
            *user = User {
                id: std::mem::take(&mut user.id),
                common_id: std::mem::take(&mut user.common_id),
                password: user.password.take(),
                ..User::new(0, "")
            };
        }
        let profile = update.profile;
        user.username = username;
        (user.name, user.surname) = (profile.name, profile.surname);
        (user.language, user.timezone) = (profile.language, profile.timezone);
        user.email = profile.email;
        let mut details = update.details;
        details.roles = roles;
        apply(user, details);
        Ok(())
    }

    pub(crate) fn set_enabled(
        &mut self,
        id_or_username: &str,
        enabled: bool,
    ) -> Result<(), WorldError> {
        let at = self.find(id_or_username)?;
        self.users[at].enabled = enabled;
        Ok(())
    }

    pub(crate) fn change_password(
        &mut self,
        id_or_username: &str,
        password: Option<String>,
    ) -> Result<(), WorldError> {
        let at = self.find(id_or_username)?;
        let password = present(password.as_ref()).ok_or(WorldError::Required("newPassword"))?;
        self.users[at].password = Some(password.clone());
        Ok(())
    }

    pub(crate) fn delete_user(&mut self, id_or_username: &str) -> Result<(), WorldError> {
        let at = self.find(id_or_username)?;
        let user = self.users.remove(at);
        self.usernames
            .release(&world::username_key(&user.username), &user.id);
        Ok(())
    }

    fn find(&self, id_or_username: &str) -> Result<usize, WorldError> {
        self.position(id_or_username)
            .ok_or_else(|| WorldError::UserNotFound(id_or_username.to_owned()))
    }

    /// Refuses a malformed username, or one another user (not the one at `except`) has.
    fn check_username(&self, username: &str, except: Option<usize>) -> Result<(), WorldError> {
        if let Some(why) = world::username_problem(username) {
            let username = username.to_owned();
            return Err(WorldError::InvalidUsername { username, why });
        }
        let except = except.map(|at| &self.users[at].id);
        if self.usernames.taken(&world::username_key(username), except) {
            return Err(WorldError::DuplicateUsername(username.to_owned()));
        }
        Ok(())
    }

    fn check_extended_fields(
        &self,
        given: &BTreeMap<String, Option<String>>,
    ) -> Result<(), WorldError> {
        match given.keys().find(|k| !self.extended_fields.contains(k)) {
            Some(key) => Err(WorldError::UnknownExtendedField {
                key: key.clone(),
                configured: self.extended_fields.join(", "),
            }),
            None => Ok(()),
        }
    }
}

/// The value, unless it is absent or blank.
fn present(value: Option<&String>) -> Option<&String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Writes the given optional fields onto `user`; `details.roles` must be normalised.
fn apply(user: &mut User, details: Details) {
    let set = |slot: &mut Option<String>, given: Option<Option<String>>| {
        if let Some(value) = given {
            *slot = value;
        }
    };
    if let Some(enabled) = details.enabled {
        user.enabled = enabled;
    }
    if let Some(roles) = details.roles {
        user.roles = roles;
    }
    set(&mut user.external_id, details.external_id);
    for (key, value) in details.extended_fields {
        match value {
            Some(value) => user.extended_fields.insert(key, value),
            None => user.extended_fields.remove(&key),
        };
    }
    if let Some(source) = details.auth_source.filter(|s| !s.trim().is_empty()) {
        user.auth_source = source;
    }
    set(&mut user.office_phone, details.office_phone);
    set(&mut user.mobile_phone, details.mobile_phone);
    set(&mut user.interests, details.interests);
    set(&mut user.about_me, details.about_me);
    set(&mut user.location, details.location);
    if let Some(image) = details.image {
        user.image_url = image.map(|image| match image {
            Image::Url(url) => url,
            Image::Upload => format!("https://images.sim.invalid/users/{}", user.id),
        });
    }
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
