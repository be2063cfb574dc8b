//! The daemon's schedule loop: sleeps until the next firing of a [`Schedule`] (parsed in
//! `crate::schedule`) and queues a trigger, and never stops firing.
//!
//! Uses `croner` plus a small loop rather than tokio-cron-scheduler, whose known issues (#107:
//! zoned jobs drift after a DST change; #113: jobs can stop firing) are exactly what a daemon
//! running for months must not do. Each wake-up computes the next time afresh from the wall
//! clock in the zone, so nothing accumulates. Firing only queues a trigger: a reconcile still
//! running makes the next one wait (coalesced), never overlap.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::trigger::{Queue, Trigger};

pub use crate::schedule::Schedule;

/// How long to sleep at `now` for a firing due `at`: never negative, at most [`MAX_SLEEP`],
/// whatever the two times are.
fn sleep_for(now: DateTime<Utc>, at: DateTime<Utc>) -> Duration {
    // `signed_duration_since` cannot overflow over chrono's whole range; a negative gap has no
    // std value and means "due now".
    at.signed_duration_since(now)
        .to_std()
        .unwrap_or_default()
        .min(MAX_SLEEP)
}

/// Where the loop reads the time; tests give one that follows tokio's paused clock.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Longest single sleep: the loop re-reads the wall clock at least this often, so a clock
/// step (NTP, suspend) delays a firing by at most this much.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Queues a [`Trigger::Schedule`] at every firing, forever.
pub async fn run(schedule: Schedule, clock: impl Clock, queue: Queue) {
    let mut due = schedule.next_after(clock.now());
    loop {
        let Some(at) = due else {
            tracing::error!("schedule has no next firing; checking again in a minute");
            tokio::time::sleep(MAX_SLEEP).await;
            due = schedule.next_after(clock.now());
            continue;
        };
        let now = clock.now();
        if now >= at {
            queue.push(Trigger::Schedule);
            due = schedule.next_after(at.max(now));
            continue;
        }
        tokio::time::sleep(sleep_for(now, at)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn no_time_overflows_or_panics_at_the_ends_of_time() {
        let ends = [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC];
        for tz in [None, Some("Pacific/Kiritimati"), Some("Pacific/Pago_Pago")] {
            let s = Schedule::parse("* * * * *", tz).unwrap();
            assert_eq!(s.next_after(ends[1]), None);
            let near_limit = Utc.with_ymd_and_hms(4999, 12, 31, 23, 59, 30).unwrap();
            let _ = s.next_after(near_limit);
            let _ = s.next_after(ends[0]);
        }
        assert_eq!(sleep_for(ends[0], ends[1]), MAX_SLEEP);
        assert_eq!(sleep_for(ends[1], ends[0]), Duration::ZERO);
        let now = utc(2026, 1, 1, 10, 0);
        assert_eq!(
            sleep_for(now, now + chrono::Duration::seconds(5)),
            Duration::from_secs(5)
        );
    }

    /// A clock that moves with tokio's (paused) clock.
    struct TokioClock {
        start: DateTime<Utc>,
        origin: tokio::time::Instant,
    }

    impl Clock for TokioClock {
        fn now(&self) -> DateTime<Utc> {
            self.start + chrono::Duration::from_std(self.origin.elapsed()).unwrap()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn loop_fires_on_time_and_coalesces_while_busy() {
        let (queue, mut rx) = Queue::new();
        let clock = TokioClock {
            start: utc(2026, 1, 1, 10, 7),
            origin: tokio::time::Instant::now(),
        };
        let task = tokio::spawn(run(
            Schedule::parse("*/15 * * * *", None).unwrap(),
            clock,
            queue,
        ));
        // Nothing before 10:15.
        tokio::time::sleep(Duration::from_secs(7 * 60 + 59)).await;
        assert!(rx.try_recv().is_err());
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(rx.try_recv().unwrap(), Trigger::Schedule);
        // Busy for an hour: four firings, at most one waits.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(rx.try_recv().unwrap(), Trigger::Schedule);
        assert!(rx.try_recv().is_err());
        // And it keeps firing afterwards.
        tokio::time::sleep(Duration::from_secs(15 * 60)).await;
        assert_eq!(rx.try_recv().unwrap(), Trigger::Schedule);
        task.abort();
    }
}
