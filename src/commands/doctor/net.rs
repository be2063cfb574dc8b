//! Doctor's checks of the way to a target's host, before any request: the name resolves
//! (DNS), a TCP connection opens, and for https a TLS handshake succeeds with a certificate this
//! host trusts (`tls`). Each is given the target's `timeout`.
//!
//! Vendor-neutral: it knows a URL, never a vendor. It sends no request and no credential.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::net::TcpStream;

use super::tls;
use crate::vendor::doctor::Check;

/// The checks, and whether the host can be reached (later checks need it).
pub(super) async fn checks(url: &Url, timeout: Duration) -> (Vec<Check>, bool) {
    let mut out = Vec::new();
    let proxy = proxy(url);
    let Some(host) = url
        .host_str()
        .map(|h| h.trim_matches(['[', ']']).to_string())
    else {
        out.push(Check::fail("dns", "the url has no host", "fix `url`"));
        return (out, false);
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = match resolve(&host, port, timeout).await {
        Ok((addrs, literal)) => {
            let shown: Vec<String> = addrs.iter().take(4).map(|a| a.ip().to_string()).collect();
            let detail = if literal {
                format!("{host} is an address: nothing to resolve")
            } else {
                format!("{host} resolves to {}", shown.join(", "))
            };
            out.push(Check::ok("dns", detail));
            addrs
        }
        Err(why) => {
            out.push(unreachable(
                "dns",
                format!("cannot resolve {host}: {why}"),
                "check the host name in `url` and this machine's DNS (/etc/resolv.conf)",
                proxy.as_deref(),
            ));
            return (out, proxy.is_some());
        }
    };
    let (stream, check) = connect(&addrs, timeout).await;
    let reachable = stream.is_some();
    out.push(match check {
        Ok(detail) => Check::ok("tcp", detail),
        Err(detail) => unreachable(
            "tcp",
            detail,
            "check that the vendor is reachable from here: the port in `url`, firewalls, a proxy",
            proxy.as_deref(),
        ),
    });
    let Some(stream) = stream else {
        return (out, proxy.is_some());
    };
    if url.scheme() != "https" {
        out.push(Check::ok(
            "tls",
            "not used: plain http, which roster allows only to loopback (a simulator)",
        ));
        return (out, reachable);
    }
    let check = tls::check(stream, &host, timeout).await;
    let ok = check.status != crate::vendor::doctor::Status::Fail;
    out.push(check);
    (out, ok || proxy.is_some())
}

/// A failure to reach the host, or only a warning when roster's requests go through a proxy.
fn unreachable(check: &str, detail: String, fix: &str, proxy: Option<&str>) -> Check {
    match proxy {
        Some(var) => Check::warn(
            check,
            format!("{detail} (directly; roster's requests go through the proxy in ${var})"),
            "if the requests below fail too, check the proxy",
        ),
        None => Check::fail(check, detail, fix),
    }
}

async fn resolve(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<(Vec<SocketAddr>, bool), String> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok((vec![SocketAddr::new(ip, port)], true));
    }
    match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
        Err(_) => Err(format!(
            "no answer within {}",
            super::report::duration(timeout)
        )),
        Ok(Err(e)) => Err(crate::vendor::clean::line(&e.to_string())),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err("no addresses".into())
            } else {
                Ok((addrs, false))
            }
        }
    }
}

/// The first address that accepts a connection, with the check's detail.
async fn connect(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> (Option<TcpStream>, Result<String, String>) {
    let mut last = String::new();
    for addr in addrs.iter().take(4) {
        let start = Instant::now();
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let took = super::report::duration(start.elapsed());
                return (Some(stream), Ok(format!("connected to {addr} in {took}")));
            }
            Ok(Err(e)) => last = format!("cannot connect to {addr}: {}", e.kind()),
            Err(_) => {
                let within = super::report::duration(timeout);
                last = format!("cannot connect to {addr}: no answer within {within}");
            }
        }
    }
    (None, Err(last))
}

/// The environment variable naming a proxy for `url`, when one is set and `NO_PROXY` does not
/// exempt the host.
fn proxy(url: &Url) -> Option<String> {
    let names: &[&str] = if url.scheme() == "https" {
        &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    let set = names
        .iter()
        .find(|n| std::env::var(n).is_ok_and(|v| !v.trim().is_empty()))?;
    let host = url.host_str().unwrap_or_default();
    let exempt = ["NO_PROXY", "no_proxy"].iter().any(|n| {
        std::env::var(n).is_ok_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|e| e == "*" || (!e.is_empty() && host.ends_with(e.trim_start_matches('.'))))
        })
    });
    (!exempt).then(|| (*set).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_port_fails_tcp_and_stops_there() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url: Url = format!("http://127.0.0.1:{port}/v1").parse().unwrap();
        let (checks, reachable) = checks(&url, Duration::from_secs(2)).await;
        assert!(!reachable);
        let names: Vec<(&str, &str)> = checks
            .iter()
            .map(|c| (c.check.as_str(), c.status.word()))
            .collect();
        assert_eq!(names, [("dns", "ok"), ("tcp", "fail")]);
        assert!(
            checks[1].detail.contains("connection refused"),
            "{:?}",
            checks[1]
        );
    }

    #[tokio::test]
    async fn an_open_port_on_plain_http_needs_no_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url: Url = format!("http://{}/v1", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        let (checks, reachable) = checks(&url, Duration::from_secs(2)).await;
        assert!(reachable);
        assert_eq!(checks.len(), 3);
        assert!(checks[2].detail.starts_with("not used: plain http"));
    }
}
