//! What the Xtracta user API does to the world: list, add, update and delete users, and
//! replace a workflow's members. Each refusal is a [`WorldError`] carrying its HTTP status.
//!
//! Pure and synchronous: no I/O, no HTTP parsing, no persistence. Callers hold the lock.
//! Every operation checks everything before it changes anything, so a refusal leaves the world
//! as it was. A user is found by binary search and an address by the world's index, so adding,
//! updating and deleting a user costs O(log users) and a move of the users after it; replacing
//! a workflow's members costs O(users + members), never O(users × members).

use std::collections::HashSet;

use axum::http::StatusCode;

use super::world::{self, User, World};

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WorldError {
    #[error("user not found: {0}")]
    UnknownUser(u64),
    #[error("group not found: {0}")]
    UnknownGroup(u64),
    #[error("workflow not found: {0}")]
    UnknownWorkflow(u64),
    #[error("unknown workflow id in workflow_ids: {0}")]
    UnknownWorkflowInList(u64),
    #[error("unknown user id in user_ids: {0}")]
    UnknownUserInList(u64),
    #[error("email address already in use: {0}")]
    DuplicateEmail(String),
    #[error("invalid email address ({why}): {email}")]
    InvalidEmail { email: String, why: &'static str },
    #[error("invalid name: {0}")]
    InvalidName(&'static str),
    #[error("invalid password: {0}")]
    InvalidPassword(&'static str),
}

impl WorldError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::UnknownUser(_) | Self::UnknownGroup(_) | Self::UnknownWorkflow(_) => {
                StatusCode::NOT_FOUND
            }
            Self::DuplicateEmail(_) => StatusCode::CONFLICT,
            Self::UnknownWorkflowInList(_)
            | Self::UnknownUserInList(_)
            | Self::InvalidEmail { .. }
            | Self::InvalidName(_)
            | Self::InvalidPassword(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// Which users `POST /v1/user` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The API key's own group when the simulator is not told which: the world's first.
    KeyGroup,
    Group(u64),
    Workflow(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewUser {
    pub(crate) name: String,
    pub(crate) email_address: String,
    pub(crate) password: Option<String>,
    pub(crate) group_id: u64,
    pub(crate) workflow_ids: Vec<u64>,
}

/// Fields to change on a user; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserPatch {
    pub(crate) name: Option<String>,
    pub(crate) email_address: Option<String>,
    pub(crate) password: Option<String>,
}

impl World {
    /// The users in `scope`, ascending by id.
    pub(crate) fn list_users(&self, scope: Scope) -> Result<Vec<&User>, WorldError> {
        let in_scope: Box<dyn Fn(&User) -> bool> = match scope {
            Scope::KeyGroup => match self.groups.first() {
                Some(&group) => Box::new(move |u| u.primary_group_id == group),
                None => return Ok(Vec::new()),
            },
            Scope::Group(group) if self.has_group(group) => {
                Box::new(move |u| u.primary_group_id == group)
            }
            Scope::Group(group) => return Err(WorldError::UnknownGroup(group)),
            Scope::Workflow(wf) if self.has_workflow(wf) => {
                Box::new(move |u| u.assigned_workflows.contains(&wf))
            }
            Scope::Workflow(wf) => return Err(WorldError::UnknownWorkflow(wf)),
        };
        Ok(self.users.iter().filter(|u| in_scope(u)).collect())
    }

    pub(crate) fn add_user(&mut self, new: NewUser) -> Result<User, WorldError> {
        if !self.has_group(new.group_id) {
            return Err(WorldError::UnknownGroup(new.group_id));
        }
        check_name(&new.name)?;
        self.check_email(&new.email_address, None)?;
        new.password.as_deref().map(check_password).transpose()?;
        let mut workflows = new.workflow_ids;
        if let Some(&unknown) = workflows.iter().find(|wf| !self.has_workflow(**wf)) {
            return Err(WorldError::UnknownWorkflowInList(unknown));
        }
        workflows.sort_unstable();
        workflows.dedup();
        let user = User {
            user_id: self.next_user_id,
            name: new.name,
            email_address: new.email_address.trim().to_owned(),
            primary_group_id: new.group_id,
            assigned_workflows: workflows,
            password: new.password,
        };
        self.next_user_id = self.next_user_id.saturating_add(1);
        let at = self.users.partition_point(|u| u.user_id < user.user_id);
        self.users.insert(at, user.clone());
        let key = world::email_key(&user.email_address);
        self.emails.claim(key, user.user_id);
        Ok(user)
    }

    pub(crate) fn update_user(
        &mut self,
        user_id: u64,
        patch: UserPatch,
    ) -> Result<User, WorldError> {
        let at = self
            .position(user_id)
            .ok_or(WorldError::UnknownUser(user_id))?;
        if let Some(name) = &patch.name {
            check_name(name)?;
        }
        if let Some(email) = &patch.email_address {
            self.check_email(email, Some(user_id))?;
        }
        patch.password.as_deref().map(check_password).transpose()?;
        let user = &mut self.users[at];
        if let Some(name) = patch.name {
            user.name = name;
        }
        if let Some(email) = patch.email_address {
            self.emails
                .release(&world::email_key(&user.email_address), &user_id);
            user.email_address = email.trim().to_owned();
            self.emails
                .claim(world::email_key(&user.email_address), user_id);
        }
        if let Some(password) = patch.password {
            user.password = Some(password);
        }
        Ok(user.clone())
    }

    /// Removes the user, and with it every workflow assignment it had.
    pub(crate) fn delete_user(&mut self, user_id: u64) -> Result<(), WorldError> {
        let at = self
            .position(user_id)
            .ok_or(WorldError::UnknownUser(user_id))?;
        let user = self.users.remove(at);
        self.emails
            .release(&world::email_key(&user.email_address), &user_id);
        Ok(())
    }

    /// Makes `members` exactly the users assigned to `workflow_id`.
    pub(crate) fn replace_workflow_members(
        &mut self,
        workflow_id: u64,
        members: &[u64],
    ) -> Result<(), WorldError> {
        if !self.has_workflow(workflow_id) {
            return Err(WorldError::UnknownWorkflow(workflow_id));
        }
        if let Some(&unknown) = members.iter().find(|id| self.position(**id).is_none()) {
            return Err(WorldError::UnknownUserInList(unknown));
        }
        let members: HashSet<u64> = members.iter().copied().collect();
        for user in &mut self.users {
            let wanted = members.contains(&user.user_id);
            let has = user.assigned_workflows.contains(&workflow_id);
            if wanted && !has {
                user.assigned_workflows.push(workflow_id);
                user.assigned_workflows.sort_unstable();
            } else if has && !wanted {
                user.assigned_workflows.retain(|wf| *wf != workflow_id);
            }
        }
        Ok(())
    }

    /// Refuses a malformed address, or one another user (not `except`) already has.
    fn check_email(&self, email: &str, except: Option<u64>) -> Result<(), WorldError> {
        if let Some(why) = world::email_problem(email) {
            let email = email.to_owned();
            return Err(WorldError::InvalidEmail { email, why });
        }
        if self.emails.taken(&world::email_key(email), except.as_ref()) {
            return Err(WorldError::DuplicateEmail(email.trim().to_owned()));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), WorldError> {
    world::name_problem(name).map_or(Ok(()), |why| Err(WorldError::InvalidName(why)))
}

fn check_password(password: &str) -> Result<(), WorldError> {
    world::password_problem(password).map_or(Ok(()), |why| Err(WorldError::InvalidPassword(why)))
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
