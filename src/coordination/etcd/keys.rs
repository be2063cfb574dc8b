//! The key layout below the configured prefix (pure; see the parent module for the layout).

/// The keys of one roster installation, all below `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keys {
    prefix: String,
}

pub(crate) const DAEMONS: &str = "daemons";
pub(crate) const OWNERS: &str = "owners";
pub(crate) const FENCE: &str = "fence";
pub(crate) const STATUS: &str = "status";

impl Keys {
    /// `prefix` without trailing slashes; an empty prefix is refused by the settings.
    pub(crate) fn new(prefix: &str) -> Keys {
        Keys {
            prefix: prefix.trim_end_matches('/').to_string(),
        }
    }

    /// The key of `name` in folder `dir`.
    pub(crate) fn key(&self, dir: &str, name: &str) -> String {
        format!("{}/{dir}/{name}", self.prefix)
    }

    /// The prefix of every key in folder `dir` (ends with `/`).
    pub(crate) fn dir(&self, dir: &str) -> String {
        format!("{}/{dir}/", self.prefix)
    }

    /// The name part of `key` in folder `dir`, if it is in that folder.
    pub(crate) fn name_in<'a>(&self, dir: &str, key: &'a [u8]) -> Option<&'a str> {
        let key = std::str::from_utf8(key).ok()?;
        key.strip_prefix(&self.dir(dir)).filter(|n| !n.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_live_below_the_prefix_and_names_come_back() {
        let keys = Keys::new("/roster/acme/");
        let owner = keys.key(OWNERS, "billing-eu");
        assert_eq!(owner, "/roster/acme/owners/billing-eu");
        assert_eq!(keys.dir(DAEMONS), "/roster/acme/daemons/");
        assert_eq!(keys.name_in(OWNERS, owner.as_bytes()), Some("billing-eu"));
        assert_eq!(keys.name_in(DAEMONS, owner.as_bytes()), None);
        assert_eq!(keys.name_in(OWNERS, b"/roster/acme/owners/"), None);
        // A sibling prefix is not ours.
        assert_eq!(
            Keys::new("/roster/acme").name_in(OWNERS, b"/roster/acme2/owners/x"),
            None
        );
    }
}
