//! Each target of issues 8, 13 and 17 judged against what was measured, where it applies at this
//! size; `None` when it does not (or cannot be measured yet).

use serde::Serialize;

use crate::args::Args;
use crate::report::Results;

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub target: String,
    pub measured: String,
    /// `None` when the target does not apply at this size.
    pub met: Option<bool>,
}

fn verdict(target: &str, measured: String, met: Option<bool>) -> Verdict {
    Verdict {
        target: target.to_string(),
        measured,
        met,
    }
}

/// The limit that applies at this size, if one does: `(10,000 users, 100,000 users)`.
fn at<T>(users: usize, limits: (Option<T>, Option<T>)) -> Option<T> {
    match users {
        10_000 => limits.0,
        100_000 => limits.1,
        _ => None,
    }
}

pub fn judge(args: &Args, r: &Results) -> Vec<Verdict> {
    let mut v = Vec::new();
    let lfp = r.phases["load_fetch_plan"].median_s;
    v.push(verdict(
        "load + fetch + plan: ≤ 150 ms for 10,000 users, ≤ 1.2 s for 100,000",
        secs(lfp),
        at(r.users, (Some(0.15), Some(1.2))).map(|l| lfp <= l),
    ));
    v.push(verdict(
        "peak RSS (load + fetch + plan + render): ≤ 160 MB for 100,000 users",
        mb(r.peak_plan_bytes),
        at(r.users, (None, Some(160_000_000))).map(|l| r.peak_plan_bytes <= l),
    ));
    let exact = r.requests.iter().all(|row| row.made == row.minimum);
    let made: u64 = r.requests.iter().map(|row| row.made).sum();
    let minimum: u64 = r.requests.iter().map(|row| row.minimum).sum();
    v.push(verdict(
        "requests: exactly the minimum; no writes for an unchanged world",
        format!(
            "{made} made, {minimum} minimum; {} writes on the plan after apply",
            r.replan_writes
        ),
        Some(exact && r.replan_writes == 0 && r.replan_changes == 0),
    ));
    v.push(verdict(
        &format!(
            "apply: ≥ 95% of ideal throughput (concurrency {}, latency {} ms), no errors",
            args.concurrency, args.latency
        ),
        format!(
            "{:.0}/s of {:.0}/s = {:.1}%, {} failed",
            r.apply.throughput,
            r.apply.ideal,
            r.apply.ratio * 100.0,
            r.apply.failed
        ),
        Some(r.apply.ratio >= 0.95 && r.apply.failed == 0),
    ));
    v.push(verdict(
        "apply, the same with the simulator's measured round trip as the latency",
        format!(
            "{:.0}/s of {:.0}/s = {:.1}% (round trip {})",
            r.apply.throughput,
            r.apply.ideal_at_round_trip,
            r.apply.ratio_at_round_trip * 100.0,
            secs(r.apply.round_trip_s),
        ),
        Some(r.apply.ratio_at_round_trip >= 0.95 && r.apply.failed == 0),
    ));
    if let Some(d) = &r.daemon {
        let share = d.idle_cpu_s / d.idle_s;
        v.push(verdict(
            "daemon at rest: CPU ~0 (≤ 0.1% of a core)",
            format!(
                "{:.2} ms over {:.0} s ({:.3}%)",
                d.idle_cpu_s * 1e3,
                d.idle_s,
                share * 100.0
            ),
            Some(share <= 0.001),
        ));
        let wakeups = d.idle_wakeups as f64 / d.idle_s;
        v.push(verdict(
            "daemon at rest: no polling (≤ 1 wake-up/s, at any size)",
            format!("{wakeups:.1} wake-ups/s"),
            Some(wakeups <= 1.0),
        ));
        v.push(verdict(
            "daemon at rest: ≤ 20 MB RSS with 10,000 users",
            mb(d.rss_bytes),
            at(r.users, (Some(20_000_000), None)).map(|l| d.rss_bytes <= l),
        ));
        let debounce = args.debounce_ms;
        v.push(verdict(
            &format!(
                "manifest edit reaches the vendor ≤ debounce + 80 ms = {} ms (10,000 users), ≤ debounce + 400 ms = {} ms (100,000)",
                debounce + 80,
                debounce + 400
            ),
            secs(d.edit_to_vendor_s),
            at(r.users, (Some(debounce + 80), Some(debounce + 400)))
                .map(|l| d.edit_to_vendor_s <= l as f64 / 1e3),
        ));
    }
    match &r.multi {
        Some(m) => {
            // The targets are stated at 50 targets of 2,000 users at 20 ms.
            let canonical = m.targets == 50 && m.users_per_target == 2_000 && r.latency_ms == 20;
            v.push(verdict(
                "50 targets × 2,000 users, plan with --parallel 50: ≤ 1.5 × one target's",
                format!(
                    "{} targets × {} users: {} vs {} = {:.2}×",
                    m.targets,
                    m.users_per_target,
                    secs(m.all_at_once.median_s),
                    secs(m.one.median_s),
                    m.ratio_all()
                ),
                canonical.then(|| m.ratio_all() <= 1.5),
            ));
            let (ratio, bound) = m.ratio_default();
            v.push(verdict(
                "the same with the default parallel_targets: ≤ 1.5 × ⌈50 / parallel_targets⌉ × one target's",
                format!(
                    "parallel_targets {}: {} = {ratio:.1}× (bound {bound:.1}×)",
                    m.default_parallel,
                    secs(m.default.median_s)
                ),
                canonical.then_some(ratio <= bound),
            ));
        }
        None => v.push(verdict(
            "50 targets × 2,000 users, plan with --parallel 50: ≤ 1.5 × one target's",
            "n/a: skipped (--multi-targets 0)".to_string(),
            None,
        )),
    }
    v
}

pub fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
