//! `GET /healthz` and `GET /metrics`: for operators and their monitoring.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use baraza_api_types::Health;
use baraza_protocol::ObjectId;

use crate::http::ApiState;
use crate::metrics::{OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE};

/// `GET /healthz`: 200 `{"status": "ok", "objects": N}` when the store
/// answers a read, 503 `{"status": "error", "message": …}` when it does not.
pub(crate) async fn healthz(State(state): State<ApiState>) -> Response {
    match state.service.contains(ObjectId([0; 32])).await {
        Ok(_) => Json(Health::Ok {
            objects: state.store.len(),
        })
        .into_response(),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health::Error {
                message: error.to_string(),
            }),
        )
            .into_response(),
    }
}

/// `GET /metrics`: OpenMetrics text. Scrapers that accept
/// `application/openmetrics-text` (Prometheus) get that media type; every
/// other client the same text as `text/plain; version=0.0.4`.
pub(crate) async fn metrics(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    let text = state.metrics.render(&state.store);
    let openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let content_type = if openmetrics {
        OPENMETRICS_CONTENT_TYPE
    } else {
        TEXT_CONTENT_TYPE
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        text,
    )
        .into_response()
}
