//! The request headers every learningCloud call is checked against, in this order:
//! `X-Cloud-Auth-Token` (401), `Accept` (406), `X-Cloud-Synchronization` (400) and, for a
//! write with a body, `Content-Type` (415).
//!
//! Reads headers only: it neither parses bodies nor looks at the world.

use axum::http::{HeaderMap, StatusCode, header};

use super::app::App;
use super::envelope::{Refusal, SyncMode};

pub(crate) const AUTH_TOKEN: &str = "x-cloud-auth-token";
pub(crate) const SYNCHRONIZATION: &str = "x-cloud-synchronization";

/// The vendor media type, before its optional `.VERSION` and `+FORMAT`.
const VENDOR_TYPE: &str = "application/vnd.netex.nlc-api";

/// Checks the token, then `Accept`. Every call goes through here first.
pub(crate) fn authorise(app: &App, headers: &HeaderMap) -> Result<(), Refusal> {
    let token = headers.get(AUTH_TOKEN).and_then(|v| v.to_str().ok());
    if !token.is_some_and(|token| app.vendor.token_matches(token)) {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid or missing X-Cloud-Auth-Token",
        ));
    }
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(());
    };
    match accept.to_str() {
        Ok(accept) if acceptable(accept) => Ok(()),
        _ => Err(Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            format!(
                "unacceptable Accept header: {} (use application/json or {VENDOR_TYPE}[.VERSION][+json])",
                String::from_utf8_lossy(accept.as_bytes())
            ),
        )),
    }
}

/// `X-Cloud-Synchronization`; absent means asynchronous, as the group services document.
pub(crate) fn sync_mode(headers: &HeaderMap) -> Result<SyncMode, Refusal> {
    let Some(value) = headers.get(SYNCHRONIZATION) else {
        return Ok(SyncMode::Asynchronous);
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    match text.trim().to_ascii_lowercase().as_str() {
        "synchronous" => Ok(SyncMode::Synchronous),
        "asynchronous" => Ok(SyncMode::Asynchronous),
        _ => Err(Refusal::bad_request(format!(
            "invalid X-Cloud-Synchronization: {text} (expected synchronous or asynchronous)"
        ))),
    }
}

/// A body, when there is one, must be declared `application/json`.
pub(crate) fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(media_type);
    if declared.as_deref() == Some("application/json") {
        Ok(())
    } else {
        Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be application/json",
        ))
    }
}

/// The media type without parameters, lowercased.
fn media_type(value: &str) -> String {
    let bare = value.split(';').next().unwrap_or_default();
    bare.trim().to_ascii_lowercase()
}

/// Whether one of the listed media ranges lets the simulator answer JSON.
fn acceptable(accept: &str) -> bool {
    if accept.trim().is_empty() {
        return true;
    }
    accept.split(',').map(media_type).any(|range| {
        match range.as_str() {
            "*/*" | "application/*" | "application/json" => return true,
            _ => {}
        }
        let Some(rest) = range.strip_prefix(VENDOR_TYPE) else {
            return false;
        };
        let (version, format) = rest.split_once('+').unwrap_or((rest, "json"));
        let version_ok = version.is_empty()
            || version.strip_prefix('.').is_some_and(|v| {
                !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
            });
        version_ok && format == "json"
    })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn accept_takes_json_and_the_vendor_type() {
        for ok in [
            "",
            "*/*",
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.netex.nlc-api",
            "application/vnd.netex.nlc-api+json",
            "application/vnd.netex.nlc-api.v1.0.1",
            "application/vnd.netex.nlc-api.v1.0.1+json",
            "text/html, application/json;q=0.9",
        ] {
            assert!(acceptable(ok), "{ok}");
        }
        for refused in [
            "text/html",
            "application/xml",
            "application/vnd.netex.nlc-api+xml",
            "application/vnd.netex.nlc-api.v1+plain",
            "application/vnd.netex.nlc-api.",
            "application/vnd.netex.nlc-apix",
        ] {
            assert!(!acceptable(refused), "{refused}");
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                let name = header::HeaderName::from_static(k);
                (name, HeaderValue::from_static(v))
            })
            .collect()
    }

    #[test]
    fn synchronization_defaults_to_asynchronous() {
        assert_eq!(sync_mode(&headers(&[])), Ok(SyncMode::Asynchronous));
        let sync = headers(&[(SYNCHRONIZATION, "Synchronous")]);
        assert_eq!(sync_mode(&sync), Ok(SyncMode::Synchronous));
        let odd = sync_mode(&headers(&[(SYNCHRONIZATION, "sometimes")])).unwrap_err();
        assert_eq!(odd.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            odd.message,
            "invalid X-Cloud-Synchronization: sometimes (expected synchronous or asynchronous)"
        );
    }

    #[test]
    fn bodies_must_be_declared_json() {
        assert!(json_body(&headers(&[]), b"").is_ok());
        assert!(json_body(&headers(&[]), b" \n").is_ok());
        let err = json_body(&headers(&[]), b"{}").unwrap_err();
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        assert!(json_body(&form, b"a=b").is_err());
        let json = headers(&[("content-type", "application/json; charset=UTF-8")]);
        assert!(json_body(&json, b"{}").is_ok());
    }
}
