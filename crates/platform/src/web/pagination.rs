//! Pagination for every list: `?page=N&per=M`, bounded, with the numbers a template needs.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Paging {
    pub page: Option<i64>,
    pub per: Option<i64>,
}

impl Paging {
    pub const DEFAULT_PER: i64 = 20;
    pub const MAX_PER: i64 = 200;

    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
    pub fn per(&self) -> i64 {
        self.per.unwrap_or(Self::DEFAULT_PER).clamp(1, Self::MAX_PER)
    }
    pub fn offset(&self) -> i64 {
        (self.page() - 1).saturating_mul(self.per())
    }
}

/// One page of results.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, paging: &Paging, total: i64) -> Page<T> {
        Page { items, page: paging.page(), per_page: paging.per(), total }
    }
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
    pub fn prev(&self) -> i64 {
        (self.page - 1).max(1)
    }
    pub fn next(&self) -> i64 {
        self.page + 1
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), page: self.page, per_page: self.per_page, total: self.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let p = Paging { page: Some(-3), per: Some(100000) };
        assert_eq!(p.page(), 1);
        assert_eq!(p.per(), Paging::MAX_PER);
        let pg: Page<i32> = Page::new(vec![], &Paging { page: Some(2), per: Some(10) }, 25);
        assert_eq!(pg.pages(), 3);
        assert!(pg.has_prev() && pg.has_next());
        let empty: Page<i32> = Page::new(vec![], &Paging { page: None, per: None }, 0);
        assert_eq!(empty.pages(), 1);
        assert!(!empty.has_next());
    }
}
