//! Typed extractors of path and query parameters whose rejection is the
//! API's error: each failure a 400 naming the parameter (`bad_path`,
//! `bad_query`, `bad_id`, `bad_author`, `bad_slug`, `bad_cursor`), so a
//! handler receives values it can use as they are.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use baraza_protocol::limits::MAX_SLUG_BYTES;
use baraza_protocol::{Kind, ObjectId, PublicKey};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::ApiError;
use crate::store::{Cursor, MAX_PAGE};

/// Objects per listing page when the client does not say.
pub const DEFAULT_PAGE: usize = 100;

/// `?after=CURSOR&limit=N&kind=K` of the listings.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    /// The `next` of the previous page.
    after: Option<String>,
    /// Page size: 1..=`MAX_PAGE`, default [`DEFAULT_PAGE`]; larger values are clamped.
    limit: Option<usize>,
    /// Only objects of this kind (referrer listings).
    kind: Option<String>,
}

impl PageQuery {
    /// The validated cursor (short even hex: see [`Cursor`]).
    fn cursor(&self) -> Result<Option<Cursor>, ApiError> {
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
    fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
    }
}

/// A query string parsed into `T`, or 400 `bad_query`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| ApiError::bad_request("bad_query", e.body_text()))
    }
}

/// Path parameters, or 400 `bad_path`.
async fn path<T, S>(parts: &mut Parts, state: &S) -> Result<T, ApiError>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    Path::<T>::from_request_parts(parts, state)
        .await
        .map(|Path(p)| p)
        .map_err(|e| ApiError::bad_request("bad_path", e.body_text()))
}

/// `{id}`: an object id, or 400 `bad_path` / `bad_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdPath(pub(crate) ObjectId);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let text: String = path(parts, state).await?;
        object_id(&text).map(IdPath)
    }
}

/// `{did}`: an author's `did:key`, or 400 `bad_path` / `bad_author`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuthorPath(pub(crate) PublicKey);

impl<S: Send + Sync> FromRequestParts<S> for AuthorPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let text: String = path(parts, state).await?;
        author(&text).map(AuthorPath)
    }
}

/// `{id}/sections/{slug}`: a charter id and a section slug, or 400
/// `bad_path` / `bad_id` / `bad_slug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SectionPath {
    /// The charter.
    pub(crate) charter: ObjectId,
    /// The section's slug.
    pub(crate) slug: String,
}

impl<S: Send + Sync> FromRequestParts<S> for SectionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let (charter, section): (String, String) = path(parts, state).await?;
        Ok(SectionPath {
            charter: object_id(&charter)?,
            slug: slug(&section)?,
        })
    }
}

/// `?after=CURSOR&limit=N&kind=K` of a listing, validated: or 400
/// `bad_query` / `bad_cursor`. (`kind` is checked only by the listings
/// that filter on it, through [`ListQuery::kind`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    /// The cursor: the `next` of the previous page.
    pub(crate) after: Option<Cursor>,
    /// The page size to ask the store for.
    pub(crate) limit: usize,
    /// The raw `kind` filter.
    kind: Option<String>,
}

impl ListQuery {
    /// The `kind` filter, if any, or 400 `bad_kind`.
    pub(crate) fn kind(&self) -> Result<Option<Kind>, ApiError> {
        self.kind
            .as_deref()
            .map(|k| {
                Kind::from_str(k).map_err(|e| ApiError::bad_request("bad_kind", e.to_string()))
            })
            .transpose()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let ApiQuery(query) = ApiQuery::<PageQuery>::from_request_parts(parts, state).await?;
        Ok(ListQuery {
            after: query.cursor()?,
            limit: query.limit(),
            kind: query.kind,
        })
    }
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
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    /// The status and error code `uri` gets from a route taking `T`.
    async fn rejection<T>(route: &str, uri: &str) -> Option<(StatusCode, &'static str)>
    where
        T: FromRequestParts<(), Rejection = ApiError> + Send + 'static,
    {
        let app = Router::new().route(
            route,
            get(|result: Result<T, ApiError>| async move {
                match result {
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("{} {}", e.status.as_u16(), e.code),
                }
            }),
        );
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let response = app.oneshot(request).await.expect("infallible");
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
        let (status, code) = text.split_once(' ')?;
        let status = StatusCode::from_u16(status.parse().ok()?).ok()?;
        let code = [
            "bad_path",
            "bad_query",
            "bad_id",
            "bad_author",
            "bad_slug",
            "bad_cursor",
        ]
        .into_iter()
        .find(|c| *c == code)?;
        Some((status, code))
    }

    #[tokio::test]
    async fn rejections_are_api_errors_naming_the_parameter() {
        let id = "ab".repeat(32);
        let bad = StatusCode::BAD_REQUEST;
        assert_eq!(
            rejection::<IdPath>("/o/{id}", &format!("/o/{id}")).await,
            None
        );
        assert_eq!(
            rejection::<IdPath>("/o/{id}", "/o/1234").await,
            Some((bad, "bad_id"))
        );
        assert_eq!(
            rejection::<AuthorPath>("/a/{did}", "/a/did:key:nope").await,
            Some((bad, "bad_author"))
        );
        assert_eq!(
            rejection::<SectionPath>("/c/{id}/s/{slug}", &format!("/c/{id}/s/%20")).await,
            Some((bad, "bad_slug"))
        );
        assert_eq!(
            rejection::<ListQuery>("/l", "/l?after=zz").await,
            Some((bad, "bad_cursor"))
        );
        assert_eq!(
            rejection::<ListQuery>("/l", "/l?limit=many").await,
            Some((bad, "bad_query"))
        );
        assert_eq!(
            rejection::<ListQuery>("/l", "/l?limit=5&after=00ff").await,
            None
        );
    }

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
