//! Doctor's TLS check: the handshake roster's requests make (rustls with aws-lc-rs and the
//! platform's certificate verifier, as reqwest builds them), made on its own so that a failure
//! says what failed (an untrusted or expired certificate, a name that does not match, no
//! common protocol), and a success says the protocol, the cipher suite and how long the
//! certificate is valid.
//!
//! Reads the certificate's `notAfter` with a small DER reader; it sends nothing but the
//! handshake.

use std::sync::Arc;
use std::time::Duration;

use rustls_platform_verifier::BuilderVerifierExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, crypto};

use crate::vendor::doctor::Check;

/// A certificate that ends sooner than this gets a warning.
const SOON: i64 = 14;

pub(super) async fn check(stream: TcpStream, host: &str, timeout: Duration) -> Check {
    let provider = Arc::new(crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())
        .and_then(|b| b.with_platform_verifier().map_err(|e| e.to_string()));
    let config = match config {
        Ok(b) => b.with_no_client_auth(),
        Err(e) => return Check::fail("tls", format!("no TLS set-up: {e}"), "report this"),
    };
    let Ok(name) = ServerName::try_from(host.to_string()) else {
        return Check::fail(
            "tls",
            format!("{host:?} is not a TLS server name"),
            "fix `url`",
        );
    };
    let connector = TlsConnector::from(Arc::new(config));
    let tls = match tokio::time::timeout(timeout, connector.connect(name, stream)).await {
        Err(_) => {
            let within = super::report::duration(timeout);
            return Check::fail(
                "tls",
                format!("no TLS handshake within {within}"),
                "check that the port in `url` serves https",
            );
        }
        Ok(Err(e)) => return failed(host, &e.to_string()),
        Ok(Ok(tls)) => tls,
    };
    let (_, conn) = tls.get_ref();
    let version = conn
        .protocol_version()
        .and_then(|v| v.as_str())
        .unwrap_or("TLS")
        .replace('_', " ")
        .replace("TLSv1 ", "TLS 1.")
        .replace("TLSv1", "TLS 1.");
    let suite = conn
        .negotiated_cipher_suite()
        .and_then(|s| s.suite().as_str())
        .unwrap_or("an unnamed cipher suite");
    let days = conn
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| not_after(c.as_ref()))
        .map(|end| (end - chrono::Utc::now()).num_days());
    let mut detail = format!("{version}, {suite}; the certificate for {host} is trusted");
    match days {
        Some(d) if d < SOON => {
            detail.push_str(&format!(" but expires in {d} days"));
            Check::warn(
                "tls",
                detail,
                "tell the vendor (or whoever runs the endpoint) that its certificate expires soon",
            )
        }
        Some(d) => {
            detail.push_str(&format!(" for {d} more days"));
            Check::ok("tls", detail)
        }
        None => Check::ok("tls", detail),
    }
}

fn failed(host: &str, why: &str) -> Check {
    let why = crate::vendor::clean::line(why);
    let untrusted = [
        "UnknownIssuer",
        "CaUsedAsEndEntity",
        "not trusted",
        "self-signed",
    ];
    let fix = if untrusted.iter().any(|w| why.contains(w)) {
        "this host does not trust the certificate's issuer: if a proxy inspects TLS, add its CA to the system's store; otherwise `url` may point to the wrong host"
    } else if why.contains("Expired") || why.contains("expired") {
        "the certificate has expired: tell the vendor, or check this host's clock"
    } else if why.contains("NotValidForName") || why.contains("not valid for") {
        "the certificate is for another name: check the host in `url`"
    } else {
        "check that `url` names the vendor's https endpoint"
    };
    Check::fail("tls", format!("TLS with {host} failed: {why}"), fix)
}

/// One DER element: its tag, its content and what follows it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// A certificate's `notAfter`: Certificate → TBSCertificate → (version?, serial, signature,
/// issuer, validity) → notAfter.
fn not_after(der: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let (_, cert, _) = element(der)?;
    let (_, mut tbs, _) = element(cert)?;
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs)?.2;
    }
    for _ in 0..3 {
        tbs = element(tbs)?.2;
    }
    let (_, validity, _) = element(tbs)?;
    let (_, _, rest) = element(validity)?;
    let (tag, time, _) = element(rest)?;
    let text = std::str::from_utf8(time).ok()?;
    let text = match tag {
        // UTCTime: two-digit years, 50 and over in the 1900s (RFC 5280).
        0x17 if text.len() == 13 => {
            let century = if text[..2].parse::<u32>().ok()? >= 50 {
                "19"
            } else {
                "20"
            };
            format!("{century}{text}")
        }
        0x18 if text.len() == 15 => text.to_string(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(&text, "%Y%m%d%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER element of `tag` holding `content`.
    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.extend([0x82, (content.len() >> 8) as u8, content.len() as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    fn cert(not_after: (u8, &str)) -> Vec<u8> {
        let validity = [
            der(0x17, b"240101000000Z"),
            der(not_after.0, not_after.1.as_bytes()),
        ]
        .concat();
        let tbs = [
            der(0xa0, &der(0x02, &[2])),
            der(0x02, &[1; 200]),
            der(0x30, &[]),
            der(0x30, &[]),
            der(0x30, &validity),
        ]
        .concat();
        der(0x30, &[der(0x30, &tbs), der(0x30, &[])].concat())
    }

    #[test]
    fn not_after_is_read_in_both_time_forms() {
        let utc = not_after(&cert((0x17, "300615120000Z"))).unwrap();
        assert_eq!(utc.to_rfc3339(), "2030-06-15T12:00:00+00:00");
        let general = not_after(&cert((0x18, "20991231235959Z"))).unwrap();
        assert_eq!(general.to_rfc3339(), "2099-12-31T23:59:59+00:00");
        assert_eq!(not_after(&cert((0x17, "bad"))), None);
        for junk in [
            &b""[..],
            &[0x30],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x05, 1],
        ] {
            assert_eq!(not_after(junk), None);
        }
    }

    #[test]
    fn failures_say_what_to_do() {
        let c = failed("h", "invalid peer certificate: UnknownIssuer");
        assert!(
            c.fix
                .unwrap()
                .contains("does not trust the certificate's issuer")
        );
        let c = failed("h", "invalid peer certificate: Expired");
        assert!(c.fix.unwrap().contains("has expired"));
    }
}
