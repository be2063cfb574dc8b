//! The reconcile schedule: standard 5-field cron (6 fields with seconds also accepted) in an
//! optional IANA time zone, correct across DST changes, and a loop that never stops firing.
//!
//! Uses `croner` plus a small loop rather than tokio-cron-scheduler, whose known issues (#107:
//! zoned jobs drift after a DST change; #113: jobs can stop firing) are exactly what a daemon
//! running for months must not do. Each wake-up computes the next time afresh from the wall
//! clock in the zone, so nothing accumulates. Firing only queues a trigger: a reconcile still
//! running makes the next one wait (coalesced), never overlap.

use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

use super::trigger::{Queue, Trigger};

/// A parsed schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    cron: Cron,
    tz: Tz,
}

impl Schedule {
    /// Parses a cron expression and an optional time zone name (default UTC).
    pub fn parse(expr: &str, tz: Option<&str>) -> Result<Schedule, String> {
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expr)
            .map_err(|e| format!("invalid schedule {expr:?}: {e}"))?;
        let tz = match tz {
            Some(name) => name
                .parse::<Tz>()
                .map_err(|_| format!("unknown time zone {name:?} (expected e.g. Europe/Berlin)"))?,
            None => Tz::UTC,
        };
        Ok(Schedule { cron, tz })
    }

    /// The first firing strictly after `now`; `None` when there is none within croner's
    /// search range (the years 1 to 5000), e.g. for `0 0 31 2 *`, or `now` is outside it.
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Outside croner's range there is nothing to find, and near chrono's own limits a
        // zone's offset would carry the local time out of range (chrono panics there).
        if !(croner::YEAR_LOWER_LIMIT..croner::YEAR_UPPER_LIMIT).contains(&now.year()) {
            return None;
        }
        let local = now.with_timezone(&self.tz);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

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
    fn five_fields_every_fifteen_minutes() {
        let s = Schedule::parse("*/15 * * * *", None).unwrap();
        assert_eq!(
            s.next_after(utc(2026, 1, 1, 10, 7)),
            Some(utc(2026, 1, 1, 10, 15))
        );
        assert_eq!(
            s.next_after(utc(2026, 1, 1, 10, 15)),
            Some(utc(2026, 1, 1, 10, 30))
        );
    }

    #[test]
    fn daily_local_time_holds_across_dst() {
        // 02:30 does not exist in Berlin on 2026-03-29; 09:00 local is 08:00Z in winter, 07:00Z in summer.
        let s = Schedule::parse("0 9 * * *", Some("Europe/Berlin")).unwrap();
        assert_eq!(
            s.next_after(utc(2026, 3, 28, 12, 0)),
            Some(utc(2026, 3, 29, 7, 0))
        );
        assert_eq!(
            s.next_after(utc(2026, 3, 27, 12, 0)),
            Some(utc(2026, 3, 28, 8, 0))
        );
        assert_eq!(
            s.next_after(utc(2026, 10, 24, 12, 0)),
            Some(utc(2026, 10, 25, 8, 0))
        );
    }

    #[test]
    fn hourly_across_the_autumn_change_fires_every_real_hour() {
        let s = Schedule::parse("0 * * * *", Some("Europe/Berlin")).unwrap();
        let mut t = utc(2026, 10, 24, 23, 30);
        let mut firings = Vec::new();
        for _ in 0..4 {
            t = s.next_after(t).unwrap();
            firings.push(t);
        }
        for w in firings.windows(2) {
            assert!(w[1] > w[0]);
            assert!(w[1] - w[0] <= chrono::Duration::hours(1), "{firings:?}");
        }
    }

    #[test]
    fn seconds_and_errors() {
        let s = Schedule::parse("*/2 * * * * *", None).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap();
        assert_eq!(
            s.next_after(t),
            Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 2).unwrap())
        );
        assert!(Schedule::parse("every day", None).is_err());
        assert!(
            Schedule::parse("* * * * *", Some("Mars/Olympus"))
                .unwrap_err()
                .contains("unknown time zone")
        );
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

    #[test]
    fn a_schedule_that_never_fires_has_no_next_firing() {
        let started = std::time::Instant::now();
        let s = Schedule::parse("0 0 31 2 *", None).unwrap();
        assert_eq!(s.next_after(utc(2026, 1, 1, 0, 0)), None);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    proptest::proptest! {
        /// Any text as a schedule parses or is refused; a parsed one computes its next firing
        /// from any instant without panicking.
        #[test]
        fn arbitrary_schedules_never_panic(
            expr in "([0-9]{1,3}|\\*|/|-|,|L|W|#|\\?|[A-Z]{3}| ){0,24}",
            secs in -70_000_000_000i64..100_000_000_000,
        ) {
            if let Ok(s) = Schedule::parse(&expr, Some("Europe/Berlin")) {
                let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
                if let Some(next) = s.next_after(at) {
                    proptest::prop_assert!(next > at);
                    let _ = sleep_for(at, next);
                }
            }
        }
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
