//! Every user of the tenant, `GET /users` page by page: the first page at `startIndex=0`,
//! then, when it is full, the page at `startIndex=1` tells how the vendor counts (`paging`),
//! and the list goes on in that counting until a page shorter than asked for. Each page must
//! bring users not listed before (`vendor::paging`), except the one read to tell, which may
//! repeat all but its last user; a full page of repeats is an error, never an endless loop.
//!
//! Knows the requests of listing only; the records it keeps are the client's.

use super::paging::{self, Counting, Told};
use super::wire::Listed;
use super::{LIST, LearningCloud, PAGE};
use crate::vendor::ProviderError;
use crate::vendor::paging::Pages;

/// A whole list, and how the vendor was found to count (`None`: one page, nothing to tell).
pub(crate) struct Listing {
    pub users: Vec<Listed>,
    pub counting: Option<Counting>,
}

fn ids(page: &[Listed]) -> Vec<&str> {
    page.iter().map(|u| u.user.id.trim()).collect()
}

impl LearningCloud {
    pub(super) async fn list(&self) -> Result<Listing, ProviderError> {
        let mut pages = Pages::new(LIST, PAGE);
        let first = self.page(0, PAGE).await?;
        let full = first.len() >= PAGE;
        let first_ids: Vec<String> = ids(&first).into_iter().map(str::to_string).collect();
        let mut users = pages.take(first, |u| u.user.id.as_str(), "startIndex=0")?;
        if !full {
            return Ok(Listing {
                users,
                counting: None,
            });
        }
        let (counting, mut start, mut page) = self.tell(&first_ids, PAGE).await?;
        let mut at = counting.unit(start);
        // The page read to tell starts one user into the first under a user counting: when
        // it brings no one new and is short, the first page was the whole list.
        let told_page = page.len();
        let all_seen = page
            .iter()
            .all(|u| first_ids.iter().any(|id| id == u.user.id.trim()));
        if matches!(counting, Counting::Users { .. }) && all_seen && told_page < PAGE {
            return Ok(Listing {
                users,
                counting: Some(counting),
            });
        }
        loop {
            let n = page.len();
            let position = format!("startIndex={start}");
            users.extend(pages.take(page, |u| u.user.id.as_str(), &position)?);
            if n < PAGE {
                break;
            }
            at = counting.after(at, n);
            start = counting.start(at);
            page = self.page(start, PAGE).await?;
        }
        Ok(Listing {
            users,
            counting: Some(counting),
        })
    }

    /// How the vendor counts `startIndex`, from the full first page's ids and the pages at 1
    /// (and 2), `count` users at a time; with the `startIndex` and users of the page that
    /// told, which the list goes on from.
    pub(crate) async fn tell(
        &self,
        first: &[String],
        count: usize,
    ) -> Result<(Counting, usize, Vec<Listed>), ProviderError> {
        let first: Vec<&str> = first.iter().map(String::as_str).collect();
        let one = self.page(1, count).await?;
        let told = paging::at_one(&first, &ids(&one));
        let (start, page, counting) = match told {
            Told::Is(c) => (1, one, Some(c)),
            Told::AskTwo => {
                let two = self.page(2, count).await?;
                let c = paging::at_two(&first, &ids(&two));
                (2, two, c)
            }
            Told::Unknown => (1, one, None),
        };
        let Some(counting) = counting else {
            return Err(ProviderError::Malformed {
                endpoint: LIST.to_string(),
                detail: format!(
                    "the page at startIndex={start} fits no reading of startIndex (users or pages, from 0 or 1): paging ignored?"
                ),
            });
        };
        Ok((counting, start, page))
    }
}
