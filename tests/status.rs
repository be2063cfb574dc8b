//! `roster status`: who may apply each target, from this host's file locks, and from etcd
//! (owners, live daemons, the last published result) against a real etcd on loopback.

mod util;

#[cfg(feature = "etcd")]
#[path = "util/etcd.rs"]
mod etcd_util;

use std::io::Write;

use util::{Sim, Workspace};

#[test]
fn file_locks_show_who_holds_each_target() {
    let sim = Sim::xtracta("groups: [12345]\nusers: []\n", &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/a.yaml", "users: []\n");
    let out = ws.roster(&["status"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("acme  file lock: nobody"),
        "{}",
        out.stdout
    );
    // Another process holds the lock, as `roster apply` would.
    let dir = ws.path().join(".roster");
    std::fs::create_dir_all(&dir).unwrap();
    let mut lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join("acme.lock"))
        .unwrap();
    lock.lock().unwrap();
    writeln!(lock, "4242 host-b").unwrap();
    let out = ws.roster(&["status", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "status");
    assert_eq!(doc["targets"][0]["owner"], "pid 4242 on host-b");
    assert_eq!(sim.total_requests(), 0, "status sends nothing to a vendor");
}

#[cfg(feature = "etcd")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etcd_owners_daemons_and_last_results() {
    use roster::coordination::etcd::{EtcdSettings, Session};
    let Some(cluster) = etcd_util::Cluster::single() else {
        return;
    };
    let sim = Sim::xtracta("groups: [12345]\nusers: []\n", &[]);
    let endpoints = cluster.endpoints();
    let ws = Workspace::xtracta(&sim, "");
    let config = std::fs::read_to_string(ws.path().join("roster.yaml")).unwrap();
    let list: Vec<String> = endpoints.iter().map(|e| format!("{e:?}")).collect();
    ws.write(
        "roster.yaml",
        &format!(
            "{config}coordination:\n  etcd:\n    endpoints: [{}]\n    prefix: /roster/status-test\n    lease_ttl: 5s\n",
            list.join(", ")
        ),
    );
    ws.write("users/a.yaml", "users: []\n");
    let settings = EtcdSettings::new(
        endpoints,
        "/roster/status-test",
        std::time::Duration::from_secs(5),
    );
    let daemon = Session::start(&settings, "roster daemon").await.unwrap();
    daemon.register().await.unwrap();
    let claim = daemon.claim("acme").await.unwrap();
    daemon
        .publish(
            &claim,
            "2026-12-01T10:00:00Z",
            "ok",
            "0 to create, 0 to update",
        )
        .await
        .unwrap();
    let out = tokio::task::spawn_blocking({
        let dir = ws.path().to_path_buf();
        move || {
            std::process::Command::new(util::roster_bin())
                .current_dir(dir)
                .arg("status")
                .env("XTRACTA_API_KEY", util::API_KEY)
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let host = &daemon.holder().host;
    assert!(
        stdout.contains(&format!(
            "roster daemon on {host} (pid {})",
            std::process::id()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("acme  etcd: roster daemon on"), "{stdout}");
    assert!(
        stdout.contains("last reconcile ok at 2026-12-01T10:00:00Z: 0 to create, 0 to update"),
        "{stdout}"
    );
    daemon.close().await;
}
