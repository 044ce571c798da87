//! Cross-cutting layers written as small `from_fn` middleware: the request
//! timeout (with a JSON error rather than an empty 408), the per-route
//! request counter, and the security headers every response carries.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::{ApiError, ApiState};

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

/// The policy of every response that does not set its own (the pages set a
/// stricter-for-pages one in `web::html`): nothing may run or load, and no
/// other site may frame it. The API shares its origin with the pages, so a
/// JSON or CBOR answer must never be treated as a document that runs.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds `X-Content-Type-Options: nosniff` and, unless the response set its
/// own, the restrictive [`API_CSP`] to every response, so that no answer
/// (an object's JSON, a CBOR body, an error) can be sniffed into HTML that
/// runs on the pages' origin.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
    }
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
