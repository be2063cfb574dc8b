//! The `/v1/*` endpoints: check the key, read the parameters, apply the operation and
//! answer in XML. Errors come back as the XML envelope with a matching HTTP status.
//!
//! Injected faults and request counting happen around these handlers, in `gate.rs`.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::app::App;
use super::params::{self, Params, Refusal};
use super::xml::{self, Root};

type FormPairs = Result<Form<Vec<(String, String)>>, FormRejection>;

/// An XML answer with the content type Xtracta uses.
pub(crate) fn xml_reply(status: StatusCode, body: Vec<u8>) -> Response {
    let content_type = [(header::CONTENT_TYPE, "application/xml; charset=utf-8")];
    (status, content_type, body).into_response()
}

fn answer(root: Root, result: Result<Vec<u8>, Refusal>) -> Response {
    match result {
        Ok(body) => xml_reply(StatusCode::OK, body),
        Err(refusal) => refusal_reply(root, &refusal),
    }
}

pub(crate) fn refusal_reply(root: Root, refusal: &Refusal) -> Response {
    let body = xml::status_only(root, refusal.status.as_u16(), &refusal.message);
    xml_reply(refusal.status, body)
}

/// Reads the form and checks the key before anything else.
fn authorise(app: &App, form: FormPairs) -> Result<Params, Refusal> {
    let Form(pairs) = form.map_err(|rejection| match rejection {
        FormRejection::InvalidFormContentType(_) => Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected content type application/x-www-form-urlencoded",
        ),
        other => Refusal::new(other.status(), "malformed form body"),
    })?;
    let params = Params::from_pairs(pairs)?;
    match params.api_key() {
        Some(key) if app.vendor.key_matches(key) => Ok(params),
        _ => Err(Refusal::new(StatusCode::UNAUTHORIZED, "invalid api key")),
    }
}

/// `POST /v1/user`: Get User.
pub(crate) async fn get_users(State(app): State<Arc<App>>, form: FormPairs) -> Response {
    let result = async {
        let params = authorise(&app, form)?;
        let scope = params::list_scope(&params, app.vendor.key_group)?;
        let body = app
            .world
            .read(|w| w.list_users(scope).map(|users| xml::user_list(&users)));
        Ok(body.await?)
    };
    answer(Root::User, result.await)
}

/// `POST /v1/user/add`: Add User.
pub(crate) async fn add_user(State(app): State<Arc<App>>, form: FormPairs) -> Response {
    let result = async {
        let params = authorise(&app, form)?;
        let (new, token_expire) = params::new_user(&params, app.vendor.key_group)?;
        let password = new.password.clone();
        let user = app.world.write(|w| w.add_user(new)).await?;
        let token = token_expire.map(|seconds| app.vendor.login_token(user.user_id, seconds));
        Ok(xml::one_user(&user, password.as_deref(), token.as_ref()))
    };
    answer(Root::User, result.await)
}

/// `POST /v1/user/update`: Update User. Never echoes the password.
pub(crate) async fn update_user(State(app): State<Arc<App>>, form: FormPairs) -> Response {
    let result = async {
        let params = authorise(&app, form)?;
        let (user_id, patch) = params::user_patch(&params)?;
        let user = app.world.write(|w| w.update_user(user_id, patch)).await?;
        Ok(xml::one_user(&user, None, None))
    };
    answer(Root::User, result.await)
}

/// `POST /v1/user/delete`: Delete User.
pub(crate) async fn delete_user(State(app): State<Arc<App>>, form: FormPairs) -> Response {
    let result = async {
        let params = authorise(&app, form)?;
        let user_id = params::user_id(&params)?;
        app.world.write(|w| w.delete_user(user_id)).await?;
        Ok(xml::status_only(Root::User, 200, xml::SUCCESS))
    };
    answer(Root::User, result.await)
}

/// `POST /v1/workflow/update`: replaces the workflow's users; `settings` is ignored.
pub(crate) async fn update_workflow(State(app): State<Arc<App>>, form: FormPairs) -> Response {
    let result = async {
        let params = authorise(&app, form)?;
        let (workflow_id, members) = params::workflow_members(&params)?;
        app.world
            .write(|w| w.replace_workflow_members(workflow_id, &members))
            .await?;
        Ok(xml::status_only(Root::Workflow, 200, xml::SUCCESS))
    };
    answer(Root::Workflow, result.await)
}

/// Any method but POST on a known endpoint.
pub(crate) async fn wrong_method(uri: Uri) -> Response {
    let refusal = Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: use POST",
    );
    refusal_reply(Root::for_path(uri.path()), &refusal)
}

/// Any path the simulator does not know.
pub(crate) async fn unknown_endpoint(uri: Uri) -> Response {
    let message = format!("unknown endpoint: {}", uri.path());
    let refusal = Refusal::new(StatusCode::NOT_FOUND, message);
    refusal_reply(Root::for_path(uri.path()), &refusal)
}
