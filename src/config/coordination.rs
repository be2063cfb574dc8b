//! The `coordination:` section: who may apply a target when several roster processes on
//! several hosts share the targets. Today one backend, etcd: its endpoints, the key prefix, the
//! lease TTL, TLS files and a user as secret references, each checked with its location.
//!
//! Validation only: connects to nothing, reads no secret (presence only).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::diag::Problem;
use crate::model::Origin;
use crate::secret::SecretRef;
use crate::vendor::read;
use crate::yaml::{Keys, Node};

use super::parse;

/// How the daemons and one-shot runs coordinate.
#[derive(Clone, Debug, PartialEq)]
pub struct Coordination {
    pub etcd: EtcdConfig,
}

/// `coordination.etcd`, validated; secrets as references.
#[derive(Clone, Debug, PartialEq)]
pub struct EtcdConfig {
    pub origin: Origin,
    /// `http(s)://host:port`, one scheme for all.
    pub endpoints: Vec<String>,
    /// Every key roster writes lives below it, e.g. `/roster/acme`.
    pub prefix: String,
    /// How long a dead process keeps its targets: whole seconds, 2 s to 5 min.
    pub lease_ttl: Duration,
    /// The CA of the members' certificates (required with https endpoints), relative to the
    /// config's folder.
    pub ca: Option<std::path::PathBuf>,
    /// This client's certificate and key, for etcd's `--client-cert-auth`.
    pub client_cert: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// etcd's own authentication.
    pub user: Option<(SecretRef, SecretRef)>,
}

/// The lease TTL when the config does not say.
pub(crate) const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(10);
const LEASE_TTL: (Duration, Duration) = (Duration::from_secs(2), Duration::from_secs(300));

const KEYS: &[&str] = &[
    "endpoints",
    "prefix",
    "lease_ttl",
    "ca",
    "cert",
    "key",
    "username",
    "password",
];

/// Reads `coordination:`; every problem is pushed.
pub(super) fn read(
    file: &Arc<str>,
    base: &Path,
    node: &Spanned<Node>,
    problems: &mut Vec<Problem>,
) -> Option<Coordination> {
    let mut keys = match Keys::new(file, node) {
        Ok(k) => k,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let etcd = match keys.keys("etcd") {
        Some(mut e) => {
            let etcd = etcd(&mut e, base);
            keys.absorb(e.finish(KEYS, &|_| None));
            etcd
        }
        None => {
            if !keys.has("etcd") {
                keys.missing("etcd");
            }
            None
        }
    };
    problems.extend(keys.finish(&["etcd"], &|_| None));
    Some(Coordination { etcd: etcd? })
}

fn etcd(keys: &mut Keys<'_>, base: &Path) -> Option<EtcdConfig> {
    let origin = keys.origin().clone();
    let endpoints = keys.text_list("endpoints");
    if endpoints.is_none() && !keys.has("endpoints") {
        keys.missing("endpoints");
    }
    let mut ok = endpoints.is_some();
    let endpoints: Vec<_> = endpoints.map(|l| l.value).unwrap_or_default();
    if endpoints.is_empty() && ok {
        keys.push(Problem::at(
            origin.clone(),
            "coordination.etcd: no endpoints",
        ));
        ok = false;
    }
    for e in &endpoints {
        if let Err(why) = endpoint(&e.value) {
            keys.push(Problem::at(
                e.origin.clone(),
                format!("coordination.etcd: {why}"),
            ));
            ok = false;
        }
    }
    let https = endpoints.iter().any(|e| e.value.starts_with("https://"));
    if https && endpoints.iter().any(|e| e.value.starts_with("http://")) {
        let message = "coordination.etcd: endpoints mix http:// and https://; use one scheme";
        keys.push(Problem::at(origin.clone(), message));
        ok = false;
    }
    let prefix = keys.required_text("prefix").and_then(|p| {
        let v = p.value.trim_end_matches('/');
        if v.starts_with('/') && v.len() > 1 && !v.contains("//") {
            Some(v.to_string())
        } else {
            let message = format!(
                "coordination.etcd: prefix {:?} must start with / and name a folder, e.g. /roster/acme",
                p.value
            );
            keys.push(Problem::at(p.origin, message));
            None
        }
    });
    let lease_ttl = match keys.scalar("lease_ttl") {
        None => Some(DEFAULT_LEASE_TTL),
        Some(t) => match parse::duration_in(&t.value, LEASE_TTL.0, LEASE_TTL.1) {
            Ok(d) if d.subsec_nanos() == 0 => Some(d),
            Ok(_) => {
                let message = "coordination.etcd: lease_ttl: must be whole seconds";
                keys.push(Problem::at(t.origin, message));
                None
            }
            Err(e) => {
                let message = format!("coordination.etcd: lease_ttl: {e}");
                keys.push(Problem::at(t.origin, message));
                None
            }
        },
    };
    let path = |keys: &mut Keys<'_>, key: &str| keys.text(key).map(|p| base.join(p.value));
    let ca = path(keys, "ca");
    let cert = path(keys, "cert");
    let key = path(keys, "key");
    if https && ca.is_none() {
        let message = "coordination.etcd: `ca` is needed with https:// endpoints";
        keys.push(Problem::at(origin.clone(), message));
        ok = false;
    }
    let client_cert = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => {
            let message = "coordination.etcd: `cert` and `key` go together";
            keys.push(Problem::at(origin.clone(), message));
            ok = false;
            None
        }
    };
    let user = user(keys, base, &origin);
    if !ok {
        return None;
    }
    Some(EtcdConfig {
        origin,
        endpoints: endpoints.into_iter().map(|e| e.value).collect(),
        prefix: prefix?,
        lease_ttl: lease_ttl?,
        ca,
        client_cert,
        user: user?,
    })
}

/// `username` and `password`, both secret references, or neither. `None` when invalid.
fn user(
    keys: &mut Keys<'_>,
    base: &Path,
    origin: &Origin,
) -> Option<Option<(SecretRef, SecretRef)>> {
    let secret = |keys: &mut Keys<'_>, key: &str| {
        let v = keys.get(key)?;
        let (r, problems) = read::secret_value(&v, key, base);
        keys.absorb(problems);
        Some(r)
    };
    match (secret(keys, "username"), secret(keys, "password")) {
        (None, None) => Some(None),
        (Some(Some(u)), Some(Some(p))) => Some(Some((u, p))),
        (Some(_), None) | (None, Some(_)) => {
            let message = "coordination.etcd: `username` and `password` go together";
            keys.push(Problem::at(origin.clone(), message));
            None
        }
        _ => None,
    }
}

/// `http(s)://host:port` with nothing after the port.
fn endpoint(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("endpoint {text:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "endpoint {text:?} must start with http:// or https://"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "endpoint {:?} carries credentials: use `username` and `password`",
            url.host_str().unwrap_or("")
        ));
    }
    if url.host_str().is_none() || url.port_or_known_default().is_none() {
        return Err(format!("endpoint {text:?} needs a host and a port"));
    }
    if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
        return Err(format!(
            "endpoint {text:?}: no path or query, only host and port"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (Option<Coordination>, Vec<String>) {
        let node: Spanned<Node> = serde_saphyr::from_str(text).unwrap();
        let mut problems = Vec::new();
        let c = read(
            &"roster.yaml".into(),
            Path::new("/etc/roster"),
            &node,
            &mut problems,
        );
        (c, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_plain_cluster_with_defaults() {
        let (c, problems) = read_text(
            "etcd:\n  endpoints: [http://127.0.0.1:2379, http://127.0.0.1:22379]\n  prefix: /roster/acme/\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let e = c.unwrap().etcd;
        assert_eq!(e.prefix, "/roster/acme");
        assert_eq!(e.lease_ttl, DEFAULT_LEASE_TTL);
        assert_eq!(e.endpoints.len(), 2);
    }

    #[test]
    fn tls_files_and_a_user_as_secrets() {
        let (c, problems) = read_text(
            "etcd:\n  endpoints: [https://etcd-1:2379]\n  prefix: /r\n  lease_ttl: 15s\n  ca: ca.pem\n  cert: c.pem\n  key: k.pem\n  username: { env: PATH }\n  password: { env: PATH }\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let e = c.unwrap().etcd;
        assert_eq!(e.ca.unwrap(), Path::new("/etc/roster/ca.pem"));
        assert_eq!(e.lease_ttl, Duration::from_secs(15));
        assert!(e.client_cert.is_some() && e.user.is_some());
    }

    #[test]
    fn every_problem_is_located() {
        let (c, problems) = read_text(
            "etcd:\n  endpoints: [https://etcd-1:2379, http://etcd-2, ftp://x:1, 'http://u:p@h:1']\n  prefix: roster\n  lease_ttl: 1s\n  cert: c.pem\n  username: { env: PATH }\n  surprise: 1\n",
        );
        assert!(c.is_none());
        let joined = problems.join("\n");
        for expected in [
            "roster.yaml:2:51: coordination.etcd: endpoint \"ftp://x:1\" must start with http:// or https://",
            "roster.yaml:2:62: coordination.etcd: endpoint \"h\" carries credentials",
            "coordination.etcd: endpoints mix http:// and https://",
            "roster.yaml:3:11: coordination.etcd: prefix \"roster\" must start with /",
            "roster.yaml:4:14: coordination.etcd: lease_ttl: duration \"1s\" is out of range (2s to 5m)",
            "coordination.etcd: `ca` is needed with https:// endpoints",
            "coordination.etcd: `cert` and `key` go together",
            "coordination.etcd: `username` and `password` go together",
            "roster.yaml:7:3: unknown field `surprise`",
        ] {
            assert!(
                joined.contains(expected),
                "missing {expected:?} in\n{joined}"
            );
        }
        assert!(!joined.contains(":p@"), "{joined}");
    }
}
