//! How `GET /users` counts `startIndex`, told from the vendor's answers instead of assumed.
//! The documents name the parameter and the page limit, but neither where counting starts
//! (0 or 1) nor whether it counts users or pages. A full first page (at `startIndex=0`) and
//! the page at `startIndex=1` tell: its first user is the first page's second (users from 0),
//! its first (users or pages from 1: the page at 2 then tells), or a user not seen yet (pages
//! from 0). The page read to tell is used as data, so the list costs one request more at most.
//!
//! Pure: ids in, a reading out. The requests are the client's (`list.rs`).

use std::fmt;

/// How the vendor reads `startIndex`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Counting {
    /// The position of the first user wanted; the first user is at `first` (0 or 1).
    Users { first: usize },
    /// The number of the page of `count` users wanted; the first page is `first` (0 or 1).
    Pages { first: usize },
}

impl Counting {
    /// The `startIndex` that asks for the unit (user position or page, counted from 0) `next`.
    pub(crate) fn start(self, next: usize) -> usize {
        match self {
            Counting::Users { first } | Counting::Pages { first } => next.saturating_add(first),
        }
    }

    /// The unit (counted from 0) after a page of `n` users read at unit `at`.
    pub(crate) fn after(self, at: usize, n: usize) -> usize {
        match self {
            Counting::Users { .. } => at.saturating_add(n),
            Counting::Pages { .. } => at.saturating_add(1),
        }
    }

    /// The unit (counted from 0) that `startIndex = start` asks for.
    pub(crate) fn unit(self, start: usize) -> usize {
        match self {
            Counting::Users { first } | Counting::Pages { first } => start.saturating_sub(first),
        }
    }

    /// The name doctor's findings save: `users-from-0`, `pages-from-1`, …
    pub(crate) fn name(self) -> String {
        match self {
            Counting::Users { first } => format!("users-from-{first}"),
            Counting::Pages { first } => format!("pages-from-{first}"),
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        [0, 1]
            .into_iter()
            .flat_map(|first| [Counting::Users { first }, Counting::Pages { first }])
            .find(|c| c.name() == name)
    }
}

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Counting::Users { first } => write!(f, "startIndex counts users from {first}"),
            Counting::Pages { first } => write!(f, "startIndex counts pages from {first}"),
        }
    }
}

/// What the page at `startIndex=1` says, given the full page at `startIndex=0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Told {
    Is(Counting),
    /// Counting starts at 1; the page at `startIndex=2` tells users from pages.
    AskTwo,
    /// No reading explains the answer.
    Unknown,
}

/// `first` is the full page at `startIndex=0`, `one` the page at `startIndex=1`.
pub(crate) fn at_one(first: &[&str], one: &[&str]) -> Told {
    match one.first() {
        // Users from 0 would show the first page's second user: there is none left, so only
        // one page of users exists, read as the first of pages from 0.
        None => Told::Is(Counting::Pages { first: 0 }),
        Some(id) if first.get(1) == Some(id) => Told::Is(Counting::Users { first: 0 }),
        Some(id) if first.first() == Some(id) => Told::AskTwo,
        Some(id) if !first.contains(id) => Told::Is(Counting::Pages { first: 0 }),
        Some(_) => Told::Unknown,
    }
}

/// `first` is the full page at `startIndex=0`, `two` the page at `startIndex=2`, after the
/// page at 1 started like the first.
pub(crate) fn at_two(first: &[&str], two: &[&str]) -> Option<Counting> {
    match two.first() {
        None => Some(Counting::Pages { first: 1 }),
        Some(id) if first.get(1) == Some(id) => Some(Counting::Users { first: 1 }),
        Some(id) if !first.contains(id) => Some(Counting::Pages { first: 1 }),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a vendor of `total` users answers to `startIndex`, `count` at a time, under `c`.
    fn serve(c: Counting, total: usize, start: usize, count: usize) -> Vec<String> {
        let from = match c {
            Counting::Users { first } => start.saturating_sub(first),
            Counting::Pages { first } => start.saturating_sub(first) * count,
        };
        (from..total.min(from + count))
            .map(|i| format!("u{i}"))
            .collect()
    }

    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }

    fn tell(c: Counting, total: usize, count: usize) -> Option<Counting> {
        let first = serve(c, total, 0, count);
        let one = serve(c, total, 1, count);
        match at_one(&refs(&first), &refs(&one)) {
            Told::Is(c) => Some(c),
            Told::AskTwo => at_two(&refs(&first), &refs(&serve(c, total, 2, count))),
            Told::Unknown => None,
        }
    }

    const ALL: [Counting; 4] = [
        Counting::Users { first: 0 },
        Counting::Users { first: 1 },
        Counting::Pages { first: 0 },
        Counting::Pages { first: 1 },
    ];

    #[test]
    fn every_reading_is_told_apart_from_its_answers() {
        for c in ALL {
            for (total, count) in [(2, 2), (3, 2), (10, 2), (500, 500), (501, 500), (1700, 500)] {
                let told = tell(c, total, count);
                assert_eq!(told, Some(c), "{c:?} with {total} users by {count}");
            }
        }
    }

    #[test]
    fn a_vendor_that_ignores_start_index_or_shuffles_is_unknown() {
        let first = ["a", "b", "c"];
        assert_eq!(at_one(&first, &["c", "a"]), Told::Unknown);
        assert_eq!(at_two(&first, &["c"]), None);
        // Ignoring startIndex looks like counting from 1 until the page at 2 repeats too.
        assert_eq!(at_one(&first, &first), Told::AskTwo);
        assert_eq!(at_two(&first, &first), None);
    }

    #[test]
    fn units_and_starts_round_trip() {
        for c in ALL {
            assert_eq!(c.unit(c.start(7)), 7);
            assert_eq!(Counting::parse(&c.name()), Some(c));
        }
        assert_eq!(Counting::Users { first: 1 }.after(1, 500), 501);
        assert_eq!(Counting::Pages { first: 1 }.after(1, 500), 2);
        assert_eq!(Counting::parse("users-from-2"), None);
        assert_eq!(
            Counting::Pages { first: 1 }.to_string(),
            "startIndex counts pages from 1"
        );
    }
}
