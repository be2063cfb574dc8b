//! Who holds a key: the JSON value of membership and ownership keys, and its wording.
//!
//! Values come back from etcd, where anyone with write access to the prefix could have put
//! anything: parsing never fails hard (an unreadable value reads as an unknown holder) and the
//! wording strips control characters and caps lengths. No I/O here but reading the host name.

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The longest text kept from any field of a holder read back from etcd.
const FIELD_MAX: usize = 120;

/// A roster process as written into etcd: who it is, where, and since when it holds the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The daemon id (its lease in hex), empty for one-shot commands read back from old values.
    #[serde(default)]
    pub id: String,
    /// What kind of process: `roster daemon`, `roster apply`.
    pub role: String,
    pub host: String,
    pub pid: u32,
    /// RFC 3339, UTC.
    pub since: String,
}

impl Holder {
    /// This process, now, in `role`; `id` is filled in once the lease is granted.
    pub fn this_process(role: &str) -> Holder {
        Holder {
            id: String::new(),
            role: role.to_string(),
            host: host_name(),
            pid: std::process::id(),
            since: now_rfc3339(),
        }
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a holder always serialises")
    }

    /// Reads a value back; anything unreadable becomes an unknown holder, never an error, so
    /// that a refusal can still be given.
    pub(crate) fn from_json(value: &[u8]) -> Holder {
        serde_json::from_slice::<Holder>(value).unwrap_or_else(|_| Holder {
            id: String::new(),
            role: "unknown process".into(),
            host: "unknown host".into(),
            pid: 0,
            since: String::new(),
        })
    }

    /// The same holder, holding a new key from now on.
    pub(crate) fn since_now(&self) -> Holder {
        Holder {
            since: now_rfc3339(),
            ..self.clone()
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} on {} (pid {}) since {}",
            clean(&self.role),
            clean(&self.host),
            self.pid,
            since_text(&self.since, Local::now())
        )
    }
}

/// `10:02:11` when `since` is on `now`'s day (in `now`'s zone), else with the date, so that a
/// holder from yesterday does not read as one from this morning.
pub(crate) fn since_text<Tz: TimeZone>(since: &str, now: DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let Ok(at) = DateTime::parse_from_rfc3339(since) else {
        return "an unknown time".into();
    };
    let at = at.with_timezone(&now.timezone());
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M:%S").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn clean(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_control())
        .take(FIELD_MAX)
        .collect();
    if s.is_empty() { "?".into() } else { s }
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The kernel's host name; `HOSTNAME` or `unknown host` where there is none to read.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> Holder {
        Holder {
            id: "694d7a1b2c".into(),
            role: "roster".into(),
            host: "host-b".into(),
            pid: 4242,
            since: "2026-12-01T10:02:11Z".into(),
        }
    }

    #[test]
    fn json_round_trips_and_garbage_reads_as_unknown() {
        let h = holder();
        assert_eq!(Holder::from_json(h.to_json().as_bytes()), h);
        let unknown = Holder::from_json(b"\xff not json");
        assert_eq!(unknown.pid, 0);
        assert_eq!(unknown.host, "unknown host");
    }

    #[test]
    fn since_shows_time_today_and_date_otherwise() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 18, 0, 0).unwrap();
        assert_eq!(since_text("2026-12-01T10:02:11Z", now), "10:02:11");
        assert_eq!(
            since_text("2026-11-30T10:02:11Z", now),
            "2026-11-30 10:02:11"
        );
        assert_eq!(since_text("yesterday", now), "an unknown time");
    }

    #[test]
    fn wording_names_role_host_pid_and_strips_control_characters() {
        let mut h = holder();
        let text = h.to_string();
        assert!(
            text.starts_with("roster on host-b (pid 4242) since "),
            "{text}"
        );
        h.host = "evil\x1b[2Jhost".into();
        h.role = "x".repeat(1000);
        let text = h.to_string();
        assert!(!text.contains('\x1b'), "{text:?}");
        assert!(text.len() < 400, "{}", text.len());
    }
}
