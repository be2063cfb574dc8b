//! The simulator over real HTTP on an ephemeral loopback port: this file is the UiPath
//! harness, `users` and `tokens` the tests. Asserts on raw JSON through `serde_json::Value`
//! on purpose: no typed wire structs here that a client could borrow.

mod rights;
mod tokens;
mod users;

use std::fmt::Write as _;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

use super::{Args, start};
use crate::sim::test_sim::{self, TestSim};

const PGID: &str = "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11";
const GRYFF: &str = "0e5e1f4a-6c1d-4c2b-9f00-5a7d3c2b1e01";

/// The client the tests' simulators accept, and the form that asks it for a token.
const CLIENT: [(&str, &str); 3] = [
    ("grant_type", "client_credentials"),
    ("client_id", "app"),
    ("client_secret", "s3cret"),
];

fn args() -> Args {
    let mut args = Args::default();
    args.vendor.client_id = "app".to_owned();
    args.vendor.client_secret = "s3cret".to_owned();
    args
}

/// A seed with `users` users, `user0000@example.com` onwards; the first is an administrator.
fn seed(users: usize) -> String {
    let mut text = format!("groups:\n  - {{ id: {GRYFF}, name: gryff-01 }}\nusers:\n");
    for i in 0..users {
        let groups = if i == 0 { "[Administrators]" } else { "[]" };
        let _ = writeln!(
            text,
            "  - {{ email: user{i:04}@example.com, name: N{i}, groups: {groups} }}"
        );
    }
    text
}

type Sim = TestSim<Args>;

impl TestSim<Args> {
    async fn start(args: Args, seed: &str) -> Self {
        Self::new(start(args, Some(seed))).await
    }

    fn api(&self, path: &str) -> String {
        self.url(&format!("/acme/identity_/api{path}"))
    }

    async fn token_with(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let request = self.http.post(self.url("/identity_/connect/token"));
        test_sim::json(request.form(form)).await
    }

    async fn token(&self, scope: &str) -> String {
        let mut form = CLIENT.to_vec();
        form.push(("scope", scope));
        let (status, body) = self.token_with(&form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A request to the Identity API (`path` below `/acme/identity_/api`) with the bearer
    /// token; the harness's `text` or `json` sends it.
    fn call(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.http.request(method, self.api(path)).bearer_auth(token)
    }
}
