//! Test harness for SCIM: `roster sim scim` and its `/_sim/*` documents, a workspace with a
//! SCIM target, plain HTTP with a bearer token, and the independent Python tools run from a
//! virtual environment: scim2-server on a free loopback port, and scim2-tester.
//!
//! The virtual environment is `$ROSTER_SCIM_VENV`, else `.venv/` in the repository (`.ci/run`
//! makes it). Without it a test prints `SKIP: ...` and returns; under `CI=true` a missing tool
//! fails the test instead, since CI must run these.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Sim, Workspace};

pub const SCIM_TOKEN: &str = "scim-token-9c41d2";

impl Sim {
    pub fn scim(seed: &str, extra: &[&str]) -> Sim {
        Sim::start("scim", &["--token", SCIM_TOKEN], seed, extra)
    }

    /// The SCIM base of a SCIM simulator.
    pub fn scim_url(&self) -> String {
        format!("http://{}/scim/v2", self.addr)
    }

    /// `GET /_sim/log`: the writes and lists the simulator received, oldest first.
    pub fn scim_log(&self) -> Vec<Value> {
        self.get_json("/_sim/log").as_array().unwrap().clone()
    }

    /// The logged requests to `endpoint` (e.g. `PATCH /Users/{id}`).
    pub fn scim_logged(&self, endpoint: &str) -> Vec<Value> {
        self.scim_log()
            .into_iter()
            .filter(|l| l["endpoint"] == endpoint)
            .collect()
    }

    /// The simulator's users as `/_sim/state` holds them (`id`, `version`, `attributes`).
    pub fn scim_users(&self) -> Vec<Value> {
        self.state()["users"].as_array().unwrap().clone()
    }

    /// One user's attributes, by user name case-insensitively.
    pub fn scim_user(&self, user_name: &str) -> Option<Value> {
        self.scim_users()
            .into_iter()
            .find(|u| {
                u["attributes"]["userName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(user_name))
            })
            .map(|u| {
                let mut a = u["attributes"].clone();
                a["id"] = u["id"].clone();
                a
            })
    }

    /// The user names of a group's members, sorted.
    pub fn scim_members(&self, group: &str) -> Vec<String> {
        let state = self.state();
        let name_of = |id: &str| {
            state["users"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["id"] == id)
                .map(|u| u["attributes"]["userName"].as_str().unwrap().to_string())
                .unwrap_or_else(|| id.to_string())
        };
        let g = state["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["attributes"]["displayName"] == group)
            .unwrap_or_else(|| panic!("no group {group}"));
        let mut members: Vec<String> = g["attributes"]["members"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| name_of(m["value"].as_str().unwrap()))
            .collect();
        members.sort();
        members
    }
}

impl Workspace {
    /// A one-target SCIM config pointing at `url`; the token comes from `$SCIM_TOKEN`.
    pub fn scim(url: &str, extra: &str) -> Workspace {
        Workspace::new(&format!(
            "manifests: users\ntargets:\n  chat:\n    provider: scim\n    url: {url}\n    token: {{ env: SCIM_TOKEN }}\n{extra}"
        ))
    }
}

/// One HTTP/1.1 request with a bearer token: the status and the body.
pub fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut body = resp
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    if resp
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    (status, body)
}

fn unchunk(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// A tool of the virtual environment (`bin/NAME`), or `None` after printing the skip line;
/// panics under `CI=true`.
pub fn venv_tool(name: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("ROSTER_SCIM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    let tool = venv.join("bin").join(name);
    if tool.is_file() {
        return Some(tool);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} missing, and CI=true: .ci/run must install scim2-server and scim2-tester",
            tool.display()
        );
    }
    // Straight to the process's stderr: the test harness captures eprintln! of passing tests,
    // and a skip must show in the output.
    let _ = writeln!(
        std::io::stderr(),
        "SKIP: scim2-server not installed (run .ci/run or pip install scim2-server)"
    );
    None
}

/// scim2-server on a free loopback port, killed when dropped.
pub struct Scim2Server {
    child: Child,
    pub addr: String,
    _log: tempfile::NamedTempFile,
}

impl Scim2Server {
    /// Starts scim2-server and waits until it answers; `None` when it is not installed.
    pub fn start() -> Option<Scim2Server> {
        let bin = venv_tool("scim2-server")?;
        for _ in 0..5 {
            // The port is free now; another process may take it before the server binds it,
            // so a server that never answers is retried on another port.
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let log = tempfile::NamedTempFile::new().unwrap();
            let child = Command::new(&bin)
                .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
                .args(["--bearer-token", SCIM_TOKEN])
                .stdout(Stdio::null())
                .stderr(log.reopen().unwrap())
                .spawn()
                .expect("start scim2-server");
            let mut server = Scim2Server {
                child,
                addr: format!("127.0.0.1:{port}"),
                _log: log,
            };
            if server.ready() {
                return Some(server);
            }
        }
        panic!("scim2-server did not start");
    }

    fn ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if TcpStream::connect(&self.addr).is_ok() {
                let (status, _) = self.call("GET", "/ServiceProviderConfig", "");
                if status == 200 {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// The SCIM base: resources below `/v2`.
    pub fn url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }

    /// A request to the server, `path` below `/v2`.
    pub fn call(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        http(&self.addr, method, &format!("/v2{path}"), SCIM_TOKEN, body)
    }

    /// Creates a group; its id.
    pub fn group(&self, name: &str) -> String {
        let body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": name,
        });
        let (status, text) = self.call("POST", "/Groups", &body.to_string());
        assert_eq!(status, 201, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Every resource at `/Users` or `/Groups`.
    pub fn list(&self, endpoint: &str) -> Vec<Value> {
        let (status, text) = self.call("GET", &format!("/{endpoint}?count=1000"), "");
        assert_eq!(status, 200, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        v["Resources"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Scim2Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
