//! learningCloud's response envelope (`status`, `location`, `message`, `responsePlatforms`):
//! what a write reports per platform in synchronous and asynchronous mode, how refusals are
//! shaped, and the broken bodies of injected malformed answers.
//!
//! Shapes JSON only; it decides neither whether a request succeeds nor what the world holds.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::ser::SerializeMap as _;

pub(crate) use crate::sim::refusal::Refusal;

/// The platforms a write reaches, in the order the vendor's examples list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    Training,
    Social,
    Play,
    Management,
}

impl Platform {
    pub(crate) const ALL: [Self; 4] = [Self::Training, Self::Social, Self::Play, Self::Management];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Training => "training",
            Self::Social => "social",
            Self::Play => "play",
            Self::Management => "management",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// `X-Cloud-Synchronization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncMode {
    Synchronous,
    Asynchronous,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PlatformResult {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) message: Option<String>,
}

/// Platform results in a fixed order (a JSON object; empty for refusals).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Platforms(pub(crate) Vec<(Platform, PlatformResult)>);

impl Serialize for Platforms {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (platform, result) in &self.0 {
            map.serialize_entry(platform.name(), result)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) message: String,
    pub(crate) response_platforms: Platforms,
}

/// The envelope of a performed write. `failing` reports a platform error on top of it (the
/// core change is made all the same).
pub(crate) fn write_envelope(
    mode: SyncMode,
    failing: Option<Platform>,
    location: Option<String>,
) -> Envelope {
    let status = |platform| match (mode, platform) {
        (SyncMode::Synchronous, Platform::Training) => 200,
        (SyncMode::Asynchronous, Platform::Training | Platform::Social) => 202,
        _ => 204,
    };
    let platforms = Platform::ALL
        .into_iter()
        .map(|platform| {
            let result = if failing == Some(platform) {
                PlatformResult {
                    status: 500,
                    location: None,
                    message: Some(format!("simulated {} platform failure", platform.name())),
                }
            } else {
                PlatformResult {
                    status: status(platform),
                    location: None,
                    message: None,
                }
            };
            (platform, result)
        })
        .collect();
    let (status, message) = match failing {
        Some(platform) => (500, format!("error in platform {}", platform.name())),
        None => (204, String::new()),
    };
    Envelope {
        status,
        location,
        message,
        response_platforms: Platforms(platforms),
    }
}

/// A refusal's envelope: its status and message, and no platforms.
pub(crate) fn refusal_envelope(refusal: &Refusal) -> Envelope {
    Envelope {
        status: refusal.status.as_u16(),
        location: None,
        message: refusal.message.clone(),
        response_platforms: Platforms::default(),
    }
}

impl From<super::ops::WorldError> for Refusal {
    fn from(err: super::ops::WorldError) -> Self {
        Self::new(err.status(), err.to_string())
    }
}

/// A refusal as learningCloud answers one: its envelope, with its status.
pub(crate) fn refused(refusal: Refusal) -> Response {
    json_reply(refusal.status, &refusal_envelope(&refusal))
}

/// A JSON answer with the content type learningCloud uses.
pub(crate) fn json_reply(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "could not serialise a simulator answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A 200 answer that is not what it should be: truncated JSON (shaped like a user list when
/// `list`, else like an envelope), JSON with the missing commas of the vendor's own doc
/// examples, or a proxy's HTML error page.
pub(crate) fn malformed(list: bool, variant: u64) -> Response {
    let (content_type, body) = match (variant % 3, list) {
        (0, true) => ("application/json", r#"[{"id":"ff8081818d2e4a01000000000"#),
        (0, false) => ("application/json", r#"{"status":204,"location":null,"mess"#),
        (1, _) => (
            "application/json",
            r#"{"status":204 "location":null "message":"" "responsePlatforms":{}}"#,
        ),
        _ => (
            "text/html; charset=utf-8",
            "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>",
        ),
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn value(envelope: &Envelope) -> Value {
        serde_json::to_value(envelope).unwrap()
    }

    #[test]
    fn synchronous_write_matches_the_documented_example() {
        let got = value(&write_envelope(SyncMode::Synchronous, None, None));
        let want = json!({ "location": null, "message": "", "responsePlatforms": {
            "training": { "location": null, "message": null, "status": 200 },
            "social": { "location": null, "message": null, "status": 204 },
            "play": { "location": null, "message": null, "status": 204 },
            "management": { "location": null, "message": null, "status": 204 } },
            "status": 204 });
        assert_eq!(got, want);
        let text = serde_json::to_string(&write_envelope(SyncMode::Synchronous, None, None));
        assert!(
            text.unwrap().contains(r#"{"training":{"status":200"#),
            "vendor order"
        );
    }

    #[test]
    fn asynchronous_write_queues_training_and_social() {
        let got = value(&write_envelope(
            SyncMode::Asynchronous,
            None,
            Some("/users/x".to_owned()),
        ));
        let statuses: Vec<u64> = ["training", "social", "play", "management"]
            .map(|p| got["responsePlatforms"][p]["status"].as_u64().unwrap())
            .to_vec();
        assert_eq!(statuses, [202, 202, 204, 204]);
        assert_eq!(got["status"], 204);
        assert_eq!(got["location"], "/users/x");
    }

    #[test]
    fn a_failing_platform_turns_the_top_level_status() {
        let got = value(&write_envelope(
            SyncMode::Synchronous,
            Some(Platform::Social),
            None,
        ));
        assert_eq!(got["status"], 500);
        assert_eq!(got["message"], "error in platform social");
        assert_eq!(
            got["responsePlatforms"]["social"],
            json!({"status": 500, "location": null, "message": "simulated social platform failure"})
        );
        assert_eq!(got["responsePlatforms"]["training"]["status"], 200);
    }

    #[test]
    fn refusals_use_the_envelope_with_no_platforms() {
        let refusal = Refusal::new(StatusCode::NOT_FOUND, "user not found: x");
        assert_eq!(
            value(&refusal_envelope(&refusal)),
            json!({"status": 404, "location": null, "message": "user not found: x", "responsePlatforms": {}})
        );
        assert_eq!(Platform::parse("play"), Some(Platform::Play));
        assert_eq!(Platform::parse("talent"), None);
    }
}
