//! `roster daemon` as tests drive it: started in a workspace, its log kept, its HTTP endpoints
//! read, and bounded waits that poll for an outcome.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{API_KEY, Workspace, roster_bin};

/// A running daemon, killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub addr: String,
    log: Arc<Mutex<String>>,
}

impl Daemon {
    pub fn start(ws: &Workspace, env: &[(&str, &str)]) -> Daemon {
        let mut child = Command::new(roster_bin())
            .current_dir(ws.path())
            .env("XTRACTA_API_KEY", API_KEY)
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .args(["daemon"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let addr = super::listening(&mut child)
            .unwrap_or_else(|line| panic!("daemon said {line:?}; log:\n{}", log.lock().unwrap()));
        Daemon { child, addr, log }
    }

    /// `GET path`: the status and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let status = resp[9..12].parse().unwrap();
        let body = resp.split_once("\r\n\r\n").map(|x| x.1.to_string());
        (status, body.unwrap_or_default())
    }

    /// A metric's value, summed over the series whose line contains `filter`.
    pub fn metric(&self, name: &str, filter: &str) -> f64 {
        self.get("/metrics")
            .1
            .lines()
            .filter(|l| l.starts_with(name) && l.contains(filter))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The whole `/metrics` text.
    pub fn metrics(&self) -> String {
        self.get("/metrics").1
    }

    /// Successful reconciles, over every target.
    pub fn successes(&self) -> f64 {
        self.metric("roster_reconciles_total", "success")
    }

    /// Sends `sig` (`-HUP`, `-TERM`) to the daemon.
    pub fn signal(&self, sig: &str) {
        let sent = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill {sig}");
    }

    /// Polls `cond` until it holds, failing with the log after `secs` seconds.
    #[track_caller]
    pub fn wait_for(&self, what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !cond() {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; daemon log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
