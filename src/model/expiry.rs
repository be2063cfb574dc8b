//! When access ends: an `expires` value as written (a calendar date, or an RFC 3339 instant),
//! the instant it means, and what ending a user does.
//!
//! A date means the end of that day in the config's time zone: the instant the next day
//! begins there. On a day whose midnight does not exist (a DST change at midnight), the next
//! day begins at the first instant that exists; on one whose midnight happens twice, at the
//! first of them.
//!
//! Pure: no clock and no I/O; the caller gives the time zone and, where it matters, "now".

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::Origin;

/// How an `expires` value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// A calendar date: access ends when the day ends in the config's time zone.
    Date(NaiveDate),
    /// An instant with its UTC offset.
    Instant(DateTime<Utc>),
}

/// An `expires` value as written and where, parsed but not yet placed in a time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub when: When,
    /// The text as written, trimmed: what plans and messages quote (`expired 2027-03-31`).
    pub written: String,
    pub origin: Origin,
}

/// Why a text is not an `expires` value; it quotes the text escaped and cut short.
pub fn parse(text: &str) -> Result<When, String> {
    let t = text.trim();
    let shown: String = t.chars().take(40).collect::<String>();
    let invalid = || {
        format!(
            "`expires` must be a date (2027-03-31) or an RFC 3339 instant (2027-03-31T18:00:00Z), not {shown:?}"
        )
    };
    if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            t.get(r)
                .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u32>().ok())
        };
        return match (num(0..4), num(5..7), num(8..10)) {
            (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d)
                .map(When::Date)
                .ok_or_else(|| format!("`expires` {shown:?} is not a day of the calendar")),
            _ => Err(invalid()),
        };
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(When::Instant(at.with_timezone(&Utc)));
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .any(|f| NaiveDateTime::parse_from_str(t, f).is_ok());
    if local {
        return Err(format!(
            "`expires` {shown:?} has no UTC offset: add one (e.g. {shown}Z, or +01:00)"
        ));
    }
    Err(invalid())
}

impl When {
    /// The instant access ends, dates read in `tz`.
    pub fn at(&self, tz: Tz) -> DateTime<Utc> {
        match *self {
            When::Instant(at) => at,
            When::Date(d) => day_starts(d.succ_opt().unwrap_or(d), tz),
        }
    }
}

/// The first instant of `day` in `tz`: midnight, or the first instant after a gap that
/// swallows midnight, or the first of two midnights.
fn day_starts(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Gaps are at most a few hours and start on the minute in every zone in the database.
    for minutes in 0..=24 * 60 {
        let local = midnight + Duration::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&midnight)
}

impl Deadline {
    /// Places the deadline in `tz`.
    pub fn resolve(&self, tz: Tz) -> Expiry {
        Expiry {
            at: self.when.at(tz),
            written: self.written.clone(),
            origin: self.origin.clone(),
        }
    }
}

/// When some access ends, and how the manifest wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry {
    pub at: DateTime<Utc>,
    /// As written: `2027-03-31`, or an RFC 3339 instant.
    pub written: String,
    pub origin: Origin,
}

impl Expiry {
    /// Whether access has ended at `now`: from the instant on, not before.
    pub fn passed(&self, now: DateTime<Utc>) -> bool {
        now >= self.at
    }

    /// Whether access ends after `now` but within `window` of it.
    pub fn within(&self, now: DateTime<Utc>, window: Duration) -> bool {
        !self.passed(now) && self.at <= now.checked_add_signed(window).unwrap_or(now)
    }
}

/// What ending a user does (`on_expiry`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnExpiry {
    /// Switch the user off where the vendor can; else report it (the default).
    #[default]
    Deactivate,
    Delete,
    /// Leave it to a person: shown as drift that needs one.
    Report,
}

/// A desired user's expiries: its own, and its memberships'.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expiries {
    /// Boxed: most users have none, and every desired user carries the field.
    pub user: Option<Box<Expiry>>,
    /// What ending the user does, as the manifest says (the planner falls back to reporting
    /// where the vendor cannot deactivate).
    pub on_expiry: OnExpiry,
    /// Memberships that end: field (`workflows`) → member (`498082`) → when.
    pub members: BTreeMap<String, BTreeMap<String, Expiry>>,
}

impl Expiries {
    /// Whether nothing of this user ends.
    pub fn is_empty(&self) -> bool {
        self.user.is_none() && self.members.is_empty()
    }

    /// Every expiry, the user's first.
    pub fn all(&self) -> impl Iterator<Item = &Expiry> {
        self.user
            .as_deref()
            .into_iter()
            .chain(self.members.values().flat_map(BTreeMap::values))
    }

    /// Whether any membership has ended at `now`.
    pub fn any_member_passed(&self, now: DateTime<Utc>) -> bool {
        self.members
            .values()
            .flat_map(BTreeMap::values)
            .any(|e| e.passed(now))
    }

    /// When the member `item` of `field` ended, if it has at `now`.
    pub fn member_ended(&self, field: &str, item: &str, now: DateTime<Utc>) -> Option<&Expiry> {
        self.members
            .get(field)
            .and_then(|m| m.get(item))
            .filter(|e| e.passed(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    fn date_ends(date: &str, zone: &str) -> DateTime<Utc> {
        parse(date).unwrap().at(tz(zone))
    }

    #[test]
    fn a_date_ends_when_the_next_day_begins_in_the_zone() {
        assert_eq!(date_ends("2027-03-31", "UTC"), utc("2027-04-01T00:00:00Z"));
        // Berlin is on summer time (UTC+2) on 1 April 2027.
        assert_eq!(
            date_ends("2027-03-31", "Europe/Berlin"),
            utc("2027-03-31T22:00:00Z")
        );
        assert_eq!(
            date_ends("2027-12-31", "America/New_York"),
            utc("2028-01-01T05:00:00Z")
        );
        assert_eq!(
            date_ends("2027-03-31", "Pacific/Kiritimati"),
            utc("2027-03-31T10:00:00Z")
        );
    }

    #[test]
    fn dst_days_last_23_or_25_hours() {
        // Berlin springs forward on 28 March 2027 (a 23-hour day) and falls back on 31 October.
        let starts = date_ends("2027-03-27", "Europe/Berlin");
        let ends = date_ends("2027-03-28", "Europe/Berlin");
        assert_eq!(starts, utc("2027-03-27T23:00:00Z"));
        assert_eq!(ends, utc("2027-03-28T22:00:00Z"));
        assert_eq!(ends - starts, Duration::hours(23));
        let starts = date_ends("2027-10-30", "Europe/Berlin");
        let ends = date_ends("2027-10-31", "Europe/Berlin");
        assert_eq!(ends - starts, Duration::hours(25));
        assert_eq!(ends, utc("2027-10-31T23:00:00Z"));
    }

    #[test]
    fn a_midnight_that_does_not_exist_or_happens_twice() {
        // Chile sprang forward at midnight on 11 September 2022: 00:00 (UTC-4) became 01:00
        // (UTC-3), so the 10th ended at 04:00Z, the instant the clocks jumped.
        assert_eq!(
            date_ends("2022-09-10", "America/Santiago"),
            utc("2022-09-11T04:00:00Z")
        );
        // Cuba springs forward at midnight (14 March 2027) and falls back from 01:00 to
        // midnight (7 November 2027): the first midnight ends the day before.
        assert_eq!(
            date_ends("2027-03-13", "America/Havana"),
            utc("2027-03-14T05:00:00Z")
        );
        assert_eq!(
            date_ends("2027-11-06", "America/Havana"),
            utc("2027-11-07T04:00:00Z")
        );
    }

    #[test]
    fn instants_keep_their_offset() {
        assert_eq!(
            parse("2027-02-01T18:00:00Z").unwrap().at(tz("Asia/Tokyo")),
            utc("2027-02-01T18:00:00Z")
        );
        assert_eq!(
            parse(" 2027-02-01T18:00:00+01:00 ").unwrap().at(Tz::UTC),
            utc("2027-02-01T17:00:00Z")
        );
    }

    #[test]
    fn what_is_not_a_date_or_an_instant() {
        for bad in [
            "31/03/2027",
            "2027-3-31",
            "tomorrow",
            "",
            "2027-03-31T25:00:00Z",
            "2027-13-01",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("2027-02-30").unwrap_err().contains("not a day"));
        assert!(
            parse("2027-02-01T18:00:00")
                .unwrap_err()
                .contains("no UTC offset")
        );
        let long = "9".repeat(5000);
        assert!(parse(&long).unwrap_err().len() < 200);
        assert!(parse("\u{1b}[2J").unwrap_err().contains("\\u{1b}"));
    }

    #[test]
    fn before_at_and_after_the_instant() {
        let e = Expiry {
            at: utc("2027-04-01T00:00:00Z"),
            written: "2027-03-31".into(),
            origin: Origin {
                file: "u.yaml".into(),
                line: 1,
                column: 1,
            },
        };
        assert!(!e.passed(utc("2027-03-31T23:59:59Z")));
        assert!(e.passed(utc("2027-04-01T00:00:00Z")));
        assert!(e.passed(utc("2027-04-01T00:00:01Z")));
        let week = Duration::days(7);
        assert!(e.within(utc("2027-03-25T00:00:00Z"), week));
        assert!(!e.within(utc("2027-03-24T23:59:59Z"), week));
        assert!(!e.within(utc("2027-04-01T00:00:00Z"), week));
        assert!(!e.within(DateTime::<Utc>::MAX_UTC, week));
    }

    #[test]
    fn the_ends_of_the_calendar_do_not_panic() {
        for zone in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let _ = date_ends("9999-12-31", zone);
            let _ = date_ends("0000-01-01", zone);
        }
    }
}
