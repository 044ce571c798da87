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

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::ApiError;
use super::{params, ApiState};
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
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = params::query(query)?;
    let head = state.store.last_seq();
    let upto = query.upto.unwrap_or(head).min(head);
    let limit = query.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let store = state.store.clone();
    let after = query.after;
    let events = tokio::task::spawn_blocking(move || store.events_after(after, limit))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let mut body = Vec::new();
    let mut last = after;
    for event in events.iter().take_while(|e| e.seq <= upto) {
        body.extend_from_slice(event.object.bytes());
        last = event.seq;
    }
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/cbor-seq"),
    );
    headers.insert("x-baraza-head-seq", HeaderValue::from(head));
    headers.insert("x-baraza-last-seq", HeaderValue::from(last));
    Ok(response)
}
