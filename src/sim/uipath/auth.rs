//! OAuth client credentials and bearer tokens: which token requests succeed and with which
//! scopes, which tokens are live, and which scopes an endpoint needs (`PM.User` or
//! `PM.User.Read` to read users, `PM.User` or `PM.User.Write` to change them; `PM.Group`
//! likewise).
//!
//! Pure decisions with the time passed in (`tokio::time::Instant`); the form parsing and the
//! answers are in `token.rs`, the request checks in `handlers.rs`.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::ids::random_u64;
use crate::sim::secret;

/// The OAuth error codes the token endpoint answers with (RFC 6749 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    #[error("invalid_request")]
    InvalidRequest,
    #[error("invalid_client")]
    InvalidClient,
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope")]
    InvalidScope,
}

/// The fields of a token request that matter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TokenRequest<'a> {
    pub(crate) grant_type: Option<&'a str>,
    pub(crate) client_id: Option<&'a str>,
    pub(crate) client_secret: Option<&'a str>,
    pub(crate) scope: Option<&'a str>,
}

/// The one external application the simulator knows.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    id: String,
    secret: String,
    granted: Vec<String>,
}

impl Client {
    pub(crate) fn new(id: String, secret: String, granted: &str) -> Self {
        let granted = granted.split_whitespace().map(str::to_owned).collect();
        Self {
            id,
            secret,
            granted,
        }
    }

    /// The scopes a token request gets, checked in IdentityServer's order: client, grant
    /// type, scopes. No `scope` (or an empty one) asks for everything granted.
    pub(crate) fn decide(&self, request: &TokenRequest<'_>) -> Result<Vec<String>, TokenError> {
        let id_ok = request
            .client_id
            .is_some_and(|id| secret::matches(&self.id, id));
        let secret_ok = request
            .client_secret
            .is_some_and(|given| secret::matches(&self.secret, given));
        if !(id_ok && secret_ok) {
            return Err(TokenError::InvalidClient);
        }
        if request.grant_type != Some("client_credentials") {
            return Err(TokenError::UnsupportedGrantType);
        }
        let asked: Vec<&str> = request
            .scope
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default();
        if asked.is_empty() {
            return Ok(self.granted.clone());
        }
        let mut scopes: Vec<String> = Vec::new();
        for scope in asked {
            if !self.granted.iter().any(|g| g == scope) {
                return Err(TokenError::InvalidScope);
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        Ok(scopes)
    }
}

/// Why a request's bearer token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerError {
    Missing,
    Unknown,
    Expired,
}

#[derive(Debug, Clone)]
struct Issued {
    scopes: Vec<String>,
    expires: Instant,
}

/// Every token handed out and still remembered, and how many were ever issued.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    live: HashMap<String, Issued>,
    issued: u64,
}

impl Tokens {
    /// A new opaque token for `scopes`, valid for `ttl` from `now`. Forgets expired tokens.
    pub(crate) fn issue(&mut self, scopes: Vec<String>, ttl: Duration, now: Instant) -> String {
        self.live.retain(|_, t| t.expires > now);
        let token: String = (0..4).map(|_| format!("{:016x}", random_u64())).collect();
        let expires = now + ttl;
        self.live.insert(token.clone(), Issued { scopes, expires });
        self.issued += 1;
        token
    }

    pub(crate) fn issued(&self) -> u64 {
        self.issued
    }

    /// Forgets every token: the next API call with any of them answers 401.
    pub(crate) fn revoke_all(&mut self) -> usize {
        let count = self.live.len();
        self.live.clear();
        count
    }

    /// The scopes of the token in an `Authorization` header value.
    pub(crate) fn check(
        &self,
        authorization: Option<&str>,
        now: Instant,
    ) -> Result<&[String], BearerError> {
        let token = authorization
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or(BearerError::Missing)?;
        let issued = self.live.get(token).ok_or(BearerError::Unknown)?;
        if now >= issued.expires {
            return Err(BearerError::Expired);
        }
        Ok(&issued.scopes)
    }
}

/// What an endpoint acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    User,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

/// Whether `scopes` allow `access` to `resource`: the broad scope or the narrow one.
pub(crate) fn allows(scopes: &[String], resource: Resource, access: Access) -> bool {
    let broad = match resource {
        Resource::User => "PM.User",
        Resource::Group => "PM.Group",
    };
    let narrow = match access {
        Access::Read => format!("{broad}.Read"),
        Access::Write => format!("{broad}.Write"),
    };
    scopes.iter().any(|s| s == broad || *s == narrow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(
            "app".to_owned(),
            "s3cret".to_owned(),
            "PM.User PM.Group.Read",
        )
    }

    fn request<'a>(scope: Option<&'a str>) -> TokenRequest<'a> {
        TokenRequest {
            grant_type: Some("client_credentials"),
            client_id: Some("app"),
            client_secret: Some("s3cret"),
            scope,
        }
    }

    #[test]
    fn no_scope_gets_everything_granted() {
        assert_eq!(
            client().decide(&request(None)),
            Ok(vec!["PM.User".to_owned(), "PM.Group.Read".to_owned()])
        );
        assert_eq!(client().decide(&request(Some("  "))).unwrap().len(), 2);
    }

    #[test]
    fn a_subset_is_granted_in_the_order_asked() {
        let granted = client().decide(&request(Some("PM.Group.Read PM.User PM.User")));
        assert_eq!(
            granted,
            Ok(vec!["PM.Group.Read".to_owned(), "PM.User".to_owned()])
        );
    }

    #[test]
    fn refusals_in_identityserver_order() {
        let c = client();
        let mut bad_secret = request(Some("PM.Nothing"));
        bad_secret.client_secret = Some("s3cres");
        bad_secret.grant_type = Some("password");
        assert_eq!(c.decide(&bad_secret), Err(TokenError::InvalidClient));
        let mut no_id = request(None);
        no_id.client_id = None;
        assert_eq!(c.decide(&no_id), Err(TokenError::InvalidClient));
        let mut wrong_grant = request(Some("PM.Nothing"));
        wrong_grant.grant_type = Some("password");
        assert_eq!(
            c.decide(&wrong_grant),
            Err(TokenError::UnsupportedGrantType)
        );
        wrong_grant.grant_type = None;
        assert_eq!(
            c.decide(&wrong_grant),
            Err(TokenError::UnsupportedGrantType)
        );
        let narrower_than_granted = request(Some("PM.User.Read"));
        assert_eq!(
            c.decide(&narrower_than_granted),
            Err(TokenError::InvalidScope)
        );
        assert_eq!(TokenError::InvalidScope.to_string(), "invalid_scope");
    }

    #[test]
    fn tokens_expire_after_their_ttl() {
        let mut tokens = Tokens::default();
        let start = Instant::now();
        let ttl = Duration::from_secs(60);
        let token = tokens.issue(vec!["PM.User".to_owned()], ttl, start);
        assert_eq!(token.len(), 64);
        let header = format!("Bearer {token}");
        let at = |secs| start + Duration::from_secs(secs);
        assert_eq!(
            tokens.check(Some(&header), at(59)),
            Ok(&["PM.User".to_owned()][..])
        );
        let lower = format!("bearer {token}");
        assert!(tokens.check(Some(&lower), at(0)).is_ok());
        assert_eq!(
            tokens.check(Some(&header), at(60)),
            Err(BearerError::Expired)
        );
        assert_eq!(tokens.check(None, at(0)), Err(BearerError::Missing));
        assert_eq!(
            tokens.check(Some("Bearer "), at(0)),
            Err(BearerError::Missing)
        );
        assert_eq!(
            tokens.check(Some(&format!("Basic {token}")), at(0)),
            Err(BearerError::Missing)
        );
        assert_eq!(
            tokens.check(Some("Bearer nope"), at(0)),
            Err(BearerError::Unknown)
        );

        let second = tokens.issue(Vec::new(), ttl, at(61));
        assert_ne!(second, token);
        assert_eq!(tokens.issued(), 2);
        assert_eq!(
            tokens.check(Some(&header), at(61)),
            Err(BearerError::Unknown),
            "forgotten"
        );
        assert_eq!(tokens.revoke_all(), 1);
        assert_eq!(
            tokens.check(Some(&format!("Bearer {second}")), at(61)),
            Err(BearerError::Unknown)
        );
    }

    #[test]
    fn scope_checks_take_the_broad_or_the_narrow_scope() {
        let scopes = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let user = scopes(&["PM.User"]);
        assert!(allows(&user, Resource::User, Access::Read));
        assert!(allows(&user, Resource::User, Access::Write));
        assert!(!allows(&user, Resource::Group, Access::Read));
        let read_only = scopes(&["PM.User.Read", "PM.Group.Write"]);
        assert!(allows(&read_only, Resource::User, Access::Read));
        assert!(!allows(&read_only, Resource::User, Access::Write));
        assert!(allows(&read_only, Resource::Group, Access::Write));
        assert!(!allows(&read_only, Resource::Group, Access::Read));
        assert!(
            !allows(&scopes(&["pm.user"]), Resource::User, Access::Read),
            "case matters"
        );
    }
}
