//! How `GET /users` reads `startIndex`. The documents name the parameter and the page limit
//! but not where counting starts, nor whether it counts users or pages; each reading is a
//! simulator switch so that a client can be proved right under all of them.
//!
//! Pure arithmetic: it neither parses the query nor looks at the world.

use super::ops::PAGE_LIMIT;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Paging {
    /// The `startIndex` of the first user (or page): 0 or 1.
    pub(crate) first: usize,
    /// Whether `startIndex` numbers pages of `count` users rather than users.
    pub(crate) by_number: bool,
}

impl Paging {
    /// The position of the first user a page answers with; a `start_index` before the first
    /// counts as the first, as SCIM says of a `startIndex` below 1.
    pub(crate) fn offset(self, start_index: usize, count: usize) -> usize {
        let skipped = start_index.saturating_sub(self.first);
        if self.by_number {
            skipped.saturating_mul(count.min(PAGE_LIMIT))
        } else {
            skipped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reading_of_start_index() {
        let from_zero = Paging::default();
        assert_eq!([0, 1, 500].map(|i| from_zero.offset(i, 500)), [0, 1, 500]);
        let from_one = Paging {
            first: 1,
            by_number: false,
        };
        assert_eq!(
            [0, 1, 2, 501].map(|i| from_one.offset(i, 500)),
            [0, 0, 1, 500]
        );
        let pages = Paging {
            first: 1,
            by_number: true,
        };
        assert_eq!([1, 2, 3].map(|i| pages.offset(i, 200)), [0, 200, 400]);
        assert_eq!(
            pages.offset(2, 10_000),
            PAGE_LIMIT,
            "pages are as long as served"
        );
        assert_eq!(pages.offset(usize::MAX, usize::MAX), usize::MAX);
    }
}
