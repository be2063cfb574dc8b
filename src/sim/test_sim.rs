//! The harness every simulator's HTTP tests share: a simulator on an ephemeral loopback
//! port, a plain HTTP client, the shared `/_sim/*` endpoints, a state file, and the ways an
//! answer is read and checked.
//!
//! Answers are raw `serde_json::Value` or text on purpose: no typed wire shapes here that a
//! client could borrow, and nothing vendor-specific: each vendor's tests add their own calls
//! in an `impl TestSim<TheirArgs>` block.

use std::future::Future;
use std::marker::PhantomData;

use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

use super::Running;
use super::launch::{SimArgs, VendorArgs};

/// A simulator under test and a client to talk to it; `A`, the simulator's options, marks
/// whose tests these are.
pub(crate) struct TestSim<A> {
    running: Running,
    pub(crate) http: Client,
    vendor: PhantomData<A>,
}

impl<A> TestSim<A> {
    /// Waits for `started` (a vendor's `start`) and panics if the simulator did not start.
    pub(crate) async fn new(started: impl Future<Output = anyhow::Result<Running>>) -> Self {
        Self {
            running: started.await.expect("simulator starts"),
            http: Client::new(),
            vendor: PhantomData,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addr())
    }

    /// A `/_sim/*` document, e.g. `/_sim/state`.
    pub(crate) async fn sim(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// `PUT /_sim/state`: the status and the answer.
    pub(crate) async fn put_state(&self, world: &Value) -> (StatusCode, Value) {
        let url = self.url("/_sim/state");
        let response = self.http.put(url).json(world).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// A `PUT /_sim/state` that must be refused with an error containing `why`.
    pub(crate) async fn assert_state_refused(&self, world: &Value, why: &str) {
        let (status, error) = self.put_state(world).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        let message = error["error"].as_str().unwrap_or_default();
        assert!(message.contains(why), "{error}");
    }

    /// `POST /_sim/requests/reset`, checking that it answers and that nothing is counted
    /// afterwards.
    pub(crate) async fn reset_requests(&self) {
        let url = self.url("/_sim/requests/reset");
        let reset = self.http.post(url).send().await.unwrap();
        assert_eq!(reset.status(), StatusCode::OK);
        assert_eq!(self.sim("/_sim/requests").await["total"], 0);
    }

    /// Checks `GET /_sim/requests`: each `(KEY, N)` is `N` requests counted under `KEY` in
    /// `by_endpoint`, or in `by_endpoint_status` when `KEY` ends in a status.
    pub(crate) async fn assert_counted(&self, expected: &[(&str, u64)]) {
        let counts = self.sim("/_sim/requests").await;
        for (key, n) in expected {
            let with_status = key.rsplit_once(' ').is_some_and(|(_, last)| {
                last.len() == 3 && last.bytes().all(|b| b.is_ascii_digit())
            });
            let table = if with_status {
                "by_endpoint_status"
            } else {
                "by_endpoint"
            };
            assert_eq!(counts[table][key], *n, "{key} in {counts}");
        }
    }

    /// How many users `/_sim/state` holds.
    pub(crate) async fn user_count(&self) -> usize {
        let state = self.sim("/_sim/state").await;
        state["users"].as_array().map_or(0, Vec::len)
    }

    pub(crate) async fn stop(self) {
        self.running.stop().await;
    }
}

/// Checks the answer of a write an ambiguous fault broke off: the headers arrive, the body
/// does not.
pub(crate) async fn assert_broken_off(response: Response) {
    assert_eq!(response.status(), StatusCode::OK, "headers arrive");
    assert!(response.text().await.is_err(), "the body breaks off");
}

/// `args` with the world kept in a state file, in a directory that is removed when the
/// answered `TempDir` is dropped.
pub(crate) fn with_state_file<V: VendorArgs>(mut args: SimArgs<V>) -> (TempDir, SimArgs<V>) {
    let dir = tempfile::tempdir().unwrap();
    args.world.state = Some(dir.path().join("world.json"));
    (dir, args)
}

/// Sends `request`: the status and the body text.
pub(crate) async fn text(request: RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Sends `request`: the status and the body, which must be JSON.
pub(crate) async fn json(request: RequestBuilder) -> (StatusCode, Value) {
    let (status, text) = self::text(request).await;
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:?}"));
    (status, body)
}

/// The text `field` of each item of the JSON list `list`; panics on anything else.
pub(crate) fn texts<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let Some(items) = list.as_array() else {
        panic!("not a list: {list}");
    };
    let text = |item: &'a Value| match item[field].as_str() {
        Some(text) => text,
        None => panic!("no text {field} in {item}"),
    };
    items.iter().map(text).collect()
}

/// Checks that `response` declares a content type starting with `expected`.
pub(crate) fn assert_content_type(response: &Response, expected: &str) {
    let declared = response.headers()["content-type"].to_str().unwrap();
    assert!(declared.starts_with(expected), "{declared}");
}

/// Checks that `body` contains each of `parts`.
pub(crate) fn assert_contains(body: &str, parts: &[&str]) {
    for part in parts {
        assert!(body.contains(part), "no {part:?} in {body}");
    }
}
