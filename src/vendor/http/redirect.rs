//! Which redirects roster follows: only to the origin (scheme, host, port) it was configured
//! with, at most a few hops, so that credentials in headers (tokens) and in bodies (API keys sent
//! as form fields) never reach another host, and https is never downgraded to http.
//! A redirect it does not follow becomes an error naming where it pointed.
//!
//! Decides only; the client in `http` applies the policy.

use reqwest::Url;
use reqwest::redirect::Policy;

use crate::vendor::{ProviderError, clean};

/// Same-origin hops followed before roster gives up.
const MAX_HOPS: usize = 5;

/// The client's redirect policy: follow same-origin redirects, stop at anything else (the 3xx
/// answer then comes back to [`refused`]).
pub(super) fn policy() -> Policy {
    Policy::custom(|attempt| {
        if follows(attempt.previous(), attempt.url()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// `previous` holds every URL requested so far, the configured one first.
fn follows(previous: &[Url], next: &Url) -> bool {
    let Some(first) = previous.first() else {
        return false;
    };
    let origin = first.origin();
    origin.is_tuple() && origin == next.origin() && previous.len() <= MAX_HOPS
}

/// The error for a 3xx answer roster did not follow. `from` is the URL first requested.
pub(super) fn refused(endpoint: &str, from: &Url, resp: &reqwest::Response) -> ProviderError {
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let Some(location) = location else {
        return ProviderError::Refused {
            endpoint: endpoint.to_string(),
            detail: format!(
                "vendor answered {} without a Location; roster follows no such answer",
                resp.status().as_u16()
            ),
        };
    };
    let target = resp.url().join(&location).ok();
    let detail = match target {
        Some(t) if t.origin() == from.origin() => format!(
            "vendor redirected to {} more than {MAX_HOPS} times",
            clean::line(t.as_str())
        ),
        Some(t) => format!(
            "vendor redirected to {}; roster follows no redirect to another origin",
            clean::line(t.as_str())
        ),
        None => format!(
            "vendor redirected to {:?}, which is not a URL",
            clean::line(&location)
        ),
    };
    ProviderError::Refused {
        endpoint: endpoint.to_string(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: &[&str]) -> Vec<Url> {
        list.iter().map(|u| Url::parse(u).unwrap()).collect()
    }

    #[test]
    fn only_same_origin_and_a_few_hops() {
        let from = urls(&["https://api.example.com/v1/user"]);
        let ok = |next: &str| follows(&from, &Url::parse(next).unwrap());
        assert!(ok("https://api.example.com/v1/user/"));
        assert!(ok("https://api.example.com:443/other"));
        assert!(!ok("http://api.example.com/v1/user"), "no downgrade");
        assert!(!ok("https://api.example.com:8443/v1/user"), "another port");
        assert!(!ok("https://evil.example/x"), "another host");
        assert!(!ok("https://sub.api.example.com/v1/user"), "another host");
        assert!(!ok("data:text/plain,hi"));
        let chain = urls(&["https://a.example/1"; 5]);
        assert!(follows(&chain, &Url::parse("https://a.example/2").unwrap()));
        let chain = urls(&["https://a.example/1"; 6]);
        assert!(!follows(
            &chain,
            &Url::parse("https://a.example/2").unwrap()
        ));
        assert!(!follows(&[], &Url::parse("https://a.example/2").unwrap()));
    }
}
