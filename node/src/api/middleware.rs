//! Cross-cutting layers written as small `from_fn` middleware: the request
//! timeout (with a JSON error rather than an empty 408) and the per-route
//! request counter.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::ApiState;

/// Fails a request that has not produced its response head within the limit.
/// Covers reading the body, so a slow upload cannot hold a worker forever.
pub(crate) async fn timeout(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request was not completed within {} s; anything acknowledged \
                 before is kept, and submissions are safe to retry",
                limit.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

/// Counts each response under its route template and status.
pub(crate) async fn count_requests(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    state.metrics.count_http(&route, response.status().as_u16());
    response
}

/// The fallback for paths no route matches.
pub(crate) async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such endpoint; see docs/openapi.yaml",
    )
}
