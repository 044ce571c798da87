//! The API's one error type and its JSON form:
//! `{"error": code, "message": text, "item": index?}`.
//!
//! `error` is a stable snake_case code clients can match on: for objects
//! that fail to decode it is [`baraza_protocol::ObjectError::code`] (the
//! codes of `docs/PROTOCOL.md`); the API's own codes are listed in
//! `docs/openapi.yaml`. `message` says what was wrong and what to do.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use baraza_api_types::{ErrorBody, ItemResult};
use baraza_protocol::audit::BundleError;
use baraza_protocol::ObjectError;

use crate::service::ServiceError;
use crate::store::StoreError;

/// Seconds a client is asked to wait after a 503 caused by a full pending set.
const PENDING_FULL_RETRY_SECS: u64 = 5;
/// Seconds a client is asked to wait after the store failed.
const STORE_FAILED_RETRY_SECS: u64 = 30;

/// An API error: the HTTP status, a stable code and a human message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// What was wrong and what to do.
    pub message: String,
    /// For bulk submissions: the (0-based) index of the offending item.
    pub item: Option<usize>,
    /// Sent as `Retry-After` (seconds), for 429 and 503.
    pub retry_after: Option<u64>,
    /// For bulk submissions: every item's result, so a client knows what was stored.
    pub results: Option<Vec<ItemResult>>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            item: None,
            retry_after: None,
            results: None,
        }
    }

    /// 400 with this code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 `not_found` for this object id (or other thing).
    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} is not stored on this node"),
        )
    }

    /// A 400 for an object that does not decode, with its protocol code.
    pub fn invalid_object(error: &ObjectError) -> ApiError {
        ApiError::invalid(error.code(), error.to_string())
    }

    /// A 400 for an object that does not decode: its protocol code and message.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        let mut message = message.into();
        if code == "trailing_bytes" {
            message.push_str(
                "; to submit several objects at once use Content-Type: application/cbor-seq",
            );
        }
        ApiError::bad_request(code, message)
    }

    /// Names the bulk item this error is about.
    pub fn at_item(mut self, index: usize) -> ApiError {
        self.item = Some(index);
        self
    }

    /// Asks the client to retry after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// Attaches per-item results of a bulk submission.
    pub fn with_results(mut self, results: Vec<ItemResult>) -> ApiError {
        self.results = Some(results);
        self
    }

    /// A 500 for a bug (a task that panicked, an impossible state).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        ApiError::from(&error)
    }
}

impl From<&StoreError> for ApiError {
    fn from(error: &StoreError) -> ApiError {
        match error {
            StoreError::PendingFull { .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "pending_full",
                error.to_string(),
            )
            .retry_after(PENDING_FULL_RETRY_SECS),
            StoreError::TooFarAhead { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "too_far_ahead",
                error.to_string(),
            ),
            StoreError::DiskFull { .. } => {
                tracing::warn!(%error, "refusing a write");
                ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "disk_full",
                    format!("{error}; nothing acknowledged earlier is lost"),
                )
                .retry_after(STORE_FAILED_RETRY_SECS)
            }
            StoreError::Corrupt { .. } => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "store_corrupt",
                format!("{error}; the node's operator should check its data directory"),
            ),
            _ => {
                tracing::error!(%error, "store failure while serving a request");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    format!(
                        "the node could not write or read its store ({error}); \
                         nothing acknowledged earlier is lost; retry later"
                    ),
                )
                .retry_after(STORE_FAILED_RETRY_SECS)
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> ApiError {
        match error {
            ServiceError::Store(error) => error.into(),
            ServiceError::NotFound(id) => ApiError::not_found(format!("object {id}")),
            ServiceError::Pending(id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "pending",
                format!(
                    "object {id} was received but waits for objects it references; \
                     it is stored as soon as they arrive"
                ),
            ),
            ServiceError::Bundle(
                error @ (BundleError::TooLarge { .. } | BundleError::TooManyObjects { .. }),
            ) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bundle_too_large",
                format!("{error}; the audit report (GET /v1/audit/{{id}}) is still available"),
            ),
            ServiceError::Bundle(error) => ApiError::internal(error.to_string()),
            ServiceError::Log(message) => ApiError::bad_request("out_of_range", message),
            error @ ServiceError::NotInCheckpoint { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "not_in_checkpoint",
                format!(
                    "{error}; the node signs a checkpoint every few seconds while its log \
                     grows: ask again shortly, or pass size= for a proof into an unsigned tree"
                ),
            ),
            ServiceError::Internal(message) => ApiError::internal(message),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> ApiError {
        tracing::error!(%error, "a blocking task of the API failed");
        ApiError::internal("the request's worker task failed")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
            item: self.item,
            results: self.results,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
