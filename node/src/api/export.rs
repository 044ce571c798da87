//! `GET /v1/export`: every stored object, in arrival order, as a CBOR
//! sequence (`application/cbor-seq`) — for backups.
//!
//! Query: `after` (an event-log position, default 0), `upto` (default: the
//! head when the first page was asked for), `limit` (objects per page, at
//! most 1000). Headers: `x-baraza-head-seq`, the log's head now;
//! `x-baraza-last-seq`, the position of the last object in this page (or
//! `after` when it is empty). A client pages with `after = last` until
//! `last ≥ upto`: the store is append-only, so the objects up to one head
//! are a consistent snapshot however long the export takes.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use baraza_api_types::{HEAD_SEQ_HEADER, LAST_SEQ_HEADER};
use serde::Deserialize;

use crate::http::extract::ApiQuery;
use crate::http::{ApiError, ApiState};
use crate::store::MAX_PAGE;

/// The query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    after: u64,
    upto: Option<u64>,
    limit: Option<usize>,
}

/// The handler.
pub(crate) async fn export(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let page = state.service.export(query.after, query.upto, limit).await?;
    let mut response = page.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/cbor-seq"),
    );
    headers.insert(HEAD_SEQ_HEADER, HeaderValue::from(page.head));
    headers.insert(LAST_SEQ_HEADER, HeaderValue::from(page.last));
    Ok(response)
}
