//! Small value parsers for config scalars: durations, URLs, secret references.
//!
//! Pure functions returning short lowercase messages; the caller adds the location.

use std::time::Duration;

/// `30s`, `500ms`, `2m`, `1h`, `7d`, or a bare number of seconds, from `min` to `max` (both
/// included); the message names both bounds. Never panics, whatever the text.
pub(crate) fn duration_in(text: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let secs = seconds(text)?;
    // Compared as seconds first, so that no length is ever too long to convert.
    if secs < min.as_secs_f64() || secs > max.as_secs_f64() {
        return Err(format!(
            "duration {text:?} is out of range ({} to {})",
            show(min),
            show(max)
        ));
    }
    Ok(Duration::try_from_secs_f64(secs).map_or(max, |d| d.clamp(min, max)))
}

/// The length `text` says, in seconds: finite and positive.
fn seconds(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {text:?} (expected e.g. 30s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => {
            return Err(format!(
                "invalid duration unit in {text:?} (use ms, s, m, h or d)"
            ));
        }
    };
    if !secs.is_finite() {
        return Err(format!("duration {text:?} is too long"));
    }
    if secs <= 0.0 {
        return Err(format!("duration {text:?} must be positive"));
    }
    Ok(secs)
}

/// `max_answer_size` when the config does not say.
pub(crate) const DEFAULT_ANSWER_SIZE: u64 = 64 << 20;

/// A size such as `64MiB`, `512KiB`, `1GiB` or a plain number of bytes, from 1 KiB to 4 GiB.
pub(crate) fn size(text: &str) -> Result<u64, String> {
    const MIN: u64 = 1 << 10;
    const MAX: u64 = 4 << 30;
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = (&t[..split], t[split..].trim());
    let invalid = || format!("invalid size {text:?} (expected e.g. 64MiB, 512KiB, 1GiB or bytes)");
    let unit = match unit {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(invalid()),
    };
    let bytes = num
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| {
            if num.is_empty() {
                invalid()
            } else {
                format!("size {text:?} must be from 1KiB to 4GiB")
            }
        })?;
    if !(MIN..=MAX).contains(&bytes) {
        return Err(format!("size {text:?} must be from 1KiB to 4GiB"));
    }
    Ok(bytes)
}

/// A duration as a person writes it in the config: `10ms`, `30s`, `2m`, `1h`.
pub(crate) fn show(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        _ if ms > 0 && ms.is_multiple_of(86_400_000) => format!("{}d", ms / 86_400_000),
        _ if ms > 0 && ms.is_multiple_of(3_600_000) => format!("{}h", ms / 3_600_000),
        _ if ms > 0 && ms.is_multiple_of(60_000) => format!("{}m", ms / 60_000),
        _ if ms > 0 && ms.is_multiple_of(1000) => format!("{}s", ms / 1000),
        _ => format!("{ms}ms"),
    }
}

/// An `http(s)` URL without credentials; plain `http` only to a loopback host. Messages
/// quote the URL with any `user:password@` masked.
pub(crate) fn vendor_url(text: &str) -> Result<reqwest::Url, String> {
    let shown = mask_userinfo(text.trim());
    let url =
        reqwest::Url::parse(text.trim()).map_err(|e| format!("invalid url {shown:?}: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "url {shown:?} carries credentials (user:password@): roster refuses them; use the target's secret keys"
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "plain http is refused for {shown:?}: use https (http is allowed only to loopback)"
        )),
        other => Err(format!("unsupported url scheme {other:?} in {shown:?}")),
    }
}

/// `text` with everything before the last `@` of its authority replaced by `***`, so that an
/// error never quotes a password, even from a URL that does not parse.
fn mask_userinfo(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &rest[at..]),
        None => text.to_string(),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The longest target name: it becomes a lock file's name and a metrics label.
pub(crate) const MAX_TARGET_NAME: usize = 64;

/// A target's name, which becomes a file name (`state_dir/<name>.lock`): not empty, no path
/// separators, no leading `.` (so neither `.` nor `..`), no spaces or control characters.
pub(crate) fn target_name(name: &str) -> Result<(), String> {
    let why = if name.is_empty() {
        "it is empty"
    } else if name.contains(['/', '\\']) {
        "it contains a path separator"
    } else if name.starts_with('.') {
        "it starts with '.'"
    } else if name.chars().any(|c| c.is_control()) {
        "it contains a control character"
    } else if name.chars().any(char::is_whitespace) {
        "it contains a space"
    } else if name.chars().count() > MAX_TARGET_NAME {
        "it is longer than 64 characters"
    } else {
        return Ok(());
    };
    Err(format!(
        "invalid target name {name:?}: {why} (the name becomes a file name)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duration(text: &str) -> Result<Duration, String> {
        duration_in(text, Duration::from_nanos(1), Duration::MAX)
    }

    #[test]
    fn durations() {
        assert_eq!(duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(duration("15").unwrap(), Duration::from_secs(15));
        assert_eq!(duration("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert_eq!(show(Duration::from_secs(2 * 86_400)), "2d");
        assert!(duration("0s").is_err());
        assert!(duration("3 days").is_err());
        assert!(duration("0.0000000001ms").is_err());
    }

    #[test]
    fn huge_durations_are_errors_not_panics() {
        let nines = "9".repeat(400);
        for text in [
            "99999999999999999999h",
            "1e400",
            &nines,
            "18446744073709551616",
        ] {
            let e =
                duration_in(text, Duration::from_millis(1), Duration::from_secs(3600)).unwrap_err();
            assert!(
                e.contains("out of range (1ms to 1h)")
                    || e.contains("invalid")
                    || e.contains("too long"),
                "{text}: {e}"
            );
        }
        assert!(duration(&nines).unwrap_err().contains("too long"));
    }

    #[test]
    fn ranges_include_both_bounds() {
        let (min, max) = (Duration::from_millis(10), Duration::from_secs(3600));
        assert_eq!(duration_in("10ms", min, max), Ok(min));
        assert_eq!(duration_in("1h", min, max), Ok(max));
        assert_eq!(duration_in("60m", min, max), Ok(max));
        assert_eq!(
            duration_in("9ms", min, max).unwrap_err(),
            "duration \"9ms\" is out of range (10ms to 1h)"
        );
        assert!(duration_in("3601s", min, max).is_err());
        assert_eq!(show(Duration::from_millis(1500)), "1500ms");
        assert_eq!(show(Duration::from_secs(120)), "2m");
    }

    #[test]
    fn credentials_in_urls_are_refused_without_echoing_them() {
        for text in [
            "https://bob:hunter2@api.vendor.example/v1",
            "https://hunter2@api.vendor.example/v1",
            "http://bob:hunter2@127.0.0.1:9/v1",
            "https://bob:hunter2@host:notaport/v1",
            "ftp://bob:hunter2@host/",
        ] {
            let e = vendor_url(text).unwrap_err();
            assert!(!e.contains("hunter2"), "{e}");
            assert!(!e.contains("bob"), "{e}");
        }
        let e = vendor_url("https://bob:hunter2@api.vendor.example/v1").unwrap_err();
        assert_eq!(
            e,
            "url \"https://***@api.vendor.example/v1\" carries credentials (user:password@): roster refuses them; use the target's secret keys"
        );
        assert!(vendor_url("https://api.vendor.example/v1?a=b@c").is_ok());
    }

    #[test]
    fn sizes() {
        assert_eq!(size("64MiB").unwrap(), 64 << 20);
        assert_eq!(size("512KiB").unwrap(), 512 << 10);
        assert_eq!(size(" 1 GiB ").unwrap(), 1 << 30);
        assert_eq!(size("4GiB").unwrap(), 4 << 30);
        assert_eq!(size("1048576").unwrap(), 1 << 20);
        assert_eq!(size("1024B").unwrap(), 1024);
        for (bad, why) in [
            ("1023", "must be from 1KiB to 4GiB"),
            ("5GiB", "must be from 1KiB to 4GiB"),
            ("0", "must be from 1KiB to 4GiB"),
            ("99999999999999999999999GiB", "must be from 1KiB to 4GiB"),
            ("18446744073709551615GiB", "must be from 1KiB to 4GiB"),
            ("64MB", "invalid size"),
            ("1.5GiB", "invalid size"),
            ("-1", "invalid size"),
            ("MiB", "invalid size"),
            ("", "invalid size"),
        ] {
            let e = size(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn http_only_to_loopback() {
        assert!(vendor_url("http://127.0.0.1:9/v1").is_ok());
        assert!(vendor_url("http://localhost/v1").is_ok());
        assert!(vendor_url("http://[::1]:8/v1").is_ok());
        assert!(vendor_url("https://api.vendor.example/v1").is_ok());
        let e = vendor_url("http://api.vendor.example/v1").unwrap_err();
        assert!(e.contains("plain http is refused"), "{e}");
    }

    #[test]
    fn target_names_that_are_not_file_names_are_refused() {
        for ok in ["acme", "robots-org", "a.b", "a..b", "münchen_2"] {
            assert_eq!(target_name(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("", "it is empty"),
            ("../etc", "path separator"),
            ("a/b", "path separator"),
            ("a\\b", "path separator"),
            ("..", "starts with '.'"),
            (".", "starts with '.'"),
            (".hidden", "starts with '.'"),
            ("a\u{1b}[2J", "control character"),
            ("a\0b", "control character"),
            ("a b", "a space"),
            (&"x".repeat(65), "longer than 64"),
        ] {
            let e = target_name(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
            assert!(!e.contains('\u{1b}'), "{e}");
        }
    }
}
