//! The paged, searchable, sortable user list of `GET /api/User/users/{pgid}`.
//!
//! Pure: no I/O and no query-string parsing (that is `query.rs`).

use std::cmp::Ordering;

use super::world::{User, World};

/// The field `GET /api/User/users/{pgid}` sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum SortKey {
    #[default]
    CreationTime,
    UserName,
    Email,
    Name,
    Surname,
    DisplayName,
}

impl SortKey {
    /// By `sortBy` value, any case.
    pub(crate) fn from_name(text: &str) -> Option<Self> {
        let keys = [
            ("creationTime", Self::CreationTime),
            ("userName", Self::UserName),
            ("email", Self::Email),
            ("name", Self::Name),
            ("surname", Self::Surname),
            ("displayName", Self::DisplayName),
        ];
        keys.into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, key)| key)
    }

    fn compare(self, a: &User, b: &User) -> Ordering {
        let text = |u: &User| -> String {
            let field = match self {
                Self::CreationTime => return String::new(),
                Self::UserName => Some(&u.user_name),
                Self::Email => u.email.as_ref(),
                Self::Name => u.name.as_ref(),
                Self::Surname => u.surname.as_ref(),
                Self::DisplayName => u.display_name.as_ref(),
            };
            field.map(|f| f.to_lowercase()).unwrap_or_default()
        };
        match self {
            Self::CreationTime => (a.creation_time, a.id).cmp(&(b.creation_time, b.id)),
            _ => text(a).cmp(&text(b)),
        }
    }
}

/// A page request for the user list, already range-checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) search: Option<String>,
    pub(crate) sort: SortKey,
    pub(crate) descending: bool,
    pub(crate) top: usize,
    pub(crate) skip: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            search: None,
            sort: SortKey::CreationTime,
            descending: false,
            top: 10,
            skip: 0,
        }
    }
}

impl World {
    /// The matching users' count, and the requested page of them. Ties keep creation order.
    pub(crate) fn list_users(&self, query: &ListQuery) -> (usize, Vec<&User>) {
        let needle = query.search.as_deref().map(str::to_lowercase);
        let matches = |u: &User| {
            let Some(needle) = &needle else { return true };
            [
                Some(&u.user_name),
                u.email.as_ref(),
                u.name.as_ref(),
                u.surname.as_ref(),
                u.display_name.as_ref(),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(needle.as_str()))
        };
        let mut found: Vec<&User> = self.users.iter().filter(|u| matches(u)).collect();
        found.sort_by(|a, b| {
            let order = query.sort.compare(a, b);
            let order = if query.descending {
                order.reverse()
            } else {
                order
            };
            order.then_with(|| (a.creation_time, a.id).cmp(&(b.creation_time, b.id)))
        });
        let total = found.len();
        let page = found.into_iter().skip(query.skip).take(query.top).collect();
        (total, page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::uipath::clock::SEED_EPOCH;
    use crate::sim::uipath::ids::Uuid;
    use crate::sim::uipath::ops::NewUser;

    fn world_of(n: i64) -> World {
        let mut world = World::default();
        for i in 0..n {
            let mut new = NewUser {
                email: Some(format!("user{i:02}@example.com")),
                ..NewUser::default()
            };
            new.name = Some(format!("N{}", n - i));
            world
                .create_user(
                    new,
                    SEED_EPOCH.plus_seconds(i),
                    Uuid::derived(1000 + u64::try_from(i).unwrap()),
                )
                .unwrap();
        }
        world
    }

    #[test]
    fn paging_counts_everything_and_slices_in_creation_order() {
        let world = world_of(25);
        let page = |top, skip| {
            let query = ListQuery {
                top,
                skip,
                ..ListQuery::default()
            };
            let (total, users) = world.list_users(&query);
            let names: Vec<String> = users.iter().map(|u| u.user_name.clone()).collect();
            (total, names)
        };
        let (total, first) = page(10, 0);
        assert_eq!(total, 25);
        assert_eq!(
            first.first().map(String::as_str),
            Some("user00@example.com")
        );
        assert_eq!(first.len(), 10);
        let (_, last) = page(10, 20);
        assert_eq!(last.len(), 5);
        assert_eq!(last.last().map(String::as_str), Some("user24@example.com"));
        assert_eq!(page(10, 25), (25, Vec::new()));
        assert_eq!(page(0, 0), (25, Vec::new()));
        assert_eq!(page(1000, 3).1.len(), 22);
    }

    #[test]
    fn search_and_sort() {
        let world = world_of(12);
        let query = ListQuery {
            search: Some("USER1".to_owned()),
            top: 100,
            ..ListQuery::default()
        };
        let (total, users) = world.list_users(&query);
        assert_eq!(total, 2, "user10 and user11");
        assert_eq!(users[0].user_name, "user10@example.com");

        let by_email_desc = ListQuery {
            sort: SortKey::Email,
            descending: true,
            top: 1,
            ..ListQuery::default()
        };
        assert_eq!(
            world.list_users(&by_email_desc).1[0].user_name,
            "user11@example.com"
        );
        let by_name = ListQuery {
            sort: SortKey::from_name("NAME").unwrap(),
            top: 1,
            ..ListQuery::default()
        };
        assert_eq!(world.list_users(&by_name).1[0].name.as_deref(), Some("N1"));
        assert_eq!(SortKey::from_name("password"), None);
    }
}
