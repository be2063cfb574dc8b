//! The `daemon:` section of the config: schedule and time zone, mode, listen address and
//! debounce, each checked with its location.
//!
//! Validation only: starts nothing, binds nothing.

use std::time::Duration;

use serde_saphyr::Spanned;

use super::raw::RawDaemon;
use super::{DaemonConfig, Validator, parse};
use crate::schedule::{Schedule, ScheduleError};

/// The shortest and longest `debounce`.
pub(crate) const DEBOUNCE: (Duration, Duration) =
    (Duration::from_millis(10), Duration::from_secs(3600));

impl Validator<'_> {
    /// `daemon:`; its `timezone` defaults to the config's top-level `timezone`.
    pub(super) fn daemon(
        &mut self,
        raw: Option<&Spanned<RawDaemon>>,
        zone: Option<&Spanned<String>>,
    ) -> DaemonConfig {
        let mut d = DaemonConfig {
            timezone: zone
                .map(|z| z.value.trim().to_string())
                .filter(|z| z.parse::<chrono_tz::Tz>().is_ok()),
            ..DaemonConfig::default()
        };
        let Some(raw) = raw else { return d };
        let r = &raw.value;
        if let Some(s) = &r.schedule {
            d.schedule = s.value.trim().to_string();
        }
        if let Some(s) = &r.timezone {
            d.timezone = Some(s.value.trim().to_string());
        }
        match Schedule::parse(&d.schedule, d.timezone.as_deref()) {
            Err(e @ ScheduleError::TimeZone(_)) => match &r.timezone {
                Some(tz) => self.err(tz, format!("daemon: {e}")),
                None => self.err(raw, format!("daemon: {e}")),
            },
            Err(e) => match &r.schedule {
                Some(s) => self.err(s, format!("daemon: {e}")),
                None => self.err(raw, format!("daemon: {e}")),
            },
            Ok(s) if s.next_after(chrono::Utc::now()).is_none() => {
                let e = format!("daemon: schedule {:?} never fires", d.schedule);
                match &r.schedule {
                    Some(s) => self.err(s, e),
                    None => self.err(raw, e),
                }
            }
            Ok(_) => {}
        }
        if let Some(s) = &r.mode {
            match s.value.as_str() {
                "apply" => d.apply = true,
                "plan" => d.apply = false,
                other => self.err(
                    s,
                    format!("daemon: unknown mode {other:?} (expected apply or plan)"),
                ),
            }
        }
        if let Some(s) = &r.listen {
            if s.value.parse::<std::net::SocketAddr>().is_err() {
                self.err(
                    s,
                    format!(
                        "daemon: invalid listen address {:?} (expected e.g. 127.0.0.1:9464)",
                        s.value
                    ),
                );
            }
            d.listen = s.value.clone();
        }
        if let Some(s) = &r.debounce {
            match parse::duration_in(&s.value, DEBOUNCE.0, DEBOUNCE.1) {
                Ok(v) => d.debounce = v,
                Err(e) => self.err(s, format!("daemon: debounce: {e}")),
            }
        }
        d
    }
}
