//! A vendor (or anything pretending to be one) that answers badly on purpose: redirects to
//! another origin, unreadable token answers, endless answers, paging that never progresses,
//! 404 pages that are not the vendor's, lost create answers, and a 503 with a long
//! `Retry-After` while roster is asked to stop. The real binary against small stub servers that
//! record every request they get.

mod util;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::Response;
use util::{API_KEY, LC_TOKEN, UIPATH_CLIENT_SECRET, UIPATH_PGID, Workspace};

// ---------------------------------------------------------------------------------------------
// The stub server

/// One request a stub received.
#[derive(Clone, Debug)]
struct Hit {
    method: Method,
    path: String,
    query: String,
    body: String,
    at: Instant,
}

type Respond = dyn Fn(&Hit) -> Response + Send + Sync;

struct Shared {
    hits: Mutex<Vec<Hit>>,
    respond: Box<Respond>,
}

/// A loopback HTTP server answering every request with `respond`, recording each one.
struct Stub {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Stub {
    fn start(respond: impl Fn(&Hit) -> Response + Send + Sync + 'static) -> Stub {
        let shared = Arc::new(Shared {
            hits: Mutex::new(Vec::new()),
            respond: Box::new(respond),
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let state = shared.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app).await.unwrap();
            });
        });
        Stub {
            addr: rx.recv().unwrap(),
            shared,
        }
    }

    fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    fn count(&self, method: &str, path: &str) -> usize {
        self.hits()
            .iter()
            .filter(|h| h.method == method && h.path == path)
            .count()
    }
}

async fn handle(State(s): State<Arc<Shared>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let hit = Hit {
        method,
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    };
    // Recorded before answering, so that a test sees a request whose answer never ends.
    s.hits.lock().unwrap().push(hit.clone());
    (s.respond)(&hit)
}

fn reply(status: u16, content_type: &str, body: impl Into<Body>) -> Response {
    let mut b = Response::builder().status(StatusCode::from_u16(status).unwrap());
    if !content_type.is_empty() {
        b = b.header(header::CONTENT_TYPE, content_type);
    }
    b.body(body.into()).unwrap()
}

fn redirect(status: u16, location: &str) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header(header::LOCATION, location)
        .body(Body::empty())
        .unwrap()
}

/// A server that must never be reached; it records what it gets anyway.
fn elsewhere() -> Stub {
    Stub::start(|_| reply(200, "text/plain", "you should not be here"))
}

fn text(body: &str) -> String {
    body.to_string()
}

// ---------------------------------------------------------------------------------------------
// The three vendors' shapes

const HTML_404: &str = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><hr>nginx</body></html>";

fn xtracta_users(users: &[(u64, &str)]) -> String {
    let mut s = String::from("<user_response><status>200</status><message>ok</message>");
    for (id, email) in users {
        s.push_str(&format!(
            "<user><user_id>{id}</user_id><name>{}</name><email_address>{email}</email_address><primary_group_id>12345</primary_group_id><assigned_workflows/></user>",
            name_of(email)
        ));
    }
    s.push_str("</user_response>");
    s
}

fn xtracta_status(status: u16, message: &str) -> String {
    format!("<user_response><status>{status}</status><message>{message}</message></user_response>")
}

/// `a@example.com` → `A`.
fn name_of(email: &str) -> String {
    email[..1].to_uppercase() + &email[1..email.find('@').unwrap()]
}

fn xtracta_ws(stub: &Stub, extra: &str) -> Workspace {
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: http://{}/v1\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n    max_attempts: 2\n{extra}",
        stub.addr
    ));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n",
    );
    ws
}

fn uipath_ws(stub: &Stub, extra: &str) -> Workspace {
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  robots:\n    provider: uipath\n    url: http://{}/acme/identity_\n    client_id: {{ env: UIPATH_CLIENT_ID }}\n    client_secret: {{ env: UIPATH_CLIENT_SECRET }}\n    partition_global_id: {UIPATH_PGID}\n    max_attempts: 2\n{extra}",
        stub.addr
    ));
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n",
    );
    ws
}

const UIPATH_TOKEN: &str = "uipath-access-token-3f9a0c7e";

fn uipath_user(id: &str, email: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "userName": email, "email": email, "name": name_of(email),
        "isActive": true, "groupIDs": [], "type": 0
    })
}

fn uipath_page(total: usize, users: Vec<serde_json::Value>) -> Response {
    let body = serde_json::json!({ "totalCount": total, "results": users });
    reply(200, "application/json", body.to_string())
}

/// A UiPath Identity that hands out tokens and knows no groups; `users` answers the user list
/// (given the query) and `other` everything else.
fn uipath_stub(
    users: impl Fn(&Hit) -> Response + Send + Sync + 'static,
    other: impl Fn(&Hit) -> Response + Send + Sync + 'static,
) -> Stub {
    let token = serde_json::json!({
        "access_token": UIPATH_TOKEN, "token_type": "Bearer", "expires_in": 3600
    });
    uipath_stub_with_token(token.to_string(), users, other)
}

/// The same, answering the token endpoint with `token`.
fn uipath_stub_with_token(
    token: String,
    users: impl Fn(&Hit) -> Response + Send + Sync + 'static,
    other: impl Fn(&Hit) -> Response + Send + Sync + 'static,
) -> Stub {
    Stub::start(move |hit| {
        if hit.path == "/identity_/connect/token" {
            reply(200, "application/json", token.clone())
        } else if hit.path == format!("/acme/identity_/api/Group/{UIPATH_PGID}") {
            reply(200, "application/json", "[]")
        } else if hit.path == format!("/acme/identity_/api/User/users/{UIPATH_PGID}") {
            users(hit)
        } else {
            other(hit)
        }
    })
}

fn lc_base(stub: &Stub) -> String {
    format!("http://{}/integration/ws/management/rest", stub.addr)
}

const LC_USERS: &str = "/integration/ws/management/rest/users";

fn lc_ws(stub: &Stub, extra: &str) -> Workspace {
    let ws = Workspace::new(&format!(
        "manifests: users\ntargets:\n  academy:\n    provider: learningcloud\n    url: {}\n    token: {{ env: LEARNINGCLOUD_TOKEN }}\n    max_attempts: 2\n{extra}",
        lc_base(stub)
    ));
    ws.write(
        "users/a.yaml",
        "users:\n  - username: a\n    email: a@example.com\n    name: A\n    surname: S\n    language: en\n    timezone: Europe/Madrid\n",
    );
    ws
}

fn lc_user(id: &str, username: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "username": username, "email": format!("{username}@example.com"),
        "name": name_of(&format!("{username}@x")), "surname": "S", "language": "en",
        "timezone": "Europe/Madrid", "enabled": true, "roles": null, "externalId": null,
        "extendedFields": null
    })
}

const LC_DONE: &str = r#"{"status":200,"location":null,"message":"","responsePlatforms":{"training":{"status":200,"location":null,"message":null},"management":{"status":204,"location":null,"message":null}}}"#;

fn assert_no_secret(out: &util::Out) {
    let all = out.all();
    for secret in [API_KEY, LC_TOKEN, UIPATH_CLIENT_SECRET, UIPATH_TOKEN] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
    assert!(!all.contains("panicked"), "{all}");
}

// ---------------------------------------------------------------------------------------------
// Redirects: credentials never leave the target's origin

#[test]
fn xtracta_redirect_to_another_origin_is_refused_and_the_key_never_goes_there() {
    let evil = elsewhere();
    let location = format!("http://{}/x", evil.addr);
    let target = location.clone();
    let vendor = Stub::start(move |_| redirect(307, &target));
    let ws = xtracta_ws(&vendor, "");
    let out = ws.roster(&["plan", "--log-level", "debug"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(&format!(
            "/v1/user: vendor redirected to {location}; roster follows no redirect to another origin"
        )),
        "{}",
        out.stderr
    );
    assert!(evil.hits().is_empty(), "reached: {:?}", evil.hits());
    assert_eq!(vendor.hits().len(), 1, "a refused redirect is not retried");
    assert_no_secret(&out);
}

#[test]
fn learningcloud_redirect_keeps_the_token_header_home() {
    let evil = elsewhere();
    let location = format!("http://{}/steal", evil.addr);
    let target = location.clone();
    let vendor = Stub::start(move |_| redirect(302, &target));
    let ws = lc_ws(&vendor, "");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains(&format!("GET /users: vendor redirected to {location}; roster follows no redirect to another origin")),
        "{}",
        out.stderr
    );
    assert!(evil.hits().is_empty(), "reached: {:?}", evil.hits());
    assert_no_secret(&out);
}

#[test]
fn uipath_token_redirect_keeps_the_client_secret_home() {
    let evil = elsewhere();
    let location = format!("http://{}/connect/token", evil.addr);
    let target = location.clone();
    let vendor = Stub::start(move |_| redirect(308, &target));
    let ws = uipath_ws(&vendor, "");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(&format!(
            "POST /connect/token: vendor redirected to {location}; roster follows no redirect to another origin"
        )),
        "{}",
        out.stderr
    );
    assert!(evil.hits().is_empty(), "reached: {:?}", evil.hits());
    assert_no_secret(&out);
}

#[test]
fn a_redirect_on_the_same_origin_is_followed_with_the_body() {
    let vendor = Stub::start(|hit| match hit.path.as_str() {
        "/v1/user" => redirect(307, "/v1/user-moved"),
        "/v1/user-moved" if hit.body.contains(&format!("api_key={API_KEY}")) => reply(
            200,
            "application/xml",
            xtracta_users(&[(1, "a@example.com")]),
        ),
        _ => reply(400, "application/xml", xtracta_status(400, "no key")),
    });
    let ws = xtracta_ws(&vendor, "");
    let out = ws.roster(&["plan", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(vendor.count("POST", "/v1/user-moved"), 1);
}

// ---------------------------------------------------------------------------------------------
// Authentication answers are never quoted; vendor numbers never panic

#[test]
fn an_unreadable_token_answer_is_described_never_quoted() {
    let token =
        format!(r#"{{"access_token":"{UIPATH_TOKEN}","token_type":"Bearer","expires_in":"3600"}}"#);
    let vendor = uipath_stub_with_token(token, |_| uipath_page(0, vec![]), |_| reply(500, "", ""));
    let ws = uipath_ws(&vendor, "");
    let out = ws.roster(&["plan", "--log-level", "trace"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(
            "POST /connect/token: unreadable answer: token answer: expires_in is not a number"
        ),
        "{}",
        out.stderr
    );
    assert_no_secret(&out);
    assert!(
        vendor
            .hits()
            .iter()
            .all(|h| h.path == "/identity_/connect/token"),
        "no API call without a token"
    );
}

#[test]
fn a_huge_expires_in_is_capped_not_a_panic() {
    for expires in [
        "1e308",
        "18446744073709551615",
        "99999999999999999999999999",
    ] {
        let token = format!(r#"{{"access_token":"{UIPATH_TOKEN}","expires_in":{expires}}}"#);
        let vendor =
            uipath_stub_with_token(token, |_| uipath_page(0, vec![]), |_| reply(404, "", ""));
        let ws = uipath_ws(&vendor, "");
        let out = ws.roster(&["plan"]);
        assert_eq!(out.code, 0, "expires_in {expires}: {}", out.all());
        assert!(out.stdout.contains("1 to create"), "{}", out.stdout);
        assert_no_secret(&out);
    }
}

#[test]
fn a_vendor_quoting_the_password_or_key_back_has_it_masked() {
    const PASSWORD: &str = "Hunter2-first-password";
    let vendor = Stub::start(|hit| match hit.path.as_str() {
        "/v1/user" => reply(200, "application/xml", xtracta_users(&[])),
        _ => {
            // Echoes the request, escape sequences and all.
            let echo = hit.body.replace('&', " ");
            let message = format!("rejected \u{1b}]0;pwned\u{7}{echo}");
            reply(400, "application/xml", xtracta_status(400, &message))
        }
    });
    let ws = xtracta_ws(&vendor, "");
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n    password: { env: FIRST_PASSWORD }\n",
    );
    let out = ws.roster_env(&["apply", "--yes"], &[("FIRST_PASSWORD", PASSWORD)]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout
            .contains("FAILED create a@example.com: /v1/user/add: vendor answered 400: rejected"),
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("password=(secret)"), "{}", out.stdout);
    assert!(out.stdout.contains("api_key=(secret)"), "{}", out.stdout);
    assert!(!out.all().contains(PASSWORD), "{}", out.all());
    assert!(!out.all().contains('\u{1b}'), "{:?}", out.all());
    assert_no_secret(&out);
}

// ---------------------------------------------------------------------------------------------
// Answer size cap

#[test]
fn an_endless_answer_stops_at_the_cap() {
    let vendor = Stub::start(|_| {
        let chunks = futures_util::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(Bytes::from_static(&[b' '; 16 * 1024]))
        });
        reply(200, "application/xml", Body::from_stream(chunks))
    });
    let ws = xtracta_ws(&vendor, "    max_answer_size: 256KiB\n");
    let started = Instant::now();
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("/v1/user: answer over the 256 KiB limit (max_answer_size)"),
        "{}",
        out.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(vendor.hits().len(), 1, "too large is not retried");
}

#[test]
fn a_declared_length_over_the_cap_is_refused_before_reading() {
    let vendor = Stub::start(|_| reply(200, "application/xml", " ".repeat(2048)));
    let ws = xtracta_ws(&vendor, "    max_answer_size: 1024\n");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("/v1/user: answer over the 1 KiB limit (max_answer_size)"),
        "{}",
        out.stderr
    );
    let ws = xtracta_ws(&vendor, "    max_answer_size: 4GB\n");
    let out = ws.roster(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("roster.yaml:9:22: target acme: max_answer_size: invalid size \"4GB\""),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Paging must prove progress

#[test]
fn uipath_ignoring_skip_ends_in_an_error_not_a_loop() {
    let page: Vec<_> = (0..1000)
        .map(|i| uipath_user(&format!("id-{i}"), &format!("u{i}@example.com")))
        .collect();
    let vendor = uipath_stub(
        move |_| uipath_page(5000, page.clone()),
        |_| reply(404, "", ""),
    );
    let ws = uipath_ws(&vendor, "");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("the page at skip=1000 repeats users already listed (paging ignored?)"),
        "{}",
        out.stderr
    );
    let lists = format!("/acme/identity_/api/User/users/{UIPATH_PGID}");
    assert_eq!(vendor.count("GET", &lists), 2);
}

#[test]
fn uipath_total_count_that_grows_forever_ends() {
    let served = Arc::new(Mutex::new(0usize));
    let n = served.clone();
    let vendor = uipath_stub(
        move |_| {
            let mut n = n.lock().unwrap();
            *n += 1;
            let user = uipath_user(&format!("id-{n}"), &format!("u{n}@example.com"));
            uipath_page(*n + 10, vec![user])
        },
        |_| reply(404, "", ""),
    );
    let ws = uipath_ws(&vendor, "");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("still more users after 1000 pages (1000 users); roster stops there"),
        "{}",
        out.stderr
    );
    assert_eq!(*served.lock().unwrap(), 1001);
}

#[test]
fn uipath_short_of_total_count_is_an_error_not_a_short_list() {
    let vendor = uipath_stub(
        |hit| {
            if hit.query.contains("skip=0") {
                uipath_page(3, vec![uipath_user("id-1", "a@example.com")])
            } else {
                uipath_page(3, vec![])
            }
        },
        |_| reply(404, "", ""),
    );
    let ws = uipath_ws(&vendor, "");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("the page at skip=1 is empty, but totalCount is 3"),
        "{}",
        out.stderr
    );
}

#[test]
fn learningcloud_ignoring_start_index_ends_in_an_error_not_a_loop() {
    let page: Vec<_> = (0..500)
        .map(|i| lc_user(&format!("id{i}"), &format!("u{i}")))
        .collect();
    let body = serde_json::Value::Array(page).to_string();
    let vendor = Stub::start(move |_| reply(200, "application/json", body.clone()));
    let ws = lc_ws(&vendor, "");
    let out = ws.roster(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("the page at startIndex=2 fits no reading of startIndex (users or pages, from 0 or 1): paging ignored?"),
        "{}",
        out.stderr
    );
    // startIndex 0, then 1 and 2 to tell how it counts.
    assert_eq!(vendor.count("GET", LC_USERS), 3);
}

// ---------------------------------------------------------------------------------------------
// A 404 on delete counts as done only when the vendor itself says so

/// Runs `apply` once per delete answer; returns each run's output.
fn deletes_answered(
    answer: &Arc<Mutex<(u16, String)>>,
    ws: &Workspace,
    answers: &[(u16, String)],
) -> Vec<util::Out> {
    answers
        .iter()
        .map(|a| {
            *answer.lock().unwrap() = a.clone();
            ws.roster(&["apply", "--yes"])
        })
        .collect()
}

fn delete_answer() -> Arc<Mutex<(u16, String)>> {
    Arc::new(Mutex::new((200, String::new())))
}

/// Only the last of three answers (a proxy's page, an empty body, the vendor's own 404)
/// counts the delete as done.
fn assert_only_own_404_is_done(outs: &[util::Out], change: &str) {
    for out in &outs[..2] {
        assert_eq!(out.code, 1, "{}", out.all());
        assert!(
            out.stdout.contains(&format!("FAILED {change}")),
            "{}",
            out.all()
        );
        assert!(out.stdout.contains("404"), "{}", out.stdout);
        assert_no_secret(out);
    }
    let own = &outs[2];
    assert_eq!(own.code, 0, "{}", own.all());
    assert!(
        own.stdout.contains(&format!("done {change}")),
        "{}",
        own.all()
    );
}

const DELETE_EXTRA: &str = "    unmanaged: delete\n    max_delete_fraction: 1.0\n";

#[test]
fn xtracta_delete_404_counts_only_as_xtracta_says_it() {
    let answer = delete_answer();
    let a = answer.clone();
    let vendor = Stub::start(move |hit| match hit.path.as_str() {
        "/v1/user" => reply(
            200,
            "application/xml",
            xtracta_users(&[(1, "a@example.com"), (2, "gone@example.com")]),
        ),
        "/v1/user/delete" => {
            let (status, body) = a.lock().unwrap().clone();
            reply(status, "application/xml", body)
        }
        _ => reply(400, "application/xml", xtracta_status(400, "unexpected")),
    });
    let ws = xtracta_ws(&vendor, DELETE_EXTRA);
    let outs = deletes_answered(
        &answer,
        &ws,
        &[
            (404, text(HTML_404)),
            (404, String::new()),
            (404, xtracta_status(404, "user not found")),
        ],
    );
    assert_only_own_404_is_done(&outs, "delete gone@example.com");
}

#[test]
fn uipath_delete_404_counts_only_as_uipath_says_it() {
    let answer = delete_answer();
    let a = answer.clone();
    let vendor = uipath_stub(
        |_| {
            uipath_page(
                2,
                vec![
                    uipath_user("id-a", "a@example.com"),
                    uipath_user("id-gone", "gone@example.com"),
                ],
            )
        },
        move |hit| {
            if hit.method == Method::DELETE && hit.path == "/acme/identity_/api/User/id-gone" {
                let (status, body) = a.lock().unwrap().clone();
                reply(status, "application/json", body)
            } else {
                reply(400, "", "")
            }
        },
    );
    let ws = uipath_ws(&vendor, DELETE_EXTRA);
    let own = r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.4","title":"Not Found","status":404,"traceId":"00-1-2-00"}"#;
    let outs = deletes_answered(
        &answer,
        &ws,
        &[
            (404, text(HTML_404)),
            (404, String::new()),
            (404, text(own)),
        ],
    );
    assert_only_own_404_is_done(&outs, "delete gone@example.com");
}

#[test]
fn learningcloud_delete_404_counts_only_as_learningcloud_says_it() {
    let answer = delete_answer();
    let a = answer.clone();
    let list = serde_json::json!([lc_user("id-a", "a"), lc_user("id-gone", "gone")]).to_string();
    let vendor = Stub::start(move |hit| {
        if hit.method == Method::GET && hit.path == LC_USERS {
            reply(200, "application/json", list.clone())
        } else if hit.method == Method::DELETE && hit.path == format!("{LC_USERS}/id-gone") {
            let (status, body) = a.lock().unwrap().clone();
            reply(status, "application/json", body)
        } else {
            reply(400, "application/json", LC_DONE.replace("200", "400"))
        }
    });
    let ws = lc_ws(&vendor, DELETE_EXTRA);
    let own = r#"{"status":404,"location":null,"message":"user not found: id-gone","responsePlatforms":{}}"#;
    let outs = deletes_answered(
        &answer,
        &ws,
        &[
            (404, text(HTML_404)),
            (404, String::new()),
            (404, text(own)),
        ],
    );
    assert_only_own_404_is_done(&outs, "delete gone");
}

// ---------------------------------------------------------------------------------------------
// A lost create: pause, look up, and try again with the same GUID

#[test]
fn uipath_lost_create_pauses_before_the_look_up_and_keeps_its_guid() {
    let creates = Arc::new(Mutex::new(0usize));
    let c = creates.clone();
    let vendor = uipath_stub(
        |_| uipath_page(0, vec![]),
        move |hit| {
            if hit.method == Method::POST && hit.path == "/acme/identity_/api/User" {
                let mut n = c.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    // A gateway error: the create may or may not have happened.
                    return reply(502, "text/html", "<html>Bad Gateway</html>");
                }
                return reply(200, "application/json", r#"{"succeeded":true,"errors":[]}"#);
            }
            reply(400, "", "")
        },
    );
    let ws = uipath_ws(&vendor, "");
    let out = ws.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let hits = vendor.hits();
    let posts: Vec<&Hit> = hits
        .iter()
        .filter(|h| h.method == Method::POST && h.path == "/acme/identity_/api/User")
        .collect();
    assert_eq!(posts.len(), 2, "{hits:#?}");
    let id = |h: &Hit| serde_json::from_str::<serde_json::Value>(&h.body).unwrap()["id"].clone();
    assert!(id(posts[0]).is_string());
    assert_eq!(id(posts[0]), id(posts[1]), "one GUID for every attempt");
    let lookup = hits
        .iter()
        .find(|h| h.at > posts[0].at && h.query.contains("searchTerm=a%40example.com"))
        .expect("a look-up between the attempts");
    assert!(lookup.at < posts[1].at);
    assert!(
        lookup.at - posts[0].at >= Duration::from_millis(250),
        "the look-up waited only {:?}",
        lookup.at - posts[0].at
    );
    assert_no_secret(&out);
}

// ---------------------------------------------------------------------------------------------
// A stop ends waiting at once; a request in flight gets a bounded grace

/// Whether process `pid` has a handler for SIGTERM (Linux: `SigCgt` in its status).
fn catches_sigterm(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (15 - 1)) != 0)
}

/// Starts `roster apply --yes` in `ws`, waits until the vendor has seen `ready` and apply
/// handles SIGTERM, sends it, and returns the output and how long the process took to exit.
fn apply_then_sigterm(ws: &Workspace, ready: impl Fn() -> bool) -> (util::Out, Duration) {
    let mut child = Command::new(util::roster_bin())
        .current_dir(ws.path())
        .env("XTRACTA_API_KEY", API_KEY)
        .env("NO_COLOR", "1")
        .env_remove("ROSTER_CONFIG")
        .args(["apply", "--yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("apply ended before the request ({status}): {err}");
        }
        assert!(
            Instant::now() < deadline,
            "the vendor never saw the request"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    while !catches_sigterm(child.id()) {
        assert!(Instant::now() < deadline, "apply never handled SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let took = signalled.elapsed();
    let out = util::Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (out, took)
}

fn three_users(ws: &Workspace) {
    ws.write(
        "users/a.yaml",
        "users:\n  - email: a@example.com\n    name: A\n  - email: b@example.com\n    name: B\n  - email: c@example.com\n    name: C\n",
    );
}

#[test]
fn sigterm_during_a_long_retry_after_exits_at_once_reporting_what_was_not_done() {
    let vendor = Stub::start(|hit| match hit.path.as_str() {
        "/v1/user" => reply(200, "application/xml", xtracta_users(&[])),
        _ => Response::builder()
            .status(503)
            .header(header::RETRY_AFTER, "60")
            .body(Body::from(xtracta_status(503, "busy")))
            .unwrap(),
    });
    // max_attempts is 2: the 503 is retried once, after the Retry-After.
    let ws = xtracta_ws(&vendor, "    concurrency: 1\n");
    three_users(&ws);
    let (out, took) = apply_then_sigterm(&ws, || vendor.count("POST", "/v1/user/add") >= 1);
    assert!(took < Duration::from_secs(4), "took {took:?} to stop");
    assert_eq!(out.code, 1, "{}", out.all());
    for user in ["a", "b", "c"] {
        assert!(
            out.stdout
                .contains(&format!("not started create {user}@example.com")),
            "{}",
            out.all()
        );
    }
    assert!(out.stderr.contains("stopped by a signal"), "{}", out.stderr);
    assert_eq!(vendor.count("POST", "/v1/user/add"), 1, "nothing more sent");
    assert_no_secret(&out);
}

#[test]
fn sigterm_while_paced_by_the_rate_limit_exits_at_once() {
    let vendor = Stub::start(|hit| match hit.path.as_str() {
        "/v1/user" => reply(200, "application/xml", xtracta_users(&[])),
        _ => reply(200, "application/xml", xtracta_status(200, "ok")),
    });
    // One request per 100 s: the list goes at once, the first create waits its turn.
    let ws = xtracta_ws(&vendor, "    rate_limit: 0.01\n");
    three_users(&ws);
    let (out, took) = apply_then_sigterm(&ws, || vendor.count("POST", "/v1/user") >= 1);
    assert!(took < Duration::from_secs(4), "took {took:?} to stop");
    assert_eq!(out.code, 1, "{}", out.all());
    for user in ["a", "b", "c"] {
        assert!(
            out.stdout
                .contains(&format!("not started create {user}@example.com")),
            "{}",
            out.all()
        );
    }
    assert_eq!(vendor.count("POST", "/v1/user/add"), 0);
}

#[test]
fn sigterm_abandons_a_request_in_flight_after_the_grace() {
    let vendor = Stub::start(|hit| match hit.path.as_str() {
        "/v1/user" => reply(200, "application/xml", xtracta_users(&[])),
        // Headers, then a body that never ends: the request stays in flight.
        _ => reply(
            200,
            "application/xml",
            Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>()),
        ),
    });
    let ws = xtracta_ws(&vendor, "    concurrency: 1\n    timeout: 10m\n");
    three_users(&ws);
    let (out, took) = apply_then_sigterm(&ws, || vendor.count("POST", "/v1/user/add") >= 1);
    assert!(
        (Duration::from_secs(4)..Duration::from_secs(15)).contains(&took),
        "took {took:?} to stop"
    );
    assert_eq!(out.code, 1, "{}", out.all());
    let interrupted = "interrupted: /v1/user/add: stopped: the request in flight was abandoned; it may have taken effect";
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.contains(interrupted)).count(),
        1,
        "{}",
        out.all()
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.trim_start().starts_with("not started create"))
            .count(),
        2,
        "{}",
        out.all()
    );
    assert_no_secret(&out);
}
