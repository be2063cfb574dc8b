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
    fn http_only_to_loopback() {
        assert!(vendor_url("http://127.0.0.1:9/v1").is_ok());
        assert!(vendor_url("http://localhost/v1").is_ok());
        assert!(vendor_url("http://[::1]:8/v1").is_ok());
        assert!(vendor_url("https://api-app.xtracta.com/v1").is_ok());
        let e = vendor_url("http://api-app.xtracta.com/v1").unwrap_err();
        assert!(e.contains("plain http is refused"), "{e}");
    }
}
