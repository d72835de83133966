//! `?limit=&offset=` for every list (API.md: default 100, max 500), and the `X-Total-Count` header.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
pub use mvp_types::limits::{PAGE_DEFAULT_LIMIT as DEFAULT_LIMIT, PAGE_MAX_LIMIT as MAX_LIMIT};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::TOTAL_COUNT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize)]
struct RawPage {
    limit: Option<String>,
    offset: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Query(raw) = Query::<RawPage>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("malformed query string".to_owned()))?;
        let number = |field: &str, value: Option<String>, default: i64| -> Result<i64, AppError> {
            match value.as_deref().map(str::trim) {
                None | Some("") => Ok(default),
                Some(text) => text.parse::<i64>().map_err(|_| {
                    AppError::validation(field, format!("{text:?} is not a whole number"))
                }),
            }
        };
        let limit = number("limit", raw.limit, DEFAULT_LIMIT)?;
        let offset = number("offset", raw.offset, 0)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::validation(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if offset < 0 {
            return Err(AppError::validation("offset", "must not be negative"));
        }
        Ok(Self { limit, offset })
    }
}

impl Page {
    /// The list's total when this page alone tells it, so no `count(*)` is needed: a page that is
    /// not full holds the last rows (unless it is empty past the start, where the end could lie
    /// anywhere before `offset`).
    pub fn total_from(self, rows_on_page: usize) -> Option<i64> {
        let rows = i64::try_from(rows_on_page).unwrap_or(i64::MAX);
        (rows < self.limit && (rows > 0 || self.offset == 0)).then_some(self.offset + rows)
    }
}

/// Headers carrying the total of a list.
pub fn total_header(total: i64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(TOTAL_COUNT, HeaderValue::from(total));
    headers
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn a_page_that_is_not_full_tells_the_total() {
        let first = Page {
            limit: 100,
            offset: 0,
        };
        assert_eq!(first.total_from(10), Some(10));
        assert_eq!(first.total_from(0), Some(0));
        assert_eq!(
            first.total_from(100),
            None,
            "a full page may be followed by more"
        );
        let third = Page {
            limit: 10,
            offset: 20,
        };
        assert_eq!(third.total_from(3), Some(23));
        assert_eq!(third.total_from(10), None);
        assert_eq!(
            third.total_from(0),
            None,
            "empty past the start: the end is somewhere before"
        );
    }
}
