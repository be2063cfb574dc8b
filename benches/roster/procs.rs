//! Child processes (`roster sim xtracta`, `roster daemon`) and what Linux says about a process:
//! peak and current resident memory, CPU time and context switches, from `/proc`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A `roster` child process that prints `listening on http://ADDR` first; killed when dropped.
pub struct Served {
    child: Child,
    pub addr: String,
    pub log: PathBuf,
}

impl Served {
    /// Starts `roster ARGS` in `dir`, its stderr going to `log`, and waits for its address.
    pub fn start(args: &[&str], dir: &Path, log: PathBuf) -> anyhow::Result<Served> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .current_dir(dir)
            .args(args)
            .env_remove("ROSTER_CONFIG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            anyhow::bail!(
                "roster {} said {line:?}; its log:\n{log_text}",
                args.join(" ")
            );
        };
        Ok(Served {
            addr: addr.to_string(),
            child,
            log,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` line of `/proc/PID/status` (`VmHWM`, `VmRSS`), in bytes.
pub fn status_kb(pid: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// This process's peak resident memory so far, in bytes.
pub fn own_peak() -> u64 {
    status_kb("self", "VmHWM").unwrap_or(0)
}

/// This process's resident memory now, in bytes.
pub fn own_rss() -> u64 {
    status_kb("self", "VmRSS").unwrap_or(0)
}

/// Resets this process's peak resident memory to its current one (Linux ≥ 4.0), so that the
/// next reading covers only what follows. Returns whether the kernel allowed it.
pub fn reset_own_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU time and context switches of every thread of a process.
#[derive(Clone, Debug, Default)]
pub struct Cpu {
    /// Nanoseconds on a CPU (from `schedstat`, falling back to `stat`'s clock ticks).
    pub ns: u64,
    /// Voluntary and involuntary context switches: roughly, wake-ups.
    pub switches: u64,
    pub threads: u64,
    /// Context switches by thread name.
    pub by_thread: BTreeMap<String, u64>,
}

impl Cpu {
    pub fn since(&self, before: &Cpu) -> Cpu {
        let mut by_thread = self.by_thread.clone();
        for (name, n) in &mut by_thread {
            *n = n.saturating_sub(before.by_thread.get(name).copied().unwrap_or(0));
        }
        by_thread.retain(|_, n| *n > 0);
        Cpu {
            ns: self.ns.saturating_sub(before.ns),
            switches: self.switches.saturating_sub(before.switches),
            threads: self.threads,
            by_thread,
        }
    }
}

/// Sums CPU time and context switches over `/proc/PID/task/*`.
pub fn cpu(pid: u32) -> Cpu {
    let mut total = Cpu::default();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return total;
    };
    for task in tasks.flatten() {
        let dir = task.path();
        total.threads += 1;
        let sched = std::fs::read_to_string(dir.join("schedstat")).ok();
        let ns = sched
            .as_deref()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        total.ns += ns.unwrap_or_else(|| stat_ticks_ns(&dir));
        if let Ok(status) = std::fs::read_to_string(dir.join("status")) {
            let mut switches = 0;
            for l in status.lines() {
                if let Some(v) = l
                    .strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
                {
                    switches += v.trim().parse::<u64>().unwrap_or(0);
                }
            }
            total.switches += switches;
            let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            *total.by_thread.entry(name.trim().to_string()).or_default() += switches;
        }
    }
    total
}

/// utime + stime of one task, assuming the usual 100 clock ticks per second.
fn stat_ticks_ns(task: &Path) -> u64 {
    let Ok(stat) = std::fs::read_to_string(task.join("stat")) else {
        return 0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    ticks * 10_000_000
}

/// The one-minute load average: other work on the machine skews the numbers.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}
