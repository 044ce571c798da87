//! Bulk submissions (`application/cbor-seq`): split, then decode, verify
//! and store chunk by chunk, one result per item. The statuses are those
//! documented in `submit.rs`.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use baraza_protocol::{split_sequence, ObjectError, Part, SequenceError};

use super::body::read_body;
use super::results::{respond, sign_receipts, Item, Status};
use crate::http::{ApiError, ApiState};
use crate::service::{ingest, Refusal, Verdict};

/// Items decoded, verified and stored per step: large enough to amortise
/// batch verification and a group commit, small enough that a big import
/// does not hold the store's write lock for long at a time.
const BULK_CHUNK: usize = 512;

/// The bulk half of `POST /v1/objects`.
pub(super) async fn submit_many(
    state: &ApiState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let _permit = state
        .shared
        .bulk
        .acquire()
        .await
        .map_err(|_| ApiError::internal("the bulk submission limiter is closed"))?;
    let limits = &state.limits;
    let bytes = read_body(body, headers, limits.max_bulk_bytes, "application/cbor-seq").await?;
    let max_items = limits.max_bulk_items;
    let (ranges, split_error) = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || split_sequence(&bytes, max_items)).await?
    };
    if let Some(SequenceError::TooManyItems { limit }) = split_error {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_objects",
            format!(
                "a bulk submission holds at most {limit} objects; split it into several requests"
            ),
        ));
    }
    if ranges.is_empty() && split_error.is_none() {
        return Err(ApiError::bad_request("empty", "the body holds no objects"));
    }

    let mut results: Vec<Item> = Vec::with_capacity(ranges.len() + 1);
    let mut failed = false;
    for chunk in ranges.chunks(BULK_CHUNK) {
        let encodings: Vec<Bytes> = chunk.iter().map(|r| bytes.slice(r.clone())).collect();
        // After a store failure the rest is still checked (its invalid
        // items are reported) but not offered to the store.
        let admissions = if failed {
            ingest::verify_only(encodings).await?
        } else {
            ingest::ingest(&state.store, encodings).await?
        };
        // A failed batch is one store error: converted (and logged) once.
        let mut batch_error: Option<ApiError> = None;
        for admission in admissions {
            let item = match &admission.verdict {
                Verdict::Refused {
                    error: Refusal::Batch(error),
                } => {
                    failed = true;
                    let error = batch_error.get_or_insert_with(|| ApiError::from(error));
                    Item {
                        id: Some(admission.id),
                        status: Status::Refused(store_skipped_because(error)),
                        receipt: None,
                        logged: None,
                    }
                }
                _ => Item::from_admission(admission),
            };
            results.push(item);
        }
    }
    if let Some(SequenceError::Item { source, .. }) = split_error {
        let error = ObjectError::Cbor {
            part: Part::Envelope,
            source,
        };
        results.push(Item {
            id: None,
            status: Status::Invalid {
                code: error.code(),
                message: format!("{error}; the rest of the body was not read"),
            },
            receipt: None,
            logged: None,
        });
    }
    // An item stored later in the same request released the pending ones it completed.
    let pending: Vec<usize> = (0..results.len())
        .filter(|&i| matches!(results[i].status, Status::Pending(_)) && results[i].id.is_some())
        .collect();
    if !pending.is_empty() {
        let ids = pending.iter().filter_map(|&i| results[i].id).collect();
        let stored = state.service.stored_of(ids).await?;
        for (i, stored) in pending.into_iter().zip(stored) {
            if stored {
                results[i].status = Status::Stored;
            }
        }
    }
    sign_receipts(state, &mut results).await?;
    for result in &results {
        match result.code() {
            Some(code) => state.metrics.count_rejection(code),
            None => state.metrics.count_submission(result.metric()),
        }
    }
    bulk_response(results)
}

/// A copy of a store error for one item (without request-level parts).
fn store_skipped_because(error: &ApiError) -> ApiError {
    ApiError {
        item: None,
        results: None,
        ..error.clone()
    }
}

fn bulk_response(results: Vec<Item>) -> Result<Response, ApiError> {
    let rejected = results.iter().filter(|r| r.code().is_some()).count();
    let first_invalid = results
        .iter()
        .position(|r| matches!(r.status, Status::Invalid { .. }));
    let first_refused = results
        .iter()
        .position(|r| matches!(r.status, Status::Refused(_)));
    let summary = |index: usize, message: &str| {
        format!(
            "item {index}: {message}; {rejected} of {} items were rejected, \
             the others were processed (see results)",
            results.len()
        )
    };
    if let Some(index) = first_invalid {
        if let Status::Invalid { code, message } = &results[index].status {
            let error = ApiError::bad_request(code, summary(index, message)).at_item(index);
            return Err(error.with_results(results.iter().map(Item::to_result).collect()));
        }
    }
    if let Some(index) = first_refused {
        if let Status::Refused(refused) = &results[index].status {
            let mut error = store_skipped_because(refused);
            error.message = summary(index, &refused.message);
            let error = error.at_item(index);
            return Err(error.with_results(results.iter().map(Item::to_result).collect()));
        }
    }
    Ok(respond(&results))
}
