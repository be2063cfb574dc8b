//! From the validated `coordination.etcd` section to [`EtcdSettings`]: the secrets (user name,
//! password) read now, the file paths kept for the connection to read.

use std::path::Path;

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::config::coordination::EtcdConfig;

use super::settings::{EtcdSettings, TlsFiles};

impl EtcdSettings {
    /// The settings `config` describes; reads the user's secrets (relative files from `base`).
    pub fn from_config(config: &EtcdConfig, base: &Path) -> anyhow::Result<EtcdSettings> {
        let mut s = EtcdSettings::new(config.endpoints.clone(), &config.prefix, config.lease_ttl);
        s.tls = config.ca.as_ref().map(|ca| TlsFiles {
            ca: ca.clone(),
            client: config.client_cert.clone(),
        });
        if let Some((user, password)) = &config.user {
            let user = user
                .resolve(base)
                .context("coordination.etcd: username")?
                .expose_secret()
                .to_string();
            let password = password
                .resolve(base)
                .context("coordination.etcd: password")?;
            s.user = Some((user, password));
        }
        Ok(s)
    }
}
