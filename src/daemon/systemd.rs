//! Talks to systemd when it started us (`Type=notify`): readiness, status lines, reloads and
//! watchdog pings. Every call is a no-op without `$NOTIFY_SOCKET`.
//!
//! The watchdog is pinged only while the reconcile loop makes progress: the loop beats a
//! [`Heartbeat`] on every idle iteration, and a reconcile beats it on every vendor answer and
//! every finished change. A reconcile stuck for more than half of `WatchdogSec=` stops the
//! pings, so systemd restarts the unit. Must not decide anything about reconciling.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sd_notify::NotifyState;

pub fn ready() {
    let _ = sd_notify::notify(&[NotifyState::Ready]);
}

pub fn status(line: &str) {
    let _ = sd_notify::notify(&[NotifyState::Status(line)]);
}

pub fn reloading() {
    let mut states = vec![NotifyState::Reloading];
    if let Ok(t) = NotifyState::monotonic_usec_now() {
        states.push(t);
    }
    let _ = sd_notify::notify(&states);
}

pub fn stopping() {
    let _ = sd_notify::notify(&[NotifyState::Stopping]);
}

/// When the reconcile loop last made progress; cloned into whoever beats or reads it.
#[derive(Clone, Debug)]
pub(crate) struct Heartbeat {
    base: Instant,
    /// Nanoseconds after `base` of the latest beat.
    latest: Arc<AtomicU64>,
}

impl Heartbeat {
    pub(crate) fn new() -> Self {
        Heartbeat::starting_at(Instant::now())
    }

    fn starting_at(base: Instant) -> Self {
        Heartbeat {
            base,
            latest: Arc::new(AtomicU64::new(0)),
        }
    }

    pub(crate) fn beat(&self) {
        self.beat_at(Instant::now());
    }

    fn beat_at(&self, now: Instant) {
        let nanos = now.saturating_duration_since(self.base).as_nanos();
        self.latest
            .fetch_max(u64::try_from(nanos).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn latest(&self) -> Instant {
        self.base + Duration::from_nanos(self.latest.load(Ordering::Relaxed))
    }

    /// Whether it was beaten within `within` of now (a target's reconcile still progressing).
    pub(crate) fn fresh(&self, within: Duration) -> bool {
        Instant::now().saturating_duration_since(self.latest()) < within
    }
}

/// Whether the watchdog may be pinged at `now`: the loop beat within half of its interval.
fn should_ping(latest_beat: Instant, now: Instant, interval: Duration) -> bool {
    now.saturating_duration_since(latest_beat) < interval / 2
}

/// The watchdog's interval, when systemd asked for pings (`WatchdogSec=`).
pub(crate) fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().filter(|d| !d.is_zero())
}

/// How often the idle loop beats and the watchdog task looks: a quarter of the interval, so
/// that an idle loop's heartbeat is never older than half of it.
pub(crate) fn beat_period(interval: Duration) -> Duration {
    (interval / 4).max(Duration::from_millis(1))
}

/// Pings the watchdog, when `WatchdogSec=` is set, while `heartbeat` is fresh.
pub(crate) async fn watchdog(heartbeat: Heartbeat) {
    let Some(interval) = watchdog_interval() else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(beat_period(interval));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut stalled = false;
    loop {
        tick.tick().await;
        let (latest, now) = (heartbeat.latest(), Instant::now());
        if should_ping(latest, now, interval) {
            if stalled {
                tracing::info!("the reconcile loop is making progress again");
            }
            stalled = false;
            let _ = sd_notify::notify(&[NotifyState::Watchdog]);
        } else if !stalled {
            stalled = true;
            tracing::error!(
                "the reconcile loop made no progress for {}s; no longer pinging the watchdog, so that systemd restarts roster",
                now.saturating_duration_since(latest).as_secs()
            );
        }
    }
}

/// Runs `work`, beating `heartbeat` whenever `progress` (a count of vendor answers) moved since
/// the last look, one look per `every`. Without a watchdog (`every` is `None`) it only runs it.
pub(crate) async fn beating<F: Future>(
    work: F,
    heartbeat: &Heartbeat,
    every: Option<Duration>,
    progress: impl Fn() -> u64,
) -> F::Output {
    let Some(every) = every else {
        return work.await;
    };
    let mut work = std::pin::pin!(work);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut seen = progress();
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => {
                let now = progress();
                if now != seen {
                    seen = now;
                    heartbeat.beat();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: Duration = Duration::from_secs(120);

    #[test]
    fn pings_only_while_the_heartbeat_is_younger_than_half_the_interval() {
        let t0 = Instant::now();
        let hb = Heartbeat::starting_at(t0);
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!(should_ping(hb.latest(), at(0), INTERVAL));
        assert!(should_ping(hb.latest(), at(59), INTERVAL));
        assert!(!should_ping(hb.latest(), at(60), INTERVAL), "stuck: stop");
        assert!(!should_ping(hb.latest(), at(500), INTERVAL));
        hb.beat_at(at(500));
        assert!(
            should_ping(hb.latest(), at(530), INTERVAL),
            "progress again"
        );
    }

    #[test]
    fn an_idle_loop_beating_each_period_keeps_the_pings_going() {
        let t0 = Instant::now();
        let hb = Heartbeat::starting_at(t0);
        let period = beat_period(INTERVAL);
        for i in 1..100u32 {
            let now = t0 + period * i;
            // The watchdog may look just before the loop's beat of the same period.
            assert!(should_ping(hb.latest(), now, INTERVAL), "period {i}");
            hb.beat_at(now);
        }
    }

    #[test]
    fn beats_never_go_backwards() {
        let t0 = Instant::now();
        let hb = Heartbeat::starting_at(t0);
        hb.beat_at(t0 + Duration::from_secs(10));
        hb.beat_at(t0 + Duration::from_secs(5));
        hb.beat_at(t0.checked_sub(Duration::from_secs(5)).unwrap_or(t0));
        assert_eq!(hb.latest(), t0 + Duration::from_secs(10));
    }

    #[test]
    fn a_tiny_interval_still_has_a_period() {
        assert_eq!(
            beat_period(Duration::from_micros(1)),
            Duration::from_millis(1)
        );
        assert_eq!(beat_period(INTERVAL), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn work_beats_only_when_progress_moves() {
        let hb = Heartbeat::starting_at(Instant::now());
        let count = Arc::new(AtomicU64::new(0));
        let every = Some(Duration::from_secs(1));
        let idle = hb.latest();
        // Paused time: the 10 s of work pass at once, and the count never moves.
        let c = count.clone();
        beating(
            tokio::time::sleep(Duration::from_secs(10)),
            &hb,
            every,
            move || c.load(Ordering::Relaxed),
        )
        .await;
        assert_eq!(hb.latest(), idle, "no vendor answer, no beat");
        let c = count.clone();
        let answers = async {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_secs(2)).await;
                count.fetch_add(1, Ordering::Relaxed);
            }
        };
        beating(answers, &hb, every, move || c.load(Ordering::Relaxed)).await;
        assert!(hb.latest() > idle, "answers beat");
    }
}
