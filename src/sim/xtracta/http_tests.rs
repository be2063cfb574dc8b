//! The simulator over real HTTP on an ephemeral loopback port. Asserts on substrings of
//! the XML text on purpose: no XML parsing helpers here that a client could borrow.

use reqwest::StatusCode;
use serde_json::Value;

use super::{Args, start};
use crate::sim::faults::FaultArgs;
use crate::sim::test_sim::{TestSim, assert_broken_off, assert_contains, text, with_state_file};

use super::seed::EXAMPLE as SEED;

fn args(faults: FaultArgs) -> Args {
    let mut args = Args {
        faults,
        ..Args::default()
    };
    args.vendor.api_key = "test-key".to_owned();
    args
}

type Sim = TestSim<Args>;

impl TestSim<Args> {
    async fn start(args: Args) -> Self {
        Self::new(start(args, Some(SEED))).await
    }

    /// POSTs a form with the right key; returns the status and the body text.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let mut fields = vec![("api_key", "test-key")];
        fields.extend_from_slice(form);
        self.post_raw(path, &fields).await
    }

    /// [`Self::post`], which must succeed; returns the body text.
    async fn post_ok(&self, path: &str, form: &[(&str, &str)]) -> String {
        let (status, body) = self.post(path, form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn post_raw(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        text(self.http.post(self.url(path)).form(form)).await
    }
}

/// Checks that `answer` is a refusal with `status`, which the XML repeats, and `message`.
fn assert_refused((status, body): &(StatusCode, String), expected: StatusCode, message: &str) {
    assert_eq!(*status, expected, "{body}");
    let code = format!("<status>{}</status>", expected.as_u16());
    assert_contains(body, &[&code, &format!("<message>{message}</message>")]);
}

#[tokio::test]
async fn speaks_the_xtracta_user_api() {
    let sim = Sim::start(args(FaultArgs::default())).await;

    let wrong_key = sim.post_raw("/v1/user", &[("api_key", "nope")]).await;
    assert_refused(&wrong_key, StatusCode::UNAUTHORIZED, "invalid api key");
    assert!(!wrong_key.1.contains("nope"), "the key is never echoed");

    let body = sim.post_ok("/v1/user", &[]).await;
    assert!(
        body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{body}"
    );
    let seeded = [
        "<user_id>4092</user_id>",
        "<assigned_workflows>496553</assigned_workflows>",
    ];
    assert_contains(&body, &seeded);

    let add = [
        ("name", "O'Brien & <Co>"),
        ("email_address", "ob@example.com"),
        ("password", "long enough"),
        ("group_id", "12345"),
        ("workflow_ids", "496941,496553"),
        ("token_expire", "600"),
    ];
    let body = sim.post_ok("/v1/user/add", &add).await;
    let added = [
        "<user_id>4093</user_id>",
        "<name>O&apos;Brien &amp; &lt;Co&gt;</name>",
        "<password>long enough</password>",
        "<assigned_workflows>496553,496941</assigned_workflows>",
        "<token>",
        "<qrcode>",
        "<expire>",
    ];
    assert_contains(&body, &added);

    let taken = sim.post("/v1/user/add", &add).await;
    let why = "email address already in use: ob@example.com";
    assert_refused(&taken, StatusCode::CONFLICT, why);

    let update = [
        ("user_id", "4093"),
        ("name", "Olive"),
        ("password", "new secret"),
    ];
    let body = sim.post_ok("/v1/user/update", &update).await;
    assert!(
        body.contains("<name>Olive</name>") && !body.contains("<password>"),
        "{body}"
    );

    let members = [("workflow_id", "496553"), ("user_ids", "4093")];
    let body = sim.post_ok("/v1/workflow/update", &members).await;
    assert_contains(&body, &["<workflow_response>"]);
    let (_, body) = sim.post("/v1/user", &[("workflow_id", "496553")]).await;
    assert!(
        body.contains("<user_id>4093</user_id>") && !body.contains("4092"),
        "{body}"
    );

    let body = sim.post_ok("/v1/user/delete", &[("user_id", "4093")]).await;
    assert!(!body.contains("<user>"), "{body}");
    let gone = sim.post("/v1/user/delete", &[("user_id", "4093")]).await;
    assert_refused(&gone, StatusCode::NOT_FOUND, "user not found: 4093");

    let no_email = sim.post("/v1/user/add", &[("name", "No Email")]).await;
    let why = "missing required parameter: email_address";
    assert_refused(&no_email, StatusCode::BAD_REQUEST, why);

    assert_eq!(sim.sim("/_sim/requests").await["total"], 10);
    sim.assert_counted(&[("/v1/user", 3), ("/v1/user/delete 404", 1)])
        .await;
    sim.stop().await;
}

#[tokio::test]
async fn sim_endpoints_replace_the_world_and_reset_counts() {
    let sim = Sim::start(args(FaultArgs::default())).await;
    let mut world = sim.sim("/_sim/state").await;
    assert_eq!(world["next_user_id"], 4093, "{world}");
    world["users"][0]["name"] = Value::from("Drifted Name");
    assert_eq!(sim.put_state(&world).await.0, StatusCode::OK);
    let (_, body) = sim.post("/v1/user", &[("group_id", "12345")]).await;
    assert_contains(&body, &["<name>Drifted Name</name>"]);

    world["users"][0]["primary_group_id"] = Value::from(1);
    sim.assert_state_refused(&world, "unknown group 1").await;
    sim.reset_requests().await;
    sim.stop().await;
}

#[tokio::test]
async fn a_world_over_two_megabytes_can_be_put() {
    let sim = Sim::start(args(FaultArgs::default())).await;
    let mut world = sim.sim("/_sim/state").await;
    let users: Vec<Value> = (0..30_000)
        .map(|i| {
            serde_json::json!({
                "user_id": 10_000 + i,
                "name": format!("User {i}"),
                "email_address": format!("user{i}@example.com"),
                "primary_group_id": 12345,
                "assigned_workflows": [496553],
            })
        })
        .collect();
    world["users"] = Value::from(users);
    world["next_user_id"] = Value::from(40_000);
    let body = serde_json::to_vec(&world).unwrap();
    assert!(body.len() > 2 << 20, "{} bytes", body.len());
    let put = sim
        .http
        .put(sim.url("/_sim/state"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let (_, listed) = sim.post("/v1/user", &[("group_id", "12345")]).await;
    assert_eq!(listed.matches("<user>").count(), 30_000);
    sim.stop().await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let (_dir, with_state) = with_state_file(args(FaultArgs::default()));
    let sim = Sim::start(with_state.clone()).await;
    let add = [
        ("name", "Ana"),
        ("email_address", "ana@example.com"),
        ("group_id", "777"),
    ];
    assert_eq!(sim.post("/v1/user/add", &add).await.0, StatusCode::OK);
    sim.stop().await;

    let sim = Sim::start(with_state).await;
    let (_, body) = sim.post("/v1/user", &[("group_id", "777")]).await;
    assert_contains(&body, &["<email_address>ana@example.com</email_address>"]);
    sim.stop().await;
}

#[tokio::test]
async fn injected_faults() {
    let failing = Sim::start(args(FaultArgs {
        fail_rate: 1.0,
        ..FaultArgs::default()
    }))
    .await;
    let add = [
        ("name", "Ana"),
        ("email_address", "ana@example.com"),
        ("group_id", "12345"),
    ];
    let (status, body) = failing.post("/v1/user/add", &add).await;
    assert!(status.is_server_error(), "{status}");
    assert_contains(&body, &["<message>simulated server error</message>"]);
    assert_eq!(failing.user_count().await, 1, "nothing was added");
    failing.stop().await;

    let ambiguous = Sim::start(args(FaultArgs {
        ambiguous_rate: 1.0,
        ..FaultArgs::default()
    }))
    .await;
    let response = ambiguous.http.post(ambiguous.url("/v1/user/add")).form(&[
        ("api_key", "test-key"),
        ("name", "Ana"),
        ("email_address", "ana@example.com"),
        ("group_id", "12345"),
    ]);
    assert_broken_off(response.send().await.unwrap()).await;
    assert_eq!(ambiguous.user_count().await, 2, "the write was committed");
    let (status, _) = ambiguous.post("/v1/user", &[]).await;
    assert_eq!(status, StatusCode::OK, "reads are never broken off");
    ambiguous.stop().await;

    let limited = Sim::start(args(FaultArgs {
        rate_limit: Some(1),
        malformed_rate: 1.0,
        ..FaultArgs::default()
    }))
    .await;
    let body = limited.post_ok("/v1/user", &[]).await;
    assert!(
        !body.trim_end().ends_with("</user_response>"),
        "malformed: {body}"
    );
    let response = limited
        .http
        .post(limited.url("/v1/user"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
    limited.assert_counted(&[("/v1/user 429", 1)]).await;
    limited.stop().await;
}

#[tokio::test]
async fn concurrent_adds_get_distinct_ids_and_one_email_wins() {
    let sim = std::sync::Arc::new(Sim::start(args(FaultArgs::default())).await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let sim = sim.clone();
        tasks.spawn(async move {
            // Every other request races for the same address.
            let email = if i % 2 == 0 {
                format!("u{i}@example.com")
            } else {
                "same@example.com".to_owned()
            };
            let add = [
                ("name", "U"),
                ("email_address", email.as_str()),
                ("group_id", "12345"),
            ];
            sim.post("/v1/user/add", &add).await.0
        });
    }
    let statuses: Vec<StatusCode> = tasks.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 9);
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        7
    );
    let state = sim.sim("/_sim/state").await;
    let mut ids: Vec<u64> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_u64().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 10, "seeded user plus nine distinct new ids");
    assert_eq!(state["next_user_id"], 4102);
}

#[tokio::test]
async fn with_a_key_group_adds_for_workflows_join_it_and_lists_show_it() {
    let mut keyed = args(FaultArgs::default());
    keyed.vendor.key_group = Some(777);
    let sim = Sim::start(keyed).await;
    let add = [
        ("name", "Cy"),
        ("email_address", "cy@example.com"),
        ("workflow_ids", "496941"),
    ];
    let body = sim.post_ok("/v1/user/add", &add).await;
    assert_contains(&body, &["<primary_group_id>777</primary_group_id>"]);
    let (_, listed) = sim.post("/v1/user", &[]).await;
    assert!(
        listed.contains("<user_id>4093</user_id>") && !listed.contains("4092"),
        "the key's group, not the first: {listed}"
    );
    let nowhere = [("name", "Di"), ("email_address", "di@example.com")];
    let (status, body) = sim.post("/v1/user/add", &nowhere).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_contains(&body, &["group_id or workflow_ids"]);
    sim.stop().await;
}

#[tokio::test]
async fn an_empty_user_list_removes_a_workflows_last_member() {
    let sim = Sim::start(args(FaultArgs::default())).await;
    let invoices = [("workflow_id", "496553")];
    let (_, before) = sim.post("/v1/user", &invoices).await;
    assert_contains(&before, &["<user_id>4092</user_id>"]);
    let emptied = [("workflow_id", "496553"), ("user_ids", "")];
    sim.post_ok("/v1/workflow/update", &emptied).await;
    let (_, after) = sim.post("/v1/user", &invoices).await;
    assert!(!after.contains("<user>"), "{after}");
    let (_, everyone) = sim.post("/v1/user", &[]).await;
    assert!(
        everyone.contains("<user_id>4092</user_id>") && !everyone.contains("496553"),
        "the user stays, without the workflow: {everyone}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn retry_after_can_be_an_http_date() {
    let sim = Sim::start(args(FaultArgs {
        rate_limit: Some(1),
        retry_after_date: true,
        ..FaultArgs::default()
    }))
    .await;
    assert_eq!(sim.post("/v1/user", &[]).await.0, StatusCode::OK);
    let before = chrono::Utc::now().timestamp();
    let response = sim.http.post(sim.url("/v1/user")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let date = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(date.ends_with(" GMT"), "{date}");
    let due = chrono::DateTime::parse_from_rfc2822(&date)
        .unwrap()
        .timestamp();
    assert!(
        (1..=3).contains(&(due - before)),
        "{date} is not a second or two away"
    );
    sim.stop().await;
}
