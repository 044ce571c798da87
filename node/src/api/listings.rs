//! Cursor-paged listings, each walking one index of the store, oldest
//! (`created_at`, then id) first. Every listing takes `?after=CURSOR` (the
//! `next` of the previous page) and `?limit=N` (1–1000, default 100) and
//! answers `{"objects": [object JSON…], "next": cursor | null}`; `next` is
//! null on the last page. A listing of something this node does not know
//! (a charter it has not stored, an author who wrote nothing) is empty.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use baraza_protocol::Kind;
use serde_json::{json, Value};

use super::error::ApiError;
use super::params::{self, PageQuery};
use super::ApiState;
use crate::store::Listing;

type PathParam<T> = Result<Path<T>, PathRejection>;
type PageParam = Result<Query<PageQuery>, QueryRejection>;

/// `GET /v1/charters`.
pub(crate) async fn charters(
    State(state): State<ApiState>,
    query: PageParam,
) -> Result<Json<Value>, ApiError> {
    page(state, Listing::Kind(Kind::Charter), params::query(query)?).await
}

/// `GET /v1/charters/{id}/sections/{slug}/comments`.
pub(crate) async fn comments(
    State(state): State<ApiState>,
    path: PathParam<(String, String)>,
    query: PageParam,
) -> Result<Json<Value>, ApiError> {
    section(state, path, query, Kind::Comment).await
}

/// `GET /v1/charters/{id}/sections/{slug}/drafts`.
pub(crate) async fn drafts(
    State(state): State<ApiState>,
    path: PathParam<(String, String)>,
    query: PageParam,
) -> Result<Json<Value>, ApiError> {
    section(state, path, query, Kind::Draft).await
}

async fn section(
    state: ApiState,
    path: PathParam<(String, String)>,
    query: PageParam,
    kind: Kind,
) -> Result<Json<Value>, ApiError> {
    let (charter, slug) = params::path(path)?;
    let listing = Listing::Section {
        charter: params::object_id(&charter)?,
        section: params::slug(&slug)?,
        kind,
    };
    page(state, listing, params::query(query)?).await
}

/// `GET /v1/objects/{id}/endorsements`.
pub(crate) async fn endorsements(
    State(state): State<ApiState>,
    path: PathParam<String>,
    query: PageParam,
) -> Result<Json<Value>, ApiError> {
    let target = params::object_id(&params::path(path)?)?;
    let listing = Listing::Referrers {
        target,
        kind: Some(Kind::Endorsement),
    };
    page(state, listing, params::query(query)?).await
}

/// `GET /v1/objects/{id}/referrers?kind=K`.
pub(crate) async fn referrers(
    State(state): State<ApiState>,
    path: PathParam<String>,
    query: PageParam,
) -> Result<Json<Value>, ApiError> {
    let target = params::object_id(&params::path(path)?)?;
    let query = params::query(query)?;
    let listing = Listing::Referrers {
        target,
        kind: query.kind()?,
    };
    page(state, listing, query).await
}

/// `GET /v1/authors/{did}/objects`.
pub(crate) async fn by_author(
    State(state): State<ApiState>,
    path: PathParam<String>,
    query: PageParam,
) -> Result<Json<Value>, ApiError> {
    let author = params::author(&params::path(path)?)?;
    page(state, Listing::Author(author), params::query(query)?).await
}

/// Reads one page off the async threads (a page decodes up to 1000 objects).
async fn page(
    state: ApiState,
    listing: Listing,
    query: PageQuery,
) -> Result<Json<Value>, ApiError> {
    let after = query.cursor()?;
    let limit = query.limit();
    let store = state.store.clone();
    let page =
        tokio::task::spawn_blocking(move || store.list(&listing, after.as_ref(), limit)).await??;
    let objects: Vec<Value> = page.objects.iter().map(|o| o.to_json()).collect();
    Ok(Json(json!({ "objects": objects, "next": page.next })))
}
