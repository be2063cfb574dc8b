//! Daemons and one-shot runs sharing targets through a real etcd (issue 16), driving the real
//! binary against the Xtracta simulator: two daemons split four targets, `kill -9` of one in
//! the middle of 200 creates (the survivor takes over and every user is created once), a
//! daemon joining in the middle of applies (the targets rebalance, nothing is done twice), a
//! three-member etcd losing one member (nothing changes) and two (applies stop, then resume),
//! a daemon paused past its lease (it notices, writes nothing more, gives its target up), and
//! `roster apply` refused while a daemon owns the target.
//!
//! Leases are 3 s; every wait polls with a deadline. Without etcd each test prints a SKIP line;
//! under CI=true it fails instead.

#![cfg(feature = "etcd")]

mod util;

#[path = "util/etcd.rs"]
mod etcd_util;

use std::time::{Duration, Instant};

use etcd_util::Cluster;
use util::daemon::Daemon;
use util::{Sim, Workspace};

const TTL: u64 = 3;

/// Groups 1 to 4, no users.
const SEED: &str = "groups: [1, 2, 3, 4]\nusers: []\n";

/// A config of targets `t1..=tN` (group `i`, at `concurrency`) on `sim`, sharing `prefix`.
fn config(sim: &Sim, cluster: &Cluster, prefix: &str, targets: &[u32], concurrency: u32) -> String {
    let mut text = String::from("manifests: users\nparallel_targets: 4\ntargets:\n");
    for i in targets {
        text.push_str(&format!(
            "  t{i}:\n    provider: xtracta\n    url: {}\n    api_key: {{ env: XTRACTA_API_KEY }}\n    group_id: {i}\n    concurrency: {concurrency}\n",
            sim.url()
        ));
    }
    let endpoints: Vec<String> = cluster
        .endpoints()
        .iter()
        .map(|e| format!("{e:?}"))
        .collect();
    text.push_str(&format!(
        "daemon:\n  listen: 127.0.0.1:0\n  debounce: 200ms\n  schedule: \"0 0 1 1 *\"\ncoordination:\n  etcd:\n    endpoints: [{}]\n    prefix: {prefix}\n    lease_ttl: {TTL}s\n",
        endpoints.join(", ")
    ));
    text
}

/// Target `t{i}`'s manifest: `n` users `t{i}u{k}@example.com`.
fn manifest(ws: &Workspace, i: u32, n: usize) {
    if n == 0 {
        ws.write(
            &format!("users/t{i}.yaml"),
            &format!("target: t{i}\nusers: []\n"),
        );
        return;
    }
    let mut text = format!("target: t{i}\nusers:\n");
    for k in 0..n {
        text.push_str(&format!(
            "  - email: t{i}u{k}@example.com\n    name: U{k}\n"
        ));
    }
    ws.write(&format!("users/t{i}.yaml"), &text);
}

/// Users the simulator has in group `i`.
fn in_group(sim: &Sim, i: u32) -> usize {
    sim.users().iter().filter(|u| u.3 == u64::from(i)).count()
}

/// Creates the simulator performed, and creates it refused (a second create of a user).
fn adds(sim: &Sim) -> (u64, u64) {
    let reqs = sim.requests();
    let mut ok = 0;
    let mut refused = 0;
    for (key, n) in reqs["by_endpoint_status"].as_object().unwrap() {
        if let Some(status) = key.strip_prefix("/v1/user/add ") {
            if status == "200" {
                ok += n.as_u64().unwrap();
            } else {
                refused += n.as_u64().unwrap();
            }
        }
    }
    (ok, refused)
}

fn owned(d: &Daemon) -> f64 {
    d.metric("roster_owned_targets", "")
}

#[track_caller]
fn wait(what: &str, secs: u64, logs: &[&Daemon], mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        if Instant::now() > deadline {
            let logs: Vec<String> = logs.iter().map(|d| d.log()).collect();
            panic!(
                "timed out waiting for {what}; daemon logs:\n{}",
                logs.join("\n-----\n")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `kill -SIGNAL pid`.
fn signal(d: &Daemon, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &d.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig}");
}

/// The pid `roster status` names as `target`'s owner.
fn owner_pid(ws: &Workspace, target: &str) -> Option<u32> {
    let out = ws.roster(&["status", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).ok()?;
    let line = doc["targets"]
        .as_array()?
        .iter()
        .find(|t| t["target"] == target)?;
    let owner = line["owner"].as_str()?;
    let pid = owner.split("(pid ").nth(1)?.split(')').next()?;
    pid.parse().ok()
}

#[test]
fn two_daemons_split_four_targets_and_the_survivor_of_a_kill_9_creates_every_user_once() {
    let Some(cluster) = Cluster::single() else {
        return;
    };
    let sim = Sim::xtracta(SEED, &["--latency", "15"]);
    let ws = Workspace::new(&config(&sim, &cluster, "/roster/split", &[1, 2, 3, 4], 2));
    for i in 1..=4 {
        manifest(&ws, i, 0);
    }
    let a = Daemon::start(&ws, &[]);
    let b = Daemon::start(&ws, &[]);
    wait("a 2/2 split", 15, &[&a, &b], || {
        owned(&a) == 2.0 && owned(&b) == 2.0
    });

    // 200 creates on t1, 5 on each other target; the owner of t1 dies in the middle.
    manifest(&ws, 1, 200);
    for i in 2..=4 {
        manifest(&ws, i, 5);
    }
    let pid = owner_pid(&ws, "t1").expect("t1 has an owner");
    let (victim, survivor) = if pid == a.child.id() { (a, b) } else { (b, a) };
    assert_eq!(pid, victim.child.id());
    wait("t1's apply under way", 20, &[&victim], || {
        in_group(&sim, 1) >= 40
    });
    let mut victim = victim;
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();
    let killed = Instant::now();
    assert!(in_group(&sim, 1) < 200, "killed in the middle of the apply");

    wait("the survivor owns all four", TTL + 6, &[&survivor], || {
        owned(&survivor) == 4.0
    });
    assert!(killed.elapsed() < Duration::from_secs(TTL + 6));
    wait("every target converged", 30, &[&survivor], || {
        in_group(&sim, 1) == 200 && (2..=4).all(|i| in_group(&sim, i) == 5)
    });
    let (ok, refused) = adds(&sim);
    assert_eq!((ok, refused), (215, 0), "every user created exactly once");
    assert!(
        survivor
            .log()
            .contains("claimed target t1; reconciling it now"),
        "{}",
        survivor.log()
    );
    let changes = survivor.metric("roster_ownership_changes_total", "change=\"claim\"");
    assert_eq!(changes, 4.0, "two at the split, two at the takeover");
}

#[test]
fn a_daemon_joining_in_the_middle_of_applies_takes_its_share_and_nothing_is_done_twice() {
    let Some(cluster) = Cluster::single() else {
        return;
    };
    let sim = Sim::xtracta(SEED, &["--latency", "20"]);
    let ws = Workspace::new(&config(&sim, &cluster, "/roster/join", &[1, 2, 3, 4], 1));
    for i in 1..=4 {
        manifest(&ws, i, 60);
    }
    let a = Daemon::start(&ws, &[]);
    wait("a applying all four", 15, &[&a], || {
        owned(&a) == 4.0 && (1..=4).all(|i| in_group(&sim, i) >= 2)
    });
    let b = Daemon::start(&ws, &[]);
    wait("a 2/2 split", 15, &[&a, &b], || {
        owned(&a) == 2.0 && owned(&b) == 2.0
    });
    assert!(
        (1..=4).any(|i| in_group(&sim, i) < 60),
        "the split came in the middle of the applies"
    );
    wait("every target converged", 30, &[&a, &b], || {
        (1..=4).all(|i| in_group(&sim, i) == 60)
    });
    assert_eq!(adds(&sim), (240, 0), "every user created exactly once");
    assert!(a.log().contains("releasing target"), "{}", a.log());
    assert_eq!(
        a.metric("roster_ownership_changes_total", "change=\"release\""),
        2.0
    );
    assert_eq!(
        b.metric("roster_ownership_changes_total", "change=\"claim\""),
        2.0
    );
}

#[test]
fn roster_apply_is_refused_naming_the_daemon_and_the_other_targets_go_on() {
    let Some(cluster) = Cluster::single() else {
        return;
    };
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::new(&config(&sim, &cluster, "/roster/cli", &[1], 2));
    manifest(&ws, 1, 1);
    let d = Daemon::start(&ws, &[]);
    wait("t1 converged", 15, &[&d], || in_group(&sim, 1) == 1);

    // The laptop's config has t1, which the daemon owns, and t2, which nobody does.
    let laptop = Workspace::new(&config(&sim, &cluster, "/roster/cli", &[1, 2], 2));
    manifest(&laptop, 1, 2);
    manifest(&laptop, 2, 1);
    let out = laptop.roster(&["plan"]);
    assert_eq!(out.code, 0, "plan needs no ownership: {}", out.all());
    let out = laptop.roster(&["apply", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let held = format!(
        "target t1 is being applied by another roster process (pid {} on ",
        d.child.id()
    );
    assert!(out.stderr.contains(&held), "{}", out.all());
    assert_eq!(in_group(&sim, 1), 1, "t1 untouched by the cli");
    assert_eq!(in_group(&sim, 2), 1, "t2 applied");
    // The cli gave its claim back at once: the daemon keeps t1, nobody holds t2.
    let status = laptop.roster(&["status", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(doc["targets"][1]["target"], "t2");
    assert!(doc["targets"][1]["owner"].is_null(), "{doc:#}");
    let t1 = &doc["targets"][0];
    assert!(
        t1["owner"]
            .as_str()
            .unwrap()
            .starts_with("roster daemon on "),
        "{doc:#}"
    );
    assert_eq!(t1["last"]["result"], "ok", "the daemon published: {doc:#}");
    assert_eq!(d.metric("roster_target_owned", "target=\"t1\""), 1.0);

    // A clean stop releases the target and revokes the lease before the process exits.
    let mut d = d;
    signal(&d, "TERM");
    assert!(d.child.wait().unwrap().success());
    let status = laptop.roster(&["status", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert!(doc["targets"][0]["owner"].is_null(), "{doc:#}");
    assert_eq!(doc["daemons"].as_array().unwrap().len(), 0, "{doc:#}");
}

#[test]
fn three_members_losing_one_changes_nothing_losing_two_stops_applies_until_restored() {
    let Some(mut cluster) = Cluster::three() else {
        return;
    };
    let sim = Sim::xtracta(SEED, &[]);
    let ws = Workspace::new(&config(&sim, &cluster, "/roster/quorum", &[1], 2));
    manifest(&ws, 1, 1);
    let d = Daemon::start(&ws, &[]);
    wait("t1 converged", 15, &[&d], || {
        in_group(&sim, 1) == 1 && owned(&d) == 1.0
    });

    // One member down (a follower: a leader's election can take longer than a 3 s lease allows
    // on a loaded machine): the daemon keeps its target and applies.
    let leader = cluster.leader(0);
    let first = (0..3).find(|i| *i != leader).unwrap();
    cluster.stop(first);
    manifest(&ws, 1, 2);
    wait("applied with one member down", 20, &[&d], || {
        in_group(&sim, 1) == 2
    });
    assert_eq!(owned(&d), 1.0, "{}", d.log());
    assert_eq!(
        d.metric("roster_ownership_changes_total", "change=\"loss\""),
        0.0,
        "nothing changed: {}",
        d.log()
    );

    // Two down: no quorum. The daemon stops applying but keeps serving, not ready.
    cluster.stop(leader);
    wait("etcd reported down", 3 * TTL + 10, &[&d], || {
        d.metric("roster_etcd_up", "") == 0.0 && owned(&d) == 0.0
    });
    assert_eq!(d.get("/healthz").0, 200);
    let (code, body) = d.get("/readyz");
    assert_eq!(code, 503, "{body}");
    assert!(body.starts_with("etcd: unavailable"), "{body}");
    manifest(&ws, 1, 3);
    // The edit is seen (debounce 200 ms) and nothing is applied while etcd is down.
    wait("the edit seen", 10, &[&d], || {
        d.log().contains("trigger=\"file change\"")
    });
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        assert_eq!(in_group(&sim, 1), 2, "applied without a quorum");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Restored: the daemon claims its target again by itself and applies the edit.
    cluster.restart(first);
    cluster.restart(leader);
    cluster.wait_healthy(first);
    wait("applied after the restore", 4 * TTL + 15, &[&d], || {
        in_group(&sim, 1) == 3
    });
    wait("ready again", 10, &[&d], || d.get("/readyz").0 == 200);
    assert_eq!(d.metric("roster_etcd_up", ""), 1.0);
    assert_eq!(adds(&sim), (3, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_paused_past_its_lease_writes_nothing_more_and_gives_its_target_up() {
    use roster::coordination::etcd::{EtcdSettings, Session};
    let Some(cluster) = Cluster::single() else {
        return;
    };
    let sim = Sim::xtracta(SEED, &["--latency", "20"]);
    let ws = Workspace::new(&config(&sim, &cluster, "/roster/pause", &[1], 2));
    manifest(&ws, 1, 200);
    let d = Daemon::start(&ws, &[]);
    let probe = |n| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while in_group(&sim, 1) < n {
            assert!(Instant::now() < deadline, "no apply; log:\n{}", d.log());
            std::thread::sleep(Duration::from_millis(25));
        }
    };
    tokio::task::block_in_place(|| probe(20));
    signal(&d, "STOP");

    // Once etcd expired the paused daemon's lease, another process takes the target.
    let mut settings = EtcdSettings::new(
        cluster.endpoints(),
        "/roster/pause",
        Duration::from_secs(30),
    );
    settings.request_timeout = Duration::from_secs(2);
    let other = Session::start(&settings, "roster apply").await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(TTL + 5);
    let claim = loop {
        if let Ok(c) = other.claim("t1").await {
            break c;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "lease never expired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let before = tokio::task::block_in_place(|| adds(&sim).0);
    signal(&d, "CONT");
    tokio::task::block_in_place(|| {
        wait("the daemon noticed", 10, &[&d], || {
            d.metric("roster_ownership_changes_total", "change=\"loss\"") >= 1.0 && owned(&d) == 0.0
        })
    });
    let noticed = tokio::task::block_in_place(|| adds(&sim).0);
    // At most the requests already on the wire when it was paused (concurrency 2) land.
    assert!(noticed - before <= 2, "{before} then {noticed}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let later = tokio::task::block_in_place(|| adds(&sim).0);
    assert_eq!(later, noticed, "wrote after it noticed; log:\n{}", d.log());
    assert!(d.log().contains("lost target t1"), "{}", d.log());
    other.fence(&claim).await.unwrap();
    other.close().await;
}
