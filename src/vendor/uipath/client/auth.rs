//! UiPath's OAuth client-credentials token and the authorised calls made with it: the token
//! is cached until shortly before it expires and renewed once on a 401.
//!
//! The token and the client secret are never logged or quoted; each token is masked in every
//! error the transport returns from then on. Nothing here knows users or groups.

use std::time::{Duration, Instant};

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value as Json;

use super::{EP_TOKEN, Uipath, wire};
use crate::vendor::ProviderError;
use crate::vendor::http::Repeat;

/// A token is renewed this long before it expires (at most a tenth of its life).
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// The life of a token whose answer gives no `expires_in`.
const DEFAULT_TTL: Duration = Duration::from_secs(3600);

impl Uipath {
    /// A valid access token; a new one when `renew` or when the cached one is about to expire.
    pub(super) async fn bearer(&self, renew: bool) -> Result<SecretString, ProviderError> {
        let mut cached = self.token.lock().await;
        if !renew
            && let Some((t, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let url = self.s.token_url.clone();
        let answer = self
            .http
            .send(
                EP_TOKEN,
                Repeat::Safe,
                |c| {
                    c.post(url.clone()).form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", self.s.client_id.expose_secret()),
                        ("client_secret", self.s.client_secret.expose_secret()),
                        ("scope", self.s.scope.as_str()),
                    ])
                },
                |status, body| wire::token(EP_TOKEN, status, body),
            )
            .await?;
        let token = SecretString::from(answer.access_token);
        self.http.conceal(&token);
        *self.granted.lock().unwrap_or_else(|e| e.into_inner()) = answer.scope;
        let ttl = answer
            .expires_in
            .unwrap_or(DEFAULT_TTL)
            .min(wire::MAX_TOKEN_TTL);
        let now = Instant::now();
        let until = now
            .checked_add(ttl.saturating_sub(TOKEN_MARGIN.min(ttl / 10)))
            .unwrap_or(now);
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    /// An authorised request; on a 401 the token is renewed and the request sent once more.
    pub(super) async fn call<T>(
        &self,
        endpoint: &'static str,
        method: Method,
        url: String,
        body: Option<Json>,
        repeat: Repeat,
        parse: impl Fn(u16, &str) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let mut renew = false;
        loop {
            let token = self.bearer(renew).await?;
            let result = self
                .http
                .send(
                    endpoint,
                    repeat,
                    |c| {
                        let rb = c
                            .request(method.clone(), &url)
                            .bearer_auth(token.expose_secret());
                        match &body {
                            Some(b) => rb.json(b),
                            None => rb,
                        }
                    },
                    &parse,
                )
                .await;
            match result {
                Err(ProviderError::Vendor { status: 401, .. }) if !renew => renew = true,
                other => return other,
            }
        }
    }
}
