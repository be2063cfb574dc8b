//! Proof of progress for paged lists: every page must bring users not seen before, and a list
//! ends within a bounded number of pages, so that a vendor that ignores the offset (and
//! repeats a page) or whose total grows forever ends in an error, never an endless loop or a
//! partial list taken for the whole.
//!
//! Bookkeeping only; each client decides how to ask for the next page and when a list is done.

use std::collections::HashSet;

use super::ProviderError;

/// The most users roster lists from one account.
pub(crate) const MAX_USERS: usize = 1_000_000;

/// The pages of one list so far.
pub(crate) struct Pages {
    endpoint: &'static str,
    seen: HashSet<String>,
    pages: usize,
    max_pages: usize,
}

impl Pages {
    /// A list read `page_size` users at a time: at most [`MAX_USERS`] / `page_size` pages.
    pub(crate) fn new(endpoint: &'static str, page_size: usize) -> Self {
        Self::bounded(endpoint, (MAX_USERS / page_size.max(1)).max(1))
    }

    pub(crate) fn bounded(endpoint: &'static str, max_pages: usize) -> Self {
        Pages {
            endpoint,
            seen: HashSet::new(),
            pages: 0,
            max_pages,
        }
    }

    /// How many distinct users the pages so far held.
    pub(crate) fn distinct(&self) -> usize {
        self.seen.len()
    }

    /// Takes one page (read at `position`, e.g. `skip=1000`) and returns the users not seen
    /// before. Fails when a page that is not empty brings no new user (the vendor ignores the
    /// offset), or when this page is one more than the bound.
    pub(crate) fn take<T>(
        &mut self,
        page: Vec<T>,
        id: impl Fn(&T) -> &str,
        position: &str,
    ) -> Result<Vec<T>, ProviderError> {
        self.pages += 1;
        if self.pages > self.max_pages {
            return Err(self.error(format!(
                "still more users after {} pages ({} users); roster stops there (the list never ends?)",
                self.max_pages,
                self.seen.len()
            )));
        }
        let had = page.len();
        let new: Vec<T> = page
            .into_iter()
            .filter(|u| self.seen.insert(id(u).trim().to_string()))
            .collect();
        if had > 0 && new.is_empty() {
            return Err(self.error(format!(
                "the page at {position} repeats users already listed (paging ignored?)"
            )));
        }
        Ok(new)
    }

    /// The error for a list that cannot be trusted to be whole.
    pub(crate) fn error(&self, detail: String) -> ProviderError {
        ProviderError::Malformed {
            endpoint: self.endpoint.to_string(),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: std::ops::Range<u32>) -> Vec<String> {
        range.map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn new_users_pass_repeats_are_dropped() {
        let mut p = Pages::new("GET /users", 3);
        let got = p.take(ids(0..3), String::as_str, "start=0").unwrap();
        assert_eq!(got.len(), 3);
        let got = p.take(ids(2..5), String::as_str, "start=3").unwrap();
        assert_eq!(got, ["u3", "u4"]);
        assert_eq!(p.distinct(), 5);
        assert!(
            p.take(Vec::new(), String::as_str, "start=6")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_repeated_page_is_an_error() {
        let mut p = Pages::new("GET /users", 3);
        p.take(ids(0..3), String::as_str, "start=0").unwrap();
        let e = p.take(ids(0..3), String::as_str, "start=3").unwrap_err();
        assert_eq!(
            e.to_string(),
            "GET /users: unreadable answer: the page at start=3 repeats users already listed (paging ignored?)"
        );
    }

    #[test]
    fn pages_are_bounded() {
        assert_eq!(Pages::new("x", 1000).max_pages, 1000);
        assert_eq!(Pages::new("x", 0).max_pages, MAX_USERS);
        let mut p = Pages::bounded("GET /users", 4);
        for i in 0..4 {
            p.take(ids(i..i + 1), String::as_str, "x").unwrap();
        }
        let e = p.take(ids(9..10), String::as_str, "x").unwrap_err();
        assert!(e.to_string().contains("after 4 pages (4 users)"), "{e}");
    }
}
