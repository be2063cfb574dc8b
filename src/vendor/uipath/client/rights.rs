//! What a 403 from UiPath Identity means, said in the error: the external application lacks a
//! scope (reading or writing users or groups), or the partition-administrator rights that
//! creating a user in a group and changing a user's groups need (the OpenAPI spec says so;
//! the HTML guide does not). The vendor's own words follow.
//!
//! Pure: an error in, the same error with the missing permission named out.

use crate::vendor::ProviderError;

/// What a refused request needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Needed {
    /// A scope: the resource (`User`, `Group`) and the access (`Read`, `Write`).
    Scope(&'static str, &'static str),
    /// Partition-administrator rights, for what the text says.
    PartitionAdmin(&'static str),
}

/// `e` with the missing permission named, when it is a 403; any other error as it is.
/// `asked` and `granted` are the scopes asked for and, when the token answer said, granted.
pub(super) fn named(
    e: ProviderError,
    needed: Needed,
    asked: &str,
    granted: Option<&str>,
) -> ProviderError {
    let ProviderError::Vendor {
        endpoint,
        status: 403,
        message,
    } = e
    else {
        return e;
    };
    let lacks = match needed {
        Needed::Scope(resource, access) => {
            let granted = granted.map_or_else(String::new, |g| format!(", granted {g:?}"));
            format!(
                "the external application lacks the scope to {} {}s (PM.{resource} or PM.{resource}.{access}; asked for {asked:?}{granted})",
                access.to_lowercase(),
                resource.to_lowercase()
            )
        }
        Needed::PartitionAdmin(what) => format!(
            "the external application lacks partition administrator rights, which {what} needs (add it to the organisation's administrators)"
        ),
    };
    ProviderError::Vendor {
        endpoint,
        status: 403,
        message: format!("{lacks}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden(message: &str) -> ProviderError {
        ProviderError::Vendor {
            endpoint: "POST /api/User".into(),
            status: 403,
            message: message.into(),
        }
    }

    #[test]
    fn a_403_names_what_was_missing() {
        let e = named(
            forbidden("no details"),
            Needed::Scope("User", "Read"),
            "PM.User PM.Group",
            Some("PM.Group"),
        );
        assert_eq!(
            e.to_string(),
            "POST /api/User: vendor answered 403: the external application lacks the scope to read users (PM.User or PM.User.Read; asked for \"PM.User PM.Group\", granted \"PM.Group\"): no details"
        );
        let e = named(
            forbidden(
                "Forbidden: Creating user in a group requires partition administrator group membership.",
            ),
            Needed::PartitionAdmin("creating a user in a group"),
            "PM.User",
            None,
        );
        assert!(
            e.to_string().starts_with("POST /api/User: vendor answered 403: the external application lacks partition administrator rights, which creating a user in a group needs"),
            "{e}"
        );
    }

    #[test]
    fn other_errors_pass_unchanged() {
        let e = ProviderError::Vendor {
            endpoint: "x".into(),
            status: 401,
            message: "m".into(),
        };
        assert_eq!(named(e.clone(), Needed::Scope("User", "Read"), "", None), e);
    }
}
