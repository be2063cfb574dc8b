//! A reconcile schedule: standard 5-field cron (6 fields with seconds also accepted) in an
//! optional IANA time zone, correct across DST changes. Pure: parsing and "the next firing
//! after an instant"; the daemon's loop that sleeps until then is `daemon::schedule`.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

/// Why a schedule or its time zone is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("invalid schedule {expr:?}: {reason}")]
    Cron { expr: String, reason: String },
    #[error("unknown time zone {0:?} (expected e.g. Europe/Berlin)")]
    TimeZone(String),
}

/// A parsed schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    cron: Cron,
    tz: Tz,
}

impl Schedule {
    /// Parses a cron expression and an optional time zone name (default UTC).
    pub fn parse(expr: &str, tz: Option<&str>) -> Result<Schedule, ScheduleError> {
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expr)
            .map_err(|e| ScheduleError::Cron {
                expr: expr.to_string(),
                reason: e.to_string(),
            })?;
        let tz = match tz {
            Some(name) => name
                .parse::<Tz>()
                .map_err(|_| ScheduleError::TimeZone(name.to_string()))?,
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
        assert!(matches!(
            Schedule::parse("* * * * *", Some("Mars/Olympus")),
            Err(ScheduleError::TimeZone(_))
        ));
    }

    #[test]
    fn a_schedule_that_never_fires_has_no_next_firing() {
        let started = std::time::Instant::now();
        let s = Schedule::parse("0 0 31 2 *", None).unwrap();
        assert_eq!(s.next_after(utc(2026, 1, 1, 0, 0)), None);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
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
                }
            }
        }
    }
}
