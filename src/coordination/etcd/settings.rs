//! How to reach etcd: [`EtcdSettings`] (already resolved from the config, secrets included) and
//! [`Etcd`], a connected client with the key layout.
//!
//! Every connection has a connect timeout, a per-request timeout and HTTP/2 keep-alives set, so
//! that no call can hang; requests also ask for a member that has a leader, so that a member cut
//! off from its cluster refuses at once instead of answering from stale state. This module reads
//! the TLS files and nothing else.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};
use secrecy::{ExposeSecret, SecretString};

use super::error::EtcdError;
use super::keys::Keys;

/// The largest TLS file read: certificates and CA bundles are a few KiB.
const TLS_FILE_MAX: u64 = 1024 * 1024;

/// The shortest lease etcd grants with its default election timeout; shorter TTLs are raised
/// to it silently, which would make the local deadline wrong.
pub(crate) const MIN_LEASE_TTL: Duration = Duration::from_secs(2);

/// Where and how to reach etcd, and how long a dead process keeps its targets.
#[derive(Debug, Clone)]
pub struct EtcdSettings {
    /// `http://host:port` or `https://host:port`, all with the same scheme.
    pub endpoints: Vec<String>,
    /// Every key roster writes lives below it, e.g. `/roster/acme`.
    pub prefix: String,
    /// Whole seconds, at least 2.
    pub lease_ttl: Duration,
    /// Required with `https` endpoints, refused with `http` ones.
    pub tls: Option<TlsFiles>,
    /// etcd's own authentication (user name, password).
    pub user: Option<(String, SecretString)>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// PEM files for TLS to etcd: the CA that signed the members' certificates and, for etcd's
/// `--client-cert-auth`, this client's certificate and key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub client: Option<(PathBuf, PathBuf)>,
}

impl EtcdSettings {
    /// Settings with the default timeouts (connect 3 s, request 5 s), no TLS, no user.
    pub fn new(endpoints: Vec<String>, prefix: &str, lease_ttl: Duration) -> EtcdSettings {
        EtcdSettings {
            endpoints,
            prefix: prefix.to_string(),
            lease_ttl,
            tls: None,
            user: None,
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(5),
        }
    }

    /// Every problem the settings have, in one message each.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.endpoints.is_empty() {
            problems.push("endpoints: at least one is needed".to_string());
        }
        let https = self.endpoints.iter().filter(|e| e.starts_with("https://"));
        let http = self.endpoints.iter().filter(|e| e.starts_with("http://"));
        let (https, http) = (https.count(), http.count());
        for e in &self.endpoints {
            if !(e.starts_with("https://") || e.starts_with("http://")) {
                problems.push(format!(
                    "endpoints: {e:?} must start with http:// or https://"
                ));
            }
        }
        if https > 0 && http > 0 {
            problems.push("endpoints: mix http:// and https://; use one scheme".into());
        }
        if https > 0 && self.tls.is_none() {
            problems.push("tls.ca: needed with https:// endpoints".into());
        }
        if http > 0 && https == 0 && self.tls.is_some() {
            problems.push("tls: given, but the endpoints are http://".into());
        }
        let p = self.prefix.trim_end_matches('/');
        if !p.starts_with('/') || p.len() < 2 {
            problems.push(format!(
                "prefix: {:?} must start with / and name a folder, e.g. /roster/acme",
                self.prefix
            ));
        }
        if self.lease_ttl < MIN_LEASE_TTL || self.lease_ttl.subsec_nanos() != 0 {
            problems.push("lease_ttl: must be whole seconds, at least 2s".into());
        }
        if self.connect_timeout.is_zero() || self.request_timeout.is_zero() {
            problems.push("timeouts must be above zero".into());
        }
        problems
    }
}

/// A connected etcd client and the key layout of one installation.
#[derive(Clone)]
pub struct Etcd {
    pub(crate) client: Client,
    pub(crate) keys: Keys,
    pub(crate) request_timeout: Duration,
}

impl Etcd {
    /// Connects (lazily: members are dialled on first use, except to authenticate a user).
    pub async fn connect(settings: &EtcdSettings) -> Result<Etcd, EtcdError> {
        if let Some(problem) = settings.problems().into_iter().next() {
            return Err(EtcdError::Settings(problem));
        }
        let mut options = ConnectOptions::new()
            .with_connect_timeout(settings.connect_timeout)
            .with_timeout(settings.request_timeout)
            .with_keep_alive(Duration::from_secs(2), settings.request_timeout)
            .with_require_leader(true);
        if let Some(tls) = &settings.tls {
            options = options.with_tls(tls_options(tls)?);
        }
        if let Some((name, password)) = &settings.user {
            options = options
                .with_user(name.clone(), password.expose_secret().to_string())
                .with_auto_token_refresh(true);
        }
        let budget = settings.connect_timeout + settings.request_timeout;
        let client = super::call::once(
            "connect",
            budget,
            Client::connect(&settings.endpoints, Some(options)),
        )
        .await?;
        Ok(Etcd {
            client,
            keys: Keys::new(&settings.prefix),
            request_timeout: settings.request_timeout,
        })
    }
}

fn tls_options(tls: &TlsFiles) -> Result<TlsOptions, EtcdError> {
    let mut options = TlsOptions::new().ca_certificate(Certificate::from_pem(read_pem(&tls.ca)?));
    if let Some((cert, key)) = &tls.client {
        options = options.identity(Identity::from_pem(read_pem(cert)?, read_pem(key)?));
    }
    Ok(options)
}

/// Reads a regular file of at most [`TLS_FILE_MAX`] bytes (a FIFO would block, a device
/// could be endless).
fn read_pem(path: &Path) -> Result<Vec<u8>, EtcdError> {
    let fail = |reason: String| EtcdError::File {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.kind().to_string().to_lowercase()))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(TLS_FILE_MAX + 1).read_to_end(&mut bytes))
        .map_err(|e| fail(e.kind().to_string().to_lowercase()))?;
    if bytes.len() as u64 > TLS_FILE_MAX {
        return Err(fail(format!("larger than {TLS_FILE_MAX} bytes")));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(endpoints: &[&str]) -> EtcdSettings {
        EtcdSettings::new(
            endpoints.iter().map(|e| e.to_string()).collect(),
            "/roster/acme",
            Duration::from_secs(10),
        )
    }

    #[test]
    fn good_settings_have_no_problems() {
        assert!(settings(&["http://127.0.0.1:2379"]).problems().is_empty());
    }

    #[test]
    fn every_problem_is_reported() {
        let mut s = settings(&["https://a:2379", "http://b:2379", "c:2379"]);
        s.prefix = "roster".into();
        s.lease_ttl = Duration::from_millis(1500);
        let problems = s.problems().join("\n");
        for needle in [
            "\"c:2379\" must start with",
            "mix http:// and https://",
            "tls.ca: needed",
            "prefix: \"roster\"",
            "lease_ttl",
        ] {
            assert!(problems.contains(needle), "{needle} in {problems}");
        }
        let mut s = settings(&["http://a:2379"]);
        s.tls = Some(TlsFiles {
            ca: "ca.pem".into(),
            client: None,
        });
        assert_eq!(s.problems(), ["tls: given, but the endpoints are http://"]);
        assert_eq!(settings(&[]).problems().len(), 1);
    }

    #[test]
    fn tls_files_must_be_small_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_pem(dir.path()).unwrap_err().to_string();
        assert!(err.ends_with("not a regular file"), "{err}");
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'a'; TLS_FILE_MAX as usize + 1]).unwrap();
        let err = read_pem(&big).unwrap_err().to_string();
        assert!(err.contains("larger than"), "{err}");
        let err = read_pem(&dir.path().join("missing.pem"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.pem: entity not found"), "{err}");
    }
}
