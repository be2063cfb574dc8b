//! Small value parsers for config scalars: durations, URLs, secret references.
//!
//! Pure functions returning short lowercase messages; the caller adds the location.

use std::time::Duration;

/// `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
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
        _ => {
            return Err(format!(
                "invalid duration unit in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("duration {text:?} must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
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

/// An `http(s)` URL; plain `http` only to a loopback host.
pub(crate) fn vendor_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text.trim()).map_err(|e| format!("invalid url {text:?}: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "plain http is refused for {text:?}: use https (http is allowed only to loopback)"
        )),
        other => Err(format!("unsupported url scheme {other:?} in {text:?}")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(duration("15").unwrap(), Duration::from_secs(15));
        assert!(duration("0s").is_err());
        assert!(duration("3 days").is_err());
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
        assert!(vendor_url("https://api-app.xtracta.com/v1").is_ok());
        let e = vendor_url("http://api-app.xtracta.com/v1").unwrap_err();
        assert!(e.contains("plain http is refused"), "{e}");
    }
}
