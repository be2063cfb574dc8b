//! Wall-clock instants as the Identity API writes them: ISO 8601 in UTC with seven fraction
//! digits (`2024-01-01T00:00:00.0000000Z`, .NET's round-trip format), kept as milliseconds.
//!
//! Only formats and parses; token lifetimes use `tokio::time::Instant`, not this.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::as_text::serde_as_text;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp(pub(crate) i64);

/// 2024-01-01T00:00:00Z: where seeded worlds start their clocks.
pub(crate) const SEED_EPOCH: Timestamp = Timestamp(1_704_067_200_000);

impl Timestamp {
    pub(crate) fn now() -> Self {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self(millis)
    }

    pub(crate) fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds.saturating_mul(1000)))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (or `+00:00`); finer than milliseconds is cut.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let body = text
            .strip_suffix('Z')
            .or_else(|| text.strip_suffix("+00:00"))?;
        let (date, time) = body.split_once('T')?;
        let (whole, fraction) = match time.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (time, None),
        };
        let field = |s: &str, len: usize| -> Option<i64> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let mut date_parts = date.split('-');
        let year = field(date_parts.next()?, 4)?;
        let month = field(date_parts.next()?, 2)?;
        let day = field(date_parts.next()?, 2)?;
        let mut time_parts = whole.split(':');
        let hour = field(time_parts.next()?, 2)?;
        let minute = field(time_parts.next()?, 2)?;
        let second = field(time_parts.next()?, 2)?;
        if date_parts.next().is_some() || time_parts.next().is_some() {
            return None;
        }
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return None;
        }
        let millis = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                let padded = format!("{f:0<3}");
                padded[..3].parse::<i64>().ok()?
            }
            Some(_) => return None,
        };
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
        Some(Self(seconds * 1000 + millis))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.rem_euclid(1000);
        let seconds = self.0.div_euclid(1000);
        let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}0000Z",
            of_day / 3_600,
            of_day % 3_600 / 60,
            of_day % 60
        )
    }
}

serde_as_text!(Timestamp, |text| {
    Timestamp::parse(text)
        .ok_or_else(|| format!("not a UTC timestamp like 2024-01-01T00:00:00Z: {text}"))
});

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_dotnet_round_trip() {
        assert_eq!(SEED_EPOCH.to_string(), "2024-01-01T00:00:00.0000000Z");
        assert_eq!(
            Timestamp(951_782_400_123).to_string(),
            "2000-02-29T00:00:00.1230000Z"
        );
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.9990000Z");
    }

    #[test]
    fn parses_what_it_formats_and_plain_forms() {
        for millis in [0, 1, 951_782_400_123, 1_704_067_200_000, 4_102_444_799_999] {
            let t = Timestamp(millis);
            assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
        }
        assert_eq!(Timestamp::parse("2024-01-01T00:00:00Z"), Some(SEED_EPOCH));
        assert_eq!(
            Timestamp::parse("2024-01-01T00:00:00.5+00:00"),
            Some(Timestamp(SEED_EPOCH.0 + 500))
        );
    }

    #[test]
    fn refuses_impossible_or_zoned_times() {
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00+02:00",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00.Z",
            "yesterday",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
