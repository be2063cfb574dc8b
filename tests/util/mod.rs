//! Test harness: a workspace of config and manifests in a temporary folder, the real `roster`
//! binary, and `roster sim xtracta` running on a loopback port.

#![allow(dead_code)]

pub mod daemon;
pub mod scim;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const API_KEY: &str = "test-key-7f3a9c";
pub const LC_TOKEN: &str = "lc-token-51d0e8";

/// The address a roster process announces on its first line of output (`listening on
/// http://ADDR`), or that line as it came.
pub fn listening(child: &mut Child) -> Result<String, String> {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    match line.trim().strip_prefix("listening on http://") {
        Some(addr) => Ok(addr.to_string()),
        None => Err(line),
    }
}

pub fn roster_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_roster"))
}

/// A running simulator, stopped when dropped.
pub struct Sim {
    child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

pub const UIPATH_CLIENT_ID: &str = "test-client";
pub const UIPATH_CLIENT_SECRET: &str = "test-secret-5b1e";
pub const UIPATH_PGID: &str = "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11";

impl Sim {
    pub fn xtracta(seed: &str, extra: &[&str]) -> Sim {
        Sim::start("xtracta", &["--api-key", API_KEY], seed, extra)
    }

    /// An Xtracta simulator listening on `addr` (e.g. one [`free_addr`] reserved earlier).
    pub fn xtracta_at(addr: &str, seed: &str, extra: &[&str]) -> Sim {
        Sim::start_on("xtracta", addr, &["--api-key", API_KEY], seed, extra)
    }

    pub fn uipath(seed: &str, extra: &[&str]) -> Sim {
        Sim::start(
            "uipath",
            &[
                "--client-id",
                UIPATH_CLIENT_ID,
                "--client-secret",
                UIPATH_CLIENT_SECRET,
            ],
            seed,
            extra,
        )
    }

    /// The org-scoped Identity base of a UiPath simulator.
    pub fn identity_url(&self) -> String {
        format!("http://{}/acme/identity_", self.addr)
    }

    pub(crate) fn start(vendor: &str, creds: &[&str], seed: &str, extra: &[&str]) -> Sim {
        Sim::start_on(vendor, "127.0.0.1:0", creds, seed, extra)
    }

    fn start_on(vendor: &str, listen: &str, creds: &[&str], seed: &str, extra: &[&str]) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let seed_path = dir.path().join("seed.yaml");
        std::fs::write(&seed_path, seed).unwrap();
        let mut child = Command::new(roster_bin())
            .args(["sim", vendor, "--listen", listen])
            .args(creds)
            .arg("--seed")
            .arg(&seed_path)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start roster sim");
        let addr = listening(&mut child)
            .unwrap_or_else(|line| panic!("unexpected first line from sim: {line:?}"));
        Sim {
            child,
            addr,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn raw(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let status = resp[9..12].parse().unwrap();
        let body = resp
            .split_once("\r\n\r\n")
            .map(|x| x.1)
            .unwrap_or("")
            .to_string();
        (status, body)
    }

    /// The simulator's world as JSON.
    pub fn state(&self) -> Value {
        let (status, body) = self.raw("GET", "/_sim/state", "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Any JSON document the simulator serves (e.g. `/_sim/tokens`).
    pub fn get_json(&self, path: &str) -> Value {
        let (status, body) = self.raw("GET", path, "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    pub fn post(&self, path: &str) {
        let (status, body) = self.raw("POST", path, "");
        assert!(status < 300, "{status} {body}");
    }

    pub fn put_state(&self, state: &Value) {
        let (status, body) = self.raw("PUT", "/_sim/state", &state.to_string());
        assert!(status < 300, "{status} {body}");
    }

    /// Requests served per endpoint (`/v1/...`) so far.
    pub fn requests(&self) -> Value {
        let (status, body) = self.raw("GET", "/_sim/requests", "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    pub fn total_requests(&self) -> u64 {
        self.requests()["total"].as_u64().unwrap()
    }

    pub fn reset_requests(&self) {
        self.raw("POST", "/_sim/requests/reset", "");
    }

    /// Users as (id, name, email, group, workflows), sorted by id.
    pub fn users(&self) -> Vec<(u64, String, String, u64, Vec<u64>)> {
        let state = self.state();
        let mut v: Vec<_> = state["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["user_id"].as_u64().unwrap(),
                    u["name"].as_str().unwrap().to_string(),
                    u["email_address"].as_str().unwrap().to_string(),
                    u["primary_group_id"].as_u64().unwrap(),
                    u["assigned_workflows"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|w| w.as_u64().unwrap())
                        .collect(),
                )
            })
            .collect();
        v.sort();
        v
    }

    pub fn user_by_email(&self, email: &str) -> Option<(u64, String, String, u64, Vec<u64>)> {
        self.users()
            .into_iter()
            .find(|u| u.2.eq_ignore_ascii_case(email))
    }

    pub fn password_of(&self, email: &str) -> Option<String> {
        self.state()["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| {
                u["email_address"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(email)
            })
            .and_then(|u| u["password"].as_str().map(str::to_string))
    }
}

/// learningCloud: `roster sim learningcloud` and its `/_sim/state` users.
impl Sim {
    pub fn learningcloud(seed: &str, extra: &[&str]) -> Sim {
        Sim::start("learningcloud", &["--token", LC_TOKEN], seed, extra)
    }

    /// The learningCloud REST base.
    pub fn rest_url(&self) -> String {
        format!("http://{}/integration/ws/management/rest", self.addr)
    }

    /// The simulator's learningCloud users, as `/_sim/state` shows them (snake_case keys,
    /// `password` in plain text when one was set).
    pub fn lc_users(&self) -> Vec<Value> {
        self.state()["users"].as_array().unwrap().clone()
    }

    /// One learningCloud user by username, case-insensitively.
    pub fn lc_user(&self, username: &str) -> Option<Value> {
        self.lc_users().into_iter().find(|u| {
            u["username"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(username)
        })
    }

    /// The last request's `Accept`, `X-Cloud-Synchronization` and `Content-Type`, and the
    /// last write's.
    pub fn lc_headers(&self) -> Value {
        let (status, body) = self.raw("GET", "/_sim/headers", "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Requests served on one endpoint key (e.g. `PUT /users/{id}`), 0 when none.
    pub fn count(&self, endpoint: &str) -> u64 {
        self.requests()["by_endpoint"][endpoint]
            .as_u64()
            .unwrap_or(0)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder with `roster.yaml` and `users/`.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new(config: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("users")).unwrap();
        std::fs::write(dir.path().join("roster.yaml"), config).unwrap();
        Workspace { dir }
    }

    /// A one-target Xtracta config pointing at `sim`.
    pub fn xtracta(sim: &Sim, extra: &str) -> Workspace {
        Workspace::new(&format!(
            "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: 12345\n{extra}",
            sim.url()
        ))
    }

    /// A one-target learningCloud config pointing at `sim`; the token comes from
    /// `$LEARNINGCLOUD_TOKEN` (see [`Workspace::roster_env`]).
    pub fn learningcloud(sim: &Sim, extra: &str) -> Workspace {
        Workspace::new(&format!(
            "manifests: users\ntargets:\n  academy:\n    provider: learningcloud\n    url: {}\n    token: {{ env: LEARNINGCLOUD_TOKEN }}\n{extra}",
            sim.rest_url()
        ))
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, text).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.dir.path().join(rel)).unwrap();
    }

    /// `roster ARGS` run in the workspace with the test credentials.
    pub fn roster(&self, args: &[&str]) -> Out {
        self.roster_env(args, &[])
    }

    /// `roster ARGS` with extra environment variables.
    pub fn roster_env(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let out = Command::new(roster_bin())
            .current_dir(self.dir.path())
            .env("XTRACTA_API_KEY", API_KEY)
            .env("UIPATH_CLIENT_ID", UIPATH_CLIENT_ID)
            .env("UIPATH_CLIENT_SECRET", UIPATH_CLIENT_SECRET)
            .env("LEARNINGCLOUD_TOKEN", LC_TOKEN)
            .env("SCIM_TOKEN", scim::SCIM_TOKEN)
            .envs(env.iter().copied())
            .env_remove("ROSTER_CONFIG")
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success:\n{}", self.all());
        self
    }
}

/// A loopback address nothing listens on now (its port was free a moment ago): a vendor
/// that is down, to be started there later.
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// Holds `state_dir/<target>.lock` the way another roster process would, until dropped.
pub fn hold_lock(ws: &Workspace, target: &str) -> std::fs::File {
    let dir = ws.path().join(".roster");
    std::fs::create_dir_all(&dir).unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join(format!("{target}.lock")))
        .unwrap();
    file.try_lock().unwrap();
    std::fs::write(dir.join(format!("{target}.lock")), "4242 other-host\n").unwrap();
    file
}

/// A manifest of `n` Xtracta users `{prefix}{i}@example.com` named `{PREFIX}{i}`.
pub fn xtracta_users(prefix: &str, n: usize) -> String {
    let mut text = String::from("users:\n");
    for i in 0..n {
        let name = prefix.to_uppercase();
        text.push_str(&format!(
            "  - email: {prefix}{i}@example.com\n    name: {name}{i}\n"
        ));
    }
    text
}
