//! `GET /healthz` and `GET /metrics`: for operators and their monitoring.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use baraza_api_types::Health;
use baraza_protocol::ObjectId;

use crate::http::ApiState;

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

/// `GET /metrics`: Prometheus text exposition format 0.0.4.
pub(crate) async fn metrics(State(state): State<ApiState>) -> Response {
    let text = state.metrics.render(&state.store);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}
