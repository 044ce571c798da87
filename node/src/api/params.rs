//! Parsing of path and query parameters into typed values, each failure a
//! 400 naming the parameter.

use std::str::FromStr;

use axum::extract::rejection::{PathRejection, QueryRejection};
use baraza_protocol::limits::MAX_SLUG_BYTES;
use baraza_protocol::{Kind, ObjectId, PublicKey};
use serde::Deserialize;

use super::error::ApiError;
use crate::store::{Cursor, MAX_PAGE};

/// Objects per listing page when the client does not say.
pub const DEFAULT_PAGE: usize = 100;

/// `?after=CURSOR&limit=N&kind=K` of the listings.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PageQuery {
    /// The `next` of the previous page.
    pub(crate) after: Option<String>,
    /// Page size: 1..=`MAX_PAGE`, default [`DEFAULT_PAGE`]; larger values are clamped.
    pub(crate) limit: Option<usize>,
    /// Only objects of this kind (referrer listings).
    pub(crate) kind: Option<String>,
}

impl PageQuery {
    /// The validated cursor (short even hex: see [`Cursor`]).
    pub(crate) fn cursor(&self) -> Result<Option<Cursor>, ApiError> {
        let Some(after) = self.after.as_deref() else {
            return Ok(None);
        };
        after.parse::<Cursor>().map(Some).map_err(|_| {
            ApiError::bad_request(
                "bad_cursor",
                "`after` must be the `next` value of a previous page of the same listing",
            )
        })
    }

    /// The page size to ask the store for.
    pub(crate) fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
    }

    /// The `kind` filter, if any.
    pub(crate) fn kind(&self) -> Result<Option<Kind>, ApiError> {
        self.kind
            .as_deref()
            .map(|k| {
                Kind::from_str(k).map_err(|e| ApiError::bad_request("bad_kind", e.to_string()))
            })
            .transpose()
    }
}

/// A query string, or 400 `bad_query`.
pub(crate) fn query<T>(
    query: Result<axum::extract::Query<T>, QueryRejection>,
) -> Result<T, ApiError> {
    query
        .map(|q| q.0)
        .map_err(|e| ApiError::bad_request("bad_query", e.body_text()))
}

/// Path parameters, or 400 `bad_path`.
pub(crate) fn path<T>(path: Result<axum::extract::Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|p| p.0)
        .map_err(|e| ApiError::bad_request("bad_path", e.body_text()))
}

/// An object id (64 lowercase hex digits), or 400 `bad_id`.
pub(crate) fn object_id(text: &str) -> Result<ObjectId, ApiError> {
    ObjectId::from_str(text).map_err(|e| {
        ApiError::bad_request(
            "bad_id",
            format!("{e}; an object id is 64 lowercase hex digits"),
        )
    })
}

/// An author as `did:key:…`, or 400 `bad_author`.
pub(crate) fn author(text: &str) -> Result<PublicKey, ApiError> {
    PublicKey::from_str(text).map_err(|e| {
        ApiError::bad_request(
            "bad_author",
            format!("{e}; an author is an Ed25519 did:key"),
        )
    })
}

/// A section slug, or 400 `bad_slug`.
pub(crate) fn slug(text: &str) -> Result<String, ApiError> {
    let valid = !text.is_empty()
        && text.len() <= MAX_SLUG_BYTES
        && text.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(ApiError::bad_request(
            "bad_slug",
            format!("a section slug is 1 to {MAX_SLUG_BYTES} printable ASCII characters"),
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_short_even_hex() {
        let q = |after: &str| PageQuery {
            after: Some(after.into()),
            ..PageQuery::default()
        };
        assert!(q("00ff").cursor().is_ok());
        assert!(q("0").cursor().is_err());
        assert!(q("zz").cursor().is_err());
        assert!(q(&"a".repeat(130)).cursor().is_err());
    }

    #[test]
    fn limits_are_clamped() {
        let q = |limit| PageQuery {
            limit: Some(limit),
            ..PageQuery::default()
        };
        assert_eq!(q(0).limit(), 1);
        assert_eq!(q(5000).limit(), MAX_PAGE);
        assert_eq!(PageQuery::default().limit(), DEFAULT_PAGE);
    }
}
