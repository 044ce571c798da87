//! Cursor-paged listings, each walking one index of the store, oldest
//! (`created_at`, then id) first. Every listing takes `?after=CURSOR` (the
//! `next` of the previous page) and `?limit=N` (1–1000, default 100) and
//! answers `{"objects": [object JSON…], "next": cursor | null}`; `next` is
//! null on the last page. A listing of something this node does not know
//! (a charter it has not stored, an author who wrote nothing) is empty.

use axum::extract::State;
use axum::Json;
use baraza_api_types::Page;
use baraza_protocol::Kind;

use crate::http::extract::{AuthorPath, IdPath, ListQuery, SectionPath};
use crate::http::{ApiError, ApiState};
use crate::store::Listing;

/// `GET /v1/charters`.
pub(crate) async fn charters(
    State(state): State<ApiState>,
    query: ListQuery,
) -> Result<Json<Page>, ApiError> {
    page(state, Listing::Kind(Kind::Charter), query).await
}

/// `GET /v1/charters/{id}/sections/{slug}/comments`.
pub(crate) async fn comments(
    State(state): State<ApiState>,
    path: SectionPath,
    query: ListQuery,
) -> Result<Json<Page>, ApiError> {
    page(state, section(path, Kind::Comment), query).await
}

/// `GET /v1/charters/{id}/sections/{slug}/drafts`.
pub(crate) async fn drafts(
    State(state): State<ApiState>,
    path: SectionPath,
    query: ListQuery,
) -> Result<Json<Page>, ApiError> {
    page(state, section(path, Kind::Draft), query).await
}

fn section(path: SectionPath, kind: Kind) -> Listing {
    Listing::Section {
        charter: path.charter,
        section: path.slug,
        kind,
    }
}

/// `GET /v1/objects/{id}/endorsements`.
pub(crate) async fn endorsements(
    State(state): State<ApiState>,
    IdPath(target): IdPath,
    query: ListQuery,
) -> Result<Json<Page>, ApiError> {
    let listing = Listing::Referrers {
        target,
        kind: Some(Kind::Endorsement),
    };
    page(state, listing, query).await
}

/// `GET /v1/objects/{id}/referrers?kind=K`.
pub(crate) async fn referrers(
    State(state): State<ApiState>,
    IdPath(target): IdPath,
    query: ListQuery,
) -> Result<Json<Page>, ApiError> {
    let kind = query.kind()?;
    page(state, Listing::Referrers { target, kind }, query).await
}

/// `GET /v1/authors/{did}/objects`.
pub(crate) async fn by_author(
    State(state): State<ApiState>,
    AuthorPath(author): AuthorPath,
    query: ListQuery,
) -> Result<Json<Page>, ApiError> {
    page(state, Listing::Author(author), query).await
}

/// One page, read off the async threads by the service.
async fn page(state: ApiState, listing: Listing, query: ListQuery) -> Result<Json<Page>, ApiError> {
    let page = state
        .service
        .page(listing, query.after, query.limit)
        .await?;
    Ok(Json(Page {
        objects: page.objects.iter().map(|o| o.to_json()).collect(),
        next: page.next.map(|cursor| cursor.to_string()),
    }))
}
