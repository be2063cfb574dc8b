//! Generates the benchmark's workspace: `roster.yaml`, N desired users spread over several
//! manifest files, and the simulator's world with the requested share of drift: `seed.yaml`
//! holds the group and the workflows, `world.json` (the shape of `GET /_sim/state`) the users,
//! because the YAML seed's parser stops at 250,000 nodes (about 19,000 users).
//!
//! Deterministic: user `i` always gets the same name, workflows and drift. Files are written
//! as they are generated, so generating 100,000 users costs the measured process no memory.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::args::Args;

pub const API_KEY: &str = "bench-key-0d9e";
pub const GROUP: u64 = 12345;
const FIRST_WORKFLOW: u64 = 500_000;
const FIRST_USER_ID: u64 = 10_000_000;

/// How one user differs between the manifests and the vendor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Drift {
    None,
    Renamed,
    Workflows,
    Missing,
}

/// What the generator put in, to check the plan against.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Expected {
    pub creates: usize,
    pub updates: usize,
    /// Workflows whose members change.
    pub workflows_changed: usize,
    /// Individual joins and leaves.
    pub memberships: usize,
    /// Users at the vendor before apply.
    pub vendor_users: usize,
}

/// The generated workspace.
pub struct Workspace {
    pub root: PathBuf,
    pub config: PathBuf,
    pub seed: PathBuf,
    pub world: PathBuf,
    pub expected: Expected,
    _temp: Option<tempfile::TempDir>,
}

impl Workspace {
    /// The manifest file holding user 0, and that user's name line.
    pub fn first_user(&self) -> (PathBuf, String) {
        (
            self.root.join("users").join(file_name(0)),
            format!("    name: {}\n", name(0)),
        )
    }
}

/// A uniform number in [0, 1) from `i` (SplitMix64).
fn unit(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn drift(args: &Args, i: usize) -> Drift {
    let u = unit(i as u64);
    if u < args.renamed {
        Drift::Renamed
    } else if u < args.renamed + args.workflow_drift {
        Drift::Workflows
    } else if u < args.renamed + args.workflow_drift + args.missing {
        Drift::Missing
    } else {
        Drift::None
    }
}

pub fn email(i: usize) -> String {
    format!("user{i}@bench.example")
}

fn name(i: usize) -> String {
    format!("Bench User {i}")
}

fn file_name(f: u32) -> String {
    format!("team-{f:03}.yaml")
}

/// One or two workflows per user.
fn workflows(args: &Args, i: usize) -> BTreeSet<u64> {
    let w = u64::from(args.workflows);
    let i = i as u64;
    BTreeSet::from([FIRST_WORKFLOW + i % w, FIRST_WORKFLOW + (i / w + 3 * i) % w])
}

/// The vendor's workflows for a user with workflow drift: the first desired one swapped for
/// another, so that at least one join and one leave differ.
fn drifted_workflows(args: &Args, want: &BTreeSet<u64>) -> BTreeSet<u64> {
    let w = u64::from(args.workflows);
    let first = *want.iter().next().unwrap_or(&FIRST_WORKFLOW);
    let other = FIRST_WORKFLOW + (first - FIRST_WORKFLOW + w / 2) % w;
    let mut have = want.clone();
    have.remove(&first);
    have.insert(other);
    have
}

fn list(ids: &BTreeSet<u64>) -> String {
    let items: Vec<String> = ids.iter().map(u64::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Writes the workspace for `args` against a simulator at `sim_url` (ending in `/v1`).
pub fn generate(args: &Args) -> std::io::Result<Workspace> {
    let (temp, root) = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            (None, dir.canonicalize()?)
        }
        None => {
            let t = tempfile::Builder::new().prefix("roster-bench-").tempdir()?;
            let root = t.path().to_path_buf();
            (Some(t), root)
        }
    };
    let users_dir = root.join("users");
    if users_dir.exists() {
        std::fs::remove_dir_all(&users_dir)?;
    }
    std::fs::create_dir_all(&users_dir)?;
    std::fs::write(root.join("api.key"), API_KEY)?;

    let seed = root.join("seed.yaml");
    let mut seed_out = BufWriter::new(std::fs::File::create(&seed)?);
    writeln!(seed_out, "groups: [{GROUP}]\nworkflows:")?;
    for k in 0..u64::from(args.workflows) {
        writeln!(
            seed_out,
            "  - {{ id: {}, name: Workflow {k} }}",
            FIRST_WORKFLOW + k
        )?;
    }
    seed_out.flush()?;
    let world = root.join("world.json");
    let mut world_out = BufWriter::new(std::fs::File::create(&world)?);
    let all_workflows: Vec<String> = (0..u64::from(args.workflows))
        .map(|k| {
            format!(
                "{{\"workflow_id\": {}, \"name\": \"Workflow {k}\"}}",
                FIRST_WORKFLOW + k
            )
        })
        .collect();
    write!(
        world_out,
        "{{\"groups\": [{GROUP}], \"workflows\": [{}], \"users\": [",
        all_workflows.join(", ")
    )?;
    let mut first_user = true;

    let mut files: Vec<BufWriter<std::fs::File>> = (0..args.files)
        .map(|f| {
            let mut out = BufWriter::new(std::fs::File::create(users_dir.join(file_name(f)))?);
            writeln!(out, "target: acme\nusers:")?;
            Ok(out)
        })
        .collect::<std::io::Result<_>>()?;

    let mut expected = Expected::default();
    let mut changed: BTreeSet<u64> = BTreeSet::new();
    for i in 0..args.users {
        let want = workflows(args, i);
        let n = files.len();
        let out = &mut files[i % n];
        writeln!(
            out,
            "  - email: {}\n    name: {}\n    workflows: {}",
            email(i),
            name(i),
            list(&want)
        )?;
        let d = drift(args, i);
        let (seed_name, have) = match d {
            Drift::Missing => {
                expected.creates += 1;
                continue;
            }
            Drift::None => (name(i), want.clone()),
            Drift::Renamed => {
                expected.updates += 1;
                (format!("Former Name {i}"), want.clone())
            }
            Drift::Workflows => {
                let have = drifted_workflows(args, &want);
                changed.extend(want.symmetric_difference(&have));
                expected.memberships += want.symmetric_difference(&have).count();
                (name(i), have)
            }
        };
        expected.vendor_users += 1;
        writeln!(
            world_out,
            "{}{{\"user_id\": {}, \"name\": \"{seed_name}\", \"email_address\": \"{}\", \"primary_group_id\": {GROUP}, \"assigned_workflows\": {}}}",
            if first_user { "" } else { "," },
            FIRST_USER_ID + i as u64,
            email(i),
            list(&have)
        )?;
        first_user = false;
    }
    writeln!(
        world_out,
        "], \"next_user_id\": {}}}",
        FIRST_USER_ID + args.users as u64
    )?;
    world_out.flush()?;
    expected.workflows_changed = changed.len();
    for mut f in files {
        f.flush()?;
    }

    Ok(Workspace {
        config: root.join("roster.yaml"),
        root,
        seed,
        world,
        expected,
        _temp: temp,
    })
}

/// Writes `roster.yaml` for a simulator at `addr` (`host:port`). The guards are opened wide:
/// the drifted users leaving a workflow count as losing access, and the benchmark means them.
pub fn write_config(ws: &Workspace, args: &Args, addr: &str) -> std::io::Result<()> {
    let rate = args
        .rate_limit
        .map(|r| format!("    rate_limit: {r}\n"))
        .unwrap_or_default();
    let text = format!(
        "manifests: users\n\
         targets:\n  acme:\n    provider: xtracta\n    url: http://{addr}/v1\n\
         \x20   api_key: {{ file: api.key }}\n    group_id: {GROUP}\n\
         \x20   concurrency: {}\n    timeout: 60s\n{rate}\
         \x20   max_delete: 100000000\n    max_delete_fraction: 1.0\n\
         daemon:\n  listen: 127.0.0.1:0\n  debounce: {}ms\n  schedule: \"0 0 1 1 *\"\n",
        args.concurrency, args.debounce_ms
    );
    std::fs::write(&ws.config, text)
}

/// The first group of the multi-target case; target `k` has group `MULTI_GROUP + k`.
const MULTI_GROUP: u64 = 20_000;

/// The multi-target case (issue 13): `targets` targets on one simulator, each its own group of
/// `users` users, in `root`. Each target's plan has one update (its first user renamed).
pub fn multi(root: &Path, targets: usize, users: usize) -> std::io::Result<Workspace> {
    let users_dir = root.join("users");
    if users_dir.exists() {
        std::fs::remove_dir_all(&users_dir)?;
    }
    std::fs::create_dir_all(&users_dir)?;
    std::fs::write(root.join("api.key"), API_KEY)?;
    let groups: Vec<String> = (0..targets as u64)
        .map(|k| (MULTI_GROUP + k).to_string())
        .collect();
    let seed = root.join("seed.yaml");
    std::fs::write(&seed, format!("groups: [{}]\n", groups.join(", ")))?;
    let world = root.join("world.json");
    let mut world_out = BufWriter::new(std::fs::File::create(&world)?);
    write!(
        world_out,
        "{{\"groups\": [{}], \"workflows\": [], \"users\": [",
        groups.join(", ")
    )?;
    let mut id = FIRST_USER_ID;
    let mut expected = Expected::default();
    for k in 0..targets {
        let name = multi_name(k);
        let mut out = BufWriter::new(std::fs::File::create(
            users_dir.join(format!("{name}.yaml")),
        )?);
        writeln!(out, "target: {name}\nusers:")?;
        for i in 0..users {
            let email = format!("{name}-user{i}@bench.example");
            writeln!(out, "  - email: {email}\n    name: User {i}")?;
            let at_vendor = if i == 0 {
                "Former Name".to_string()
            } else {
                format!("User {i}")
            };
            writeln!(
                world_out,
                "{}{{\"user_id\": {id}, \"name\": \"{at_vendor}\", \"email_address\": \"{email}\", \"primary_group_id\": {}, \"assigned_workflows\": []}}",
                if id == FIRST_USER_ID { "" } else { "," },
                MULTI_GROUP + k as u64
            )?;
            id += 1;
        }
        out.flush()?;
        expected.updates += 1;
        expected.vendor_users += users;
    }
    writeln!(world_out, "], \"next_user_id\": {id}}}")?;
    world_out.flush()?;
    Ok(Workspace {
        config: root.join("roster.yaml"),
        root: root.to_path_buf(),
        seed,
        world,
        expected,
        _temp: None,
    })
}

/// Target `k` of the multi-target case.
pub fn multi_name(k: usize) -> String {
    format!("t{k:02}")
}

/// `roster.yaml` of the multi-target case, for a simulator at `addr`; `parallel_targets` left
/// to its default.
pub fn write_multi_config(ws: &Workspace, targets: usize, addr: &str) -> std::io::Result<()> {
    let mut text = String::from("manifests: users\ntargets:\n");
    for k in 0..targets {
        text.push_str(&format!(
            "  {}:\n    provider: xtracta\n    url: http://{addr}/v1\n    api_key: {{ file: api.key }}\n    group_id: {}\n    timeout: 60s\n",
            multi_name(k),
            MULTI_GROUP + k as u64
        ));
    }
    std::fs::write(&ws.config, text)
}
