//! `POST /v1/objects`: submit one signed object (`application/cbor`) or
//! many (`application/cbor-seq`, RFC 8742).
//!
//! Every object is decoded strictly and its signature verified before the
//! store sees it; the response is sent only once the store has made every
//! accepted object durable. Statuses:
//!
//! - **201** something new was stored; **202** nothing new was stored but
//!   something is pending (waiting for objects it references) or held
//!   (dated more than the allowed clock skew ahead of the node's clock:
//!   stored when its time comes); **200** everything was already known. The
//!   body is `{"results": [...]}`, one entry per object in input order:
//!   `{"id", "status": "stored" | "known" | "pending" | "held",
//!   "missing"?: [ids], "until"?: ms}`.
//! - **400** an object (or, in bulk, at least one item) is invalid. A bulk
//!   request is not all-or-nothing: its valid items are stored anyway
//!   (durably, before the answer), and the 400 body is the error of the
//!   first invalid item (`error`, `message`, `item`) plus `results` for every
//!   item, the invalid ones as `{"status": "rejected", "error", "message"}`.
//!   If an item cannot even be delimited, the items after it are not read
//!   and `results` ends with that item.
//! - **413** the body is over the size limit (single: the protocol's
//!   object size; bulk: `ApiLimits::max_bulk_bytes`), or a bulk body holds
//!   more than `ApiLimits::max_bulk_items` items; nothing is processed.
//! - **415** any other content type.
//! - **422** `too_far_ahead`: dated more than 7 days ahead of the node's clock.
//! - **507** `disk_full`: the data dir's disk is below its free-space
//!   reserve; nothing is written, reads go on, `Retry-After` is set.
//! - **503** the store could not take the objects (disk full, IO error, or
//!   the pending set is full), with `Retry-After`; in bulk, with `results`
//!   saying which items were stored before the failure. Retrying is always
//!   safe: submissions are idempotent.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::body::read_body;
use super::bulk;
use super::results::{respond, sign_receipts, Item, Status};
use crate::http::{ApiError, ApiState};
use crate::service::ingest;

/// The handler.
pub(crate) async fn submit(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = match content_type(&headers) {
        Ok(Format::Single) => submit_one(&state, &headers, body).await,
        Ok(Format::Sequence) => bulk::submit_many(&state, &headers, body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(response) => response,
        Err(error) => {
            // Bulk errors carrying results were counted item by item.
            if error.results.is_none() {
                state.metrics.count_rejection(error.code);
            }
            error.into_response()
        }
    }
}

enum Format {
    Single,
    Sequence,
}

fn content_type(headers: &HeaderMap) -> Result<Format, ApiError> {
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = value.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/cbor") {
        Ok(Format::Single)
    } else if essence.eq_ignore_ascii_case("application/cbor-seq") {
        Ok(Format::Sequence)
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Type {value:?} is not accepted: send one signed object as \
                 application/cbor, or several concatenated as application/cbor-seq"
            ),
        ))
    }
}

async fn submit_one(
    state: &ApiState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(
        body,
        headers,
        state.limits.max_object_bytes,
        "application/cbor",
    )
    .await?;
    let admission = ingest::ingest(&state.store, vec![bytes])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("the store returned no outcome"))?;
    let mut item = Item::from_admission(admission);
    sign_receipts(state, std::slice::from_mut(&mut item)).await?;
    match item.status {
        Status::Invalid { code, message } => Err(ApiError::invalid(code, message)),
        Status::Refused(error) => Err(error),
        _ => {
            state.metrics.count_submission(item.metric());
            tracing::debug!(id = ?item.id.map(|id| id.short()), status = ?item.status, "submission");
            Ok(respond(&[item]))
        }
    }
}
