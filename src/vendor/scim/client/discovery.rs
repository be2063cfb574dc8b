//! Discovery: what `/ServiceProviderConfig` says the server supports (PATCH, filtering and
//! its `maxResults`, ETags, bulk), read once per run. A server without it (404, 501, any
//! other refusal but of the credentials) gets the safe defaults: no PATCH (updates GET the
//! resource and PUT it back whole), no filters (look-ups re-list), no cap, no ETags.

use reqwest::Method;

use super::{EP_CONFIG, Request, Scim, wire};
use crate::vendor::ProviderError;
use crate::vendor::http::Repeat;

/// What roster adapts to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Features {
    pub patch: bool,
    pub filter: bool,
    /// The most resources one answer holds (`filter.maxResults`).
    pub max_results: Option<u64>,
    pub etag: bool,
    /// Announced, not used: roster sends one change per request.
    pub bulk: bool,
}

impl Features {
    /// Reads a `/ServiceProviderConfig` document (keys lower-cased).
    pub(crate) fn of(config: &wire::ServiceProviderConfig) -> Self {
        let on = |f: &Option<wire::Feature>| f.as_ref().and_then(|f| f.supported).unwrap_or(false);
        let max_results = config
            .filter
            .as_ref()
            .and_then(|f| f.max_results)
            .filter(|n| *n > 0);
        Features {
            patch: on(&config.patch),
            filter: on(&config.filter),
            max_results,
            etag: on(&config.etag),
            bulk: on(&config.bulk),
        }
    }
}

/// Whether a refusal of the discovery request means "no discovery here" rather than an error.
fn lacks_discovery(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 401 | 403 | 407 | 429) || status == 501
}

impl Scim {
    pub(super) async fn discover(&self) -> Result<Features, ProviderError> {
        let r = Request {
            endpoint: EP_CONFIG,
            method: Method::GET,
            url: self.url(&["ServiceProviderConfig"], &[]),
            body: None,
            if_match: None,
            repeat: Repeat::Safe,
        };
        let answer = self
            .send(r, |status, body| {
                if lacks_discovery(status) {
                    return Ok(None);
                }
                let doc = wire::document(EP_CONFIG, status, body)?;
                wire::read(EP_CONFIG, "service provider config", doc).map(Some)
            })
            .await?;
        let features = match answer {
            Some(config) => Features::of(&config),
            None => {
                tracing::debug!("no /ServiceProviderConfig; using the safe defaults");
                Features::default()
            }
        };
        tracing::debug!(?features, "scim discovery");
        Ok(features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(json: &str) -> Features {
        let doc = wire::lower_keys(serde_json::from_str(json).unwrap());
        Features::of(&wire::read("x", "config", doc).unwrap())
    }

    #[test]
    fn reads_what_the_server_announces_in_any_case_and_spelling() {
        let f = features(
            r#"{"Patch":{"Supported":"True"},"filter":{"supported":true,"maxResults":"50"},
                "ETag":{"supported":false},"bulk":{"supported":true,"maxOperations":10}}"#,
        );
        assert_eq!(
            f,
            Features {
                patch: true,
                filter: true,
                max_results: Some(50),
                etag: false,
                bulk: true
            }
        );
        assert_eq!(features("{}"), Features::default());
        assert_eq!(
            features(r#"{"filter":{"supported":true,"maxResults":0}}"#).max_results,
            None
        );
    }

    #[test]
    fn only_refusals_of_the_request_itself_mean_no_discovery() {
        for s in [400, 404, 405, 406, 501] {
            assert!(lacks_discovery(s), "{s}");
        }
        for s in [401, 403, 429, 500, 503, 200] {
            assert!(!lacks_discovery(s), "{s}");
        }
    }
}
