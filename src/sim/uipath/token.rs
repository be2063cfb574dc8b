//! `POST /identity_/connect/token`: the OAuth client-credentials token endpoint.
//!
//! A form body is decided by `auth.rs` and answered with a token or an OAuth error (400).
//! Anything else (notably JSON, the documented pitfall) gets 200 and an HTML sign-in page,
//! and no token.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::app::App;
use super::auth::{TokenError, TokenRequest};
use super::reply;
use super::wire::{TokenGranted, TokenRefused};

const SIGN_IN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Sign in - UiPath</title></head><body><form method=\"post\" action=\"/identity_/Account/Login\">\
<label>Email <input name=\"Email\"></label><label>Password <input name=\"Password\" \
type=\"password\"></label><button type=\"submit\">Sign in</button></form></body></html>\n";

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn refuse(error: TokenError) -> Response {
    let body = TokenRefused {
        error: error.to_string(),
    };
    reply::json(StatusCode::BAD_REQUEST, &body)
}

pub(crate) async fn token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        let html = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
        return (StatusCode::OK, html, SIGN_IN_PAGE).into_response();
    }
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        if fields
            .insert(name.into_owned(), value.into_owned())
            .is_some()
        {
            // RFC 6749 §3.2: parameters must not be repeated.
            return refuse(TokenError::InvalidRequest);
        }
    }
    let field = |name: &str| fields.get(name).map(String::as_str);
    let request = TokenRequest {
        grant_type: field("grant_type"),
        client_id: field("client_id"),
        client_secret: field("client_secret"),
        scope: field("scope"),
    };
    match app.vendor.grant(&request) {
        Ok(grant) => {
            let body = TokenGranted {
                access_token: grant.token,
                expires_in: grant.expires_in,
                token_type: "Bearer",
                scope: grant.scopes.join(" "),
            };
            let mut response = reply::json(StatusCode::OK, &body);
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => refuse(error),
    }
}
