//! `GET /v1/audit/{id}` (the JSON audit report) and
//! `GET /v1/audit/{id}/bundle` (the offline bundle, an RFC 8742 CBOR
//! sequence), both evaluated by the service (`crate::service::audit`) over
//! the store, on blocking threads, at most `ApiLimits::audit_concurrency`
//! at once. `?as_of=MS` passes the auditor's clock (only future-dating
//! depends on it); without it the report is the same on every node holding
//! the same objects.
//!
//! A store error during an audit fails the request (503) rather than
//! yielding a report that silently calls the unreadable objects missing.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use baraza_protocol::audit::AuditOptions;
use serde::Deserialize;

use crate::http::extract::{ApiQuery, IdPath};
use crate::http::{ApiError, ApiState};

/// `?as_of=MS`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AuditQuery {
    as_of: Option<u64>,
}

/// `GET /v1/audit/{id}`.
pub(crate) async fn report(
    State(state): State<ApiState>,
    IdPath(id): IdPath,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let options = AuditOptions { as_of: query.as_of };
    let json = state.service.audit_report_json(id, options).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// `GET /v1/audit/{id}/bundle`.
pub(crate) async fn bundle(
    State(state): State<ApiState>,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let bytes = state.service.audit_bundle(id).await?;
    let disposition = format!("attachment; filename=\"audit-{}.cbor-seq\"", id.short());
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/cbor-seq"),
        )],
        bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
