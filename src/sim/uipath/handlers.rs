//! The Identity API endpoints under `/{org}/identity_/api`: check the organisation, the bearer
//! token and its scope (in that order: 404, 401, 403), bind the path, query and body, apply
//! the operation and answer in JSON.
//!
//! Injected faults and request counting happen around these handlers, in `gate.rs`; the
//! token endpoint is `token.rs`.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::app::App;
use super::auth::{Access, Resource, allows};
use super::body::{self, BulkSoftDeleteCommand, CreateUserCommand, Partitioned, UpdateUserCommand};
use super::clock::Timestamp;
use super::ids::Uuid;
use super::ops::{IdentityError, NewUser, UserPatch};
use super::query;
use super::reply::{self, Refusal};
use super::wire::{GroupDto, IdentityResult, UserDto, UserPage};
use super::world::World;

/// What the spec says group membership writes need, as the 403 of `--deny-partition-admin`
/// says it.
const CREATE_IN_GROUP: &str =
    "Creating user in a group requires partition administrator group membership.";
const UPDATE_GROUPS: &str =
    "Updating user groups requires partition administrator group membership.";

fn respond(result: Result<Response, Refusal>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// One request to the Identity API: the simulator and the request's headers, which every
/// endpoint admits it on (see [`Call::admit`]) and reads its body with.
pub(crate) struct Call {
    app: Arc<App>,
    headers: HeaderMap,
}

impl FromRequestParts<Arc<App>> for Call {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Infallible> {
        let headers = parts.headers.clone();
        Ok(Self {
            app: app.clone(),
            headers,
        })
    }
}

impl Call {
    /// The organisation exists, the bearer token is live, and it carries a scope that allows
    /// `access` to `resource`.
    async fn admit(&self, org: &str, resource: Resource, access: Access) -> Result<(), Refusal> {
        let app = &self.app;
        if !app.world.read(|w| w.org.eq_ignore_ascii_case(org)).await {
            return Err(Refusal::not_found());
        }
        let authorization = self
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let tokens = app.vendor.tokens.lock();
        let scopes = tokens
            .check(authorization, Instant::now())
            .map_err(Refusal::Unauthorized)?;
        if !allows(scopes, resource, access) {
            return Err(Refusal::Forbidden);
        }
        Ok(())
    }

    /// [`Call::admit`], then the user id in the path, which must be a GUID.
    async fn admit_user(
        &self,
        (org, user_id): &(String, String),
        access: Access,
    ) -> Result<Uuid, Refusal> {
        self.admit(org, Resource::User, access).await?;
        guid("userId", user_id)
    }

    /// A read of the organisation's partition named in the path: the admission, then `look`
    /// once the partition is this organisation's.
    async fn partition_read(
        &self,
        (org, partition): &(String, String),
        resource: Resource,
        look: impl FnOnce(&World) -> Result<Response, Refusal>,
    ) -> Response {
        let result = async {
            self.admit(org, resource, Access::Read).await?;
            let app = &self.app;
            app.world
                .read(|w| {
                    path_partition(w, partition)?;
                    look(w)
                })
                .await
        };
        respond(result.await)
    }

    /// A change to the organisation's users with a command body that names the partition:
    /// the admission, the command, and `change` once the partition is this organisation's.
    async fn partition_write<C: DeserializeOwned + Partitioned, T>(
        &self,
        org: &str,
        bytes: &[u8],
        change: impl FnOnce(&mut World, C) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        self.admit(org, Resource::User, Access::Write).await?;
        let command: C = body::parse(&self.headers, bytes)?;
        let given = command.partition();
        self.app
            .world
            .write(|w| {
                body_partition(w, given)?;
                change(w, command)
            })
            .await
    }
}

/// A path segment that must be a GUID.
fn guid(field: &str, text: &str) -> Result<Uuid, Refusal> {
    text.parse().map_err(|_| Refusal::not_valid(field, text))
}

/// A partition in the path: anything but this organisation's GUID does not bind.
fn path_partition(world: &World, text: &str) -> Result<(), Refusal> {
    match text.parse::<Uuid>() {
        Ok(id) if id == world.partition_global_id => Ok(()),
        _ => Err(Refusal::not_valid("partitionGlobalId", text)),
    }
}

/// A partition in a body: required, and it must be this organisation's.
fn body_partition(world: &World, given: Option<Uuid>) -> Result<(), Refusal> {
    match given {
        None => Err(Refusal::invalid(
            "partitionGlobalId",
            "The partitionGlobalId field is required.",
        )),
        Some(id) if id == world.partition_global_id => Ok(()),
        Some(id) => Err(Refusal::Identity(vec![IdentityError::invalid_partition(
            id,
        )])),
    }
}

fn succeeded() -> Response {
    reply::json(StatusCode::OK, &IdentityResult::success())
}

/// `GET /{org}/identity_/api/User/users/{partitionGlobalId}`
pub(crate) async fn list_users(
    call: Call,
    Path(path): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let list = |w: &World| {
        let query = query::list_query(raw.as_deref())?;
        let (total_count, users) = w.list_users(&query);
        let results = users.into_iter().map(UserDto::from).collect();
        let page = UserPage {
            total_count,
            results,
        };
        Ok(reply::json(StatusCode::OK, &page))
    };
    call.partition_read(&path, Resource::User, list).await
}

/// `GET /{org}/identity_/api/User/{userId}`
pub(crate) async fn get_user(call: Call, Path(path): Path<(String, String)>) -> Response {
    let result = async {
        let id = call.admit_user(&path, Access::Read).await?;
        call.app
            .world
            .read(|w| match w.user(id) {
                Some(user) => Ok(reply::json(StatusCode::OK, &UserDto::from(user))),
                None => Err(Refusal::not_found()),
            })
            .await
    };
    respond(result.await)
}

/// `POST /{org}/identity_/api/User`
pub(crate) async fn create_user(call: Call, Path(org): Path<String>, bytes: Bytes) -> Response {
    let deny = call.app.vendor.config.deny_partition_admin;
    let create = |w: &mut World, c: CreateUserCommand| {
        let new = NewUser::from(c);
        if deny && !new.group_ids.is_empty() {
            return Err(Refusal::NotPartitionAdmin(CREATE_IN_GROUP));
        }
        Ok(w.create_user(new, Timestamp::now(), Uuid::random())?)
    };
    let result = call.partition_write(&org, &bytes, create).await;
    respond(result.map(|_| succeeded()))
}

/// `PUT /{org}/identity_/api/User/{userId}`
pub(crate) async fn update_user(
    call: Call,
    Path(path): Path<(String, String)>,
    bytes: Bytes,
) -> Response {
    let result = async {
        let id = call.admit_user(&path, Access::Write).await?;
        let command: UpdateUserCommand = body::parse(&call.headers, &bytes)?;
        let patch = UserPatch::from(command);
        let regroups = !(patch.group_ids_to_add.is_empty() && patch.group_ids_to_remove.is_empty());
        let config = &call.app.vendor.config;
        if config.deny_partition_admin && regroups {
            return Err(Refusal::NotPartitionAdmin(UPDATE_GROUPS));
        }
        let deployment = config.deployment;
        call.app
            .world
            .write(|w| w.update_user(id, patch, deployment, Timestamp::now()))
            .await?;
        Ok(succeeded())
    };
    respond(result.await)
}

/// `DELETE /{org}/identity_/api/User/{userId}`
pub(crate) async fn delete_user(call: Call, Path(path): Path<(String, String)>) -> Response {
    let result = async {
        let id = call.admit_user(&path, Access::Write).await?;
        call.app.world.write(|w| w.delete_user(id)).await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    };
    respond(result.await)
}

/// `DELETE /{org}/identity_/api/User` with a `BulkSoftDeleteCommand`; unknown ids are
/// ignored.
pub(crate) async fn delete_users(call: Call, Path(org): Path<String>, bytes: Bytes) -> Response {
    let delete = |w: &mut World, c: BulkSoftDeleteCommand| {
        Ok(w.delete_users(&c.user_ids.unwrap_or_default()))
    };
    let result = call.partition_write(&org, &bytes, delete).await;
    respond(result.map(|_| StatusCode::NO_CONTENT.into_response()))
}

/// `GET /{org}/identity_/api/Group/{partitionGlobalId}`
pub(crate) async fn list_groups(call: Call, Path(path): Path<(String, String)>) -> Response {
    let list = |w: &World| {
        let groups: Vec<GroupDto<'_>> = w.groups.iter().map(GroupDto::from).collect();
        Ok(reply::json(StatusCode::OK, &groups))
    };
    call.partition_read(&path, Resource::Group, list).await
}

/// Any path the simulator does not know: 404 with an empty body, as ASP.NET routing answers.
pub(crate) async fn unknown_endpoint() -> Response {
    StatusCode::NOT_FOUND.into_response()
}
