//! The `provider: learningcloud` part of a target: `token` and `synchronization`, refusing the
//! other providers' keys with their locations. Also the policy choices that differ for
//! learningCloud: its users can be deactivated, and its identities are usernames, not e-mails.
//!
//! Validation only: secrets are checked for presence, never read.

use super::raw::RawTarget;
use super::{ProviderConfig, Validator};

const PROVIDER: &str = "learningcloud";

/// Whether `protect:` entries are e-mails; learningCloud users are matched by username.
pub(super) fn protects_emails(provider: &str) -> bool {
    provider != PROVIDER
}

impl Validator<'_> {
    pub(super) fn learningcloud(&mut self, name: &str, r: &RawTarget) -> Option<ProviderConfig> {
        self.reject_foreign(name, PROVIDER, r, &["token", "synchronization"]);
        // The vendor documents asynchronous as the default (for its group services; the user
        // pages say nothing), so leaving the key out means asynchronous.
        let synchronous = match &r.synchronization {
            None => Some(false),
            Some(s) => match s.value.trim() {
                "synchronous" => Some(true),
                "asynchronous" => Some(false),
                other => {
                    self.err(
                        s,
                        format!(
                            "target {name}: unknown `synchronization` value {other:?} (expected synchronous or asynchronous)"
                        ),
                    );
                    None
                }
            },
        };
        let token = self.secret("token", r.token.as_ref(), &r.provider);
        Some(ProviderConfig::LearningCloud {
            token: token?,
            synchronous: synchronous?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{ProviderConfig, load};
    use crate::model::Unmanaged;

    fn write(dir: &Path, target: &str) -> std::path::PathBuf {
        let path = dir.join("roster.yaml");
        let text = format!(
            "manifests: users\ntargets:\n  academy:\n    provider: learningcloud\n    url: https://acme.learningcloud.me/integration/ws/management/rest\n{target}"
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_token_synchronization_and_policy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lc.token"), "t0k3n").unwrap();
        let path = write(
            dir.path(),
            "    token: { file: lc.token }\n    synchronization: synchronous\n    unmanaged: deactivate\n    protect: [Admin.User]\n",
        );
        let config = load(&path).unwrap();
        let t = &config.targets["academy"];
        assert!(matches!(
            t.provider,
            ProviderConfig::LearningCloud {
                synchronous: true,
                ..
            }
        ));
        assert_eq!(t.provider.kind(), "learningcloud");
        assert_eq!(t.policy.unmanaged, Unmanaged::Deactivate);
        assert!(t.policy.protect.contains("admin.user"));
    }

    #[test]
    fn asynchronous_by_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lc.token"), "t0k3n").unwrap();
        let path = write(dir.path(), "    token: { file: lc.token }\n");
        let config = load(&path).unwrap();
        assert!(matches!(
            config.targets["academy"].provider,
            ProviderConfig::LearningCloud {
                synchronous: false,
                ..
            }
        ));
    }

    #[test]
    fn every_problem_with_its_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "    token: { env: ROSTER_TEST_SURELY_UNSET_LC_TOKEN }\n    synchronization: sometimes\n    api_key: { env: X }\n    group_id: 3\n    unmanaged: disable\n",
        );
        let err = load(&path).unwrap_err().to_string();
        let lines: Vec<&str> = err.lines().map(|l| l.split_once(": ").unwrap().1).collect();
        assert_eq!(
            lines,
            [
                "token: environment variable ROSTER_TEST_SURELY_UNSET_LC_TOKEN is not set",
                "target academy: unknown `synchronization` value \"sometimes\" (expected synchronous or asynchronous)",
                "target academy: `api_key` is not a learningcloud setting",
                "target academy: `group_id` is not a learningcloud setting",
                "target academy: unknown `unmanaged` value \"disable\" (expected report, deactivate or delete)",
            ],
            "{err}"
        );
        assert!(err.contains("roster.yaml:6:"), "{err}");
    }

    #[test]
    fn xtracta_still_refuses_deactivate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.yaml");
        std::fs::write(
            &path,
            "manifests: users\ntargets:\n  acme:\n    provider: xtracta\n    url: https://api-app.xtracta.com/v1\n    api_key: { env: PATH }\n    group_id: 1\n    unmanaged: deactivate\n",
        )
        .unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains("xtracta users cannot be deactivated (use report or delete)"),
            "{err}"
        );
    }
}
