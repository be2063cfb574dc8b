//! Test harness: real etcd members on free loopback ports, each in a temporary data folder,
//! killed when the cluster is dropped.
//!
//! Without an `etcd` binary a test prints `SKIP: ...` and returns; under `CI=true` a missing
//! etcd fails the test instead, since CI must run these.

// Each test file uses a part of the harness.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `etcd` binary on PATH, if any.
fn etcd_bin() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("etcd"))
        .find(|p| p.is_file())
}

/// The etcd binary, or `None` after printing the skip line; panics under `CI=true`.
pub fn etcd_or_skip() -> Option<PathBuf> {
    if let Some(bin) = etcd_bin() {
        return Some(bin);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("etcd not installed, and CI=true: .ci/run must install etcd-server");
    }
    // Straight to the process's stderr: the test harness captures eprintln! of passing tests,
    // and a skip must show in the output.
    let _ = writeln!(
        std::io::stderr(),
        "SKIP: etcd not installed (apt-get install etcd-server)"
    );
    None
}

/// One or more etcd members forming one cluster.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    members: Vec<Member>,
    scheme: &'static str,
}

struct Member {
    name: String,
    client: u16,
    /// Plain-HTTP `/health` (etcd's metrics listener), also when clients speak TLS.
    health: u16,
    args: Vec<String>,
    child: Option<Child>,
}

/// PEM files of a TLS cluster: the CA, and a client certificate and key it signed.
pub struct TlsPems {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Cluster {
    /// A single-member cluster, healthy; `None` when etcd is not installed (see above).
    pub fn single() -> Option<Cluster> {
        Cluster::start(1, false).map(|(c, _)| c)
    }

    /// A three-member cluster, healthy.
    pub fn three() -> Option<Cluster> {
        Cluster::start(3, false).map(|(c, _)| c)
    }

    /// A single member that speaks only TLS to clients and requires a client certificate
    /// (`--client-cert-auth`), with the PEM files a client needs.
    pub fn single_tls() -> Option<(Cluster, TlsPems)> {
        Cluster::start(1, true).map(|(c, pems)| (c, pems.unwrap()))
    }

    fn start(n: usize, tls: bool) -> Option<(Cluster, Option<TlsPems>)> {
        let bin = etcd_or_skip()?;
        let dir = tempfile::tempdir().unwrap();
        let pems = tls.then(|| make_pems(dir.path()));
        let scheme = if tls { "https" } else { "http" };
        let ports = free_ports(3 * n);
        let peer = |i: usize| format!("http://127.0.0.1:{}", ports[3 * i + 1]);
        let initial: Vec<String> = (0..n).map(|i| format!("m{i}={}", peer(i))).collect();
        let token = format!("roster-test-{}", ports[0]);
        let members = (0..n)
            .map(|i| {
                let name = format!("m{i}");
                let client = format!("{scheme}://127.0.0.1:{}", ports[3 * i]);
                let health = format!("http://127.0.0.1:{}", ports[3 * i + 2]);
                let data = dir.path().join(&name);
                let log = dir.path().join(format!("{name}.log"));
                let mut flags: Vec<(&str, String)> = vec![
                    ("--name", name.clone()),
                    ("--data-dir", data.display().to_string()),
                    ("--listen-client-urls", client.clone()),
                    ("--advertise-client-urls", client),
                    ("--listen-peer-urls", peer(i)),
                    ("--initial-advertise-peer-urls", peer(i)),
                    ("--initial-cluster", initial.join(",")),
                    ("--initial-cluster-token", token.clone()),
                    ("--initial-cluster-state", "new".into()),
                    ("--logger", "zap".into()),
                    ("--log-level", "warn".into()),
                    ("--log-outputs", log.display().to_string()),
                    ("--listen-metrics-urls", health),
                ];
                if let Some(p) = &pems {
                    let server = |f: &str| dir.path().join(f).display().to_string();
                    flags.extend([
                        ("--cert-file", server("server.pem")),
                        ("--key-file", server("server.key")),
                        ("--trusted-ca-file", p.ca.display().to_string()),
                        ("--client-cert-auth", "true".into()),
                    ]);
                }
                let args = flags
                    .into_iter()
                    .map(|(flag, value)| format!("{flag}={value}"))
                    .collect();
                Member {
                    name,
                    client: ports[3 * i],
                    health: ports[3 * i + 2],
                    args,
                    child: None,
                }
            })
            .collect();
        let mut cluster = Cluster {
            bin,
            dir,
            members,
            scheme,
        };
        for i in 0..n {
            cluster.spawn(i);
        }
        for i in 0..n {
            cluster.wait_healthy(i);
        }
        Some((cluster, pems))
    }

    fn spawn(&mut self, i: usize) {
        let m = &mut self.members[i];
        let child = Command::new(&self.bin)
            .args(&m.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start etcd");
        m.child = Some(child);
    }

    /// Every member's client URL.
    pub fn endpoints(&self) -> Vec<String> {
        (0..self.members.len()).map(|i| self.endpoint(i)).collect()
    }

    pub fn endpoint(&self, i: usize) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.members[i].client)
    }

    /// Kills member `i` (SIGKILL) and waits for it; its data stays for [`Cluster::restart`].
    pub fn stop(&mut self, i: usize) {
        if let Some(mut child) = self.members[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts member `i` again on its data folder (without waiting: a lone member of three
    /// cannot be healthy).
    pub fn restart(&mut self, i: usize) {
        assert!(self.members[i].child.is_none(), "member {i} is running");
        self.spawn(i);
    }

    /// Waits until member `i` says it is healthy (it has a leader and can read).
    pub fn wait_healthy(&self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(body) = http(self.members[i].health, "GET", "/health", "")
                && body.contains("\"health\":\"true\"")
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "etcd member {} not healthy within 30 s; its log:\n{}",
                    self.members[i].name,
                    self.log_tail(i)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The index of the current leader, as member `asked` sees it (plain-HTTP clusters).
    pub fn leader(&self, asked: usize) -> usize {
        let status = |i: usize| {
            let body = http(
                self.members[i].client,
                "POST",
                "/v3/maintenance/status",
                "{}",
            )
            .unwrap_or_else(|| panic!("status of member {i}"));
            let v: serde_json::Value = serde_json::from_str(&body).expect("status is JSON");
            (
                v["header"]["member_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["leader"].as_str().unwrap_or_default().to_string(),
            )
        };
        let (_, leader) = status(asked);
        (0..self.members.len())
            .filter(|i| self.members[*i].child.is_some())
            .find(|i| status(*i).0 == leader)
            .expect("the leader is a running member")
    }

    fn log_tail(&self, i: usize) -> String {
        let log = self
            .dir
            .path()
            .join(format!("{}.log", self.members[i].name));
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.stop(i);
        }
    }
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with `openssl`.
fn make_pems(dir: &Path) -> TlsPems {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run openssl (Debian: the openssl package)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=roster test ca",
            ],
        ]
        .concat(),
    );
    for (name, usage) in [
        ("server", "serverAuth,clientAuth"),
        ("client", "clientAuth"),
    ] {
        let (key, csr, pem, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        std::fs::write(
            dir.join(&ext),
            format!("subjectAltName=IP:127.0.0.1\nextendedKeyUsage={usage}\n"),
        )
        .unwrap();
        openssl(
            &[
                &["req"][..],
                &ec,
                &[
                    "-keyout",
                    &key,
                    "-out",
                    &csr,
                    "-subj",
                    &format!("/CN={name}"),
                ],
            ]
            .concat(),
        );
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "2",
            "-extfile",
            &ext,
        ]);
    }
    TlsPems {
        ca: dir.join("ca.pem"),
        cert: dir.join("client.pem"),
        key: dir.join("client.key"),
    }
}

/// `n` distinct free loopback ports (all held open while choosing, so they differ).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// A tiny HTTP/1.0 request to a member; the body of a 200 answer.
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200")
        .then(|| body.to_string())
        .or_else(|| head.starts_with("HTTP/1.0 200").then(|| body.to_string()))
}
