//! A consistency problem in a simulator's world, and how one reads in a message: `AT: WHAT`,
//! or `AT: WHAT (first at AT)` for a duplicate.
//!
//! Generic over what a vendor's problems are about (its `Subject`); the vendor decides what
//! is a problem and how a subject is located (a YAML line:column, a JSON path).

/// One thing wrong with a world, pointing at the entry it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem<S> {
    pub(crate) subject: S,
    pub(crate) message: String,
    /// For duplicates: the earlier occurrence.
    pub(crate) first: Option<S>,
}

impl<S: Copy> Problem<S> {
    /// The problem as one line, with `at` naming where a subject is.
    pub(crate) fn describe(&self, at: impl Fn(S) -> String) -> String {
        match self.first {
            Some(first) => format!(
                "{}: {} (first at {})",
                at(self.subject),
                self.message,
                at(first)
            ),
            None => format!("{}: {}", at(self.subject), self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_name_both_places() {
        let at = |i: usize| format!("users[{i}]");
        let plain = Problem {
            subject: 2,
            message: "unknown group 5".to_owned(),
            first: None,
        };
        assert_eq!(plain.describe(at), "users[2]: unknown group 5");
        let twin = Problem {
            first: Some(0),
            ..plain
        };
        assert_eq!(
            twin.describe(at),
            "users[2]: unknown group 5 (first at users[0])"
        );
    }
}
