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
use axum::Json;
use baraza_protocol::{ObjectError, ObjectId, SignedObject};
use serde_json::{json, Value};

use super::body::read_body;
use super::error::ApiError;
use super::ApiState;
use crate::metrics::SubmissionResult;
use crate::store::PutOutcome;

/// What one object came to.
#[derive(Debug)]
pub(super) enum Status {
    Stored,
    Known,
    Pending(Vec<ObjectId>),
    /// Held until `until` (ms since the epoch).
    Held(u64),
    /// Invalid: the client's fault.
    Invalid {
        code: &'static str,
        message: String,
    },
    /// Valid, but the store could not take it.
    Refused(ApiError),
}

#[derive(Debug)]
pub(super) struct ItemResult {
    pub(super) id: Option<ObjectId>,
    pub(super) status: Status,
}

impl ItemResult {
    pub(super) fn from_outcome(
        id: ObjectId,
        outcome: Result<PutOutcome, crate::store::StoreError>,
    ) -> Self {
        let status = match outcome {
            Ok(PutOutcome::Stored { .. }) => Status::Stored,
            Ok(PutOutcome::Known) => Status::Known,
            Ok(PutOutcome::Pending { missing }) => Status::Pending(missing),
            Ok(PutOutcome::Held { until }) => Status::Held(until),
            Err(e) => Status::Refused(e.into()),
        };
        ItemResult {
            id: Some(id),
            status,
        }
    }

    pub(super) fn invalid(error: &ObjectError) -> Self {
        ItemResult {
            id: None,
            status: Status::Invalid {
                code: error.code(),
                message: error.to_string(),
            },
        }
    }

    pub(super) fn metric(&self) -> SubmissionResult {
        match self.status {
            Status::Stored => SubmissionResult::Stored,
            Status::Known => SubmissionResult::Known,
            Status::Pending(_) => SubmissionResult::Pending,
            Status::Held(_) => SubmissionResult::Held,
            Status::Invalid { .. } | Status::Refused(_) => SubmissionResult::Rejected,
        }
    }

    pub(super) fn code(&self) -> Option<&'static str> {
        match &self.status {
            Status::Invalid { code, .. } => Some(code),
            Status::Refused(e) => Some(e.code),
            _ => None,
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        if let Some(id) = self.id {
            out.insert("id".into(), json!(id.to_string()));
        }
        let status = match &self.status {
            Status::Stored => "stored",
            Status::Known => "known",
            Status::Pending(missing) => {
                let missing: Vec<String> = missing.iter().map(ObjectId::to_string).collect();
                out.insert("missing".into(), json!(missing));
                "pending"
            }
            Status::Held(until) => {
                out.insert("until".into(), json!(until));
                "held"
            }
            Status::Invalid { code, message } => {
                out.insert("error".into(), json!(code));
                out.insert("message".into(), json!(message));
                "rejected"
            }
            Status::Refused(e) => {
                out.insert("error".into(), json!(e.code));
                out.insert("message".into(), json!(e.message));
                "rejected"
            }
        };
        out.insert("status".into(), json!(status));
        Value::Object(out)
    }
}

/// The handler.
pub(crate) async fn submit(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = match content_type(&headers) {
        Ok(Format::Single) => submit_one(&state, &headers, body).await,
        Ok(Format::Sequence) => super::bulk::submit_many(&state, &headers, body).await,
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
    let object = SignedObject::decode(&bytes).map_err(|e| ApiError::invalid_object(&e))?;
    let id = object.id();
    let outcome = state
        .store
        .put(std::slice::from_ref(&object))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("the store returned no outcome"))?;
    let result = ItemResult::from_outcome(id, outcome);
    if let Status::Refused(error) = result.status {
        return Err(error);
    }
    state.metrics.count_submission(result.metric());
    tracing::debug!(id = %id.short(), kind = %object.kind(), status = ?result.status, "submission");
    Ok(respond(&[result]))
}

/// 201 / 202 / 200 with `{"results": [...]}`.
pub(super) fn respond(results: &[ItemResult]) -> Response {
    let status = if results.iter().any(|r| matches!(r.status, Status::Stored)) {
        StatusCode::CREATED
    } else if results
        .iter()
        .any(|r| matches!(r.status, Status::Pending(_) | Status::Held(_)))
    {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    let results: Vec<Value> = results.iter().map(ItemResult::to_json).collect();
    (status, Json(json!({ "results": results }))).into_response()
}
