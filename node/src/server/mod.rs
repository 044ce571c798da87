//! The node's HTTP server: one router composing the API's routes
//! (`crate::api`) and the pages' (`crate::web`) under the shared layers
//! (request timeout, per-client rate limit, concurrency limit, body limit,
//! security headers, request counting), and the accept loop that serves it.
//!
//! Neither `api` nor `web` imports the other: both build on `crate::http`
//! (state, error, extractors) and `crate::service` (the store's reads,
//! audits and the one ingest path).

mod middleware;
mod serve;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::Router;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::trace::TraceLayer;

pub use serve::serve;

use crate::http::{rate_limit, ApiState};
use crate::{api, web};

/// The node's routes and layers. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` (as [`serve`]
/// does), or the per-client rate limit cannot see clients and is skipped.
pub fn router(state: ApiState) -> Router {
    let limits = &state.limits;
    let timeout = from_fn_with_state(limits.request_timeout, middleware::timeout);
    let timed = api::routes().merge(web::routes()).layer(timeout.clone());
    let v1 = timed
        .merge(api::stream_routes())
        .merge(api::long_routes())
        .layer(from_fn_with_state(state.clone(), rate_limit::limit));
    let operations = api::operation_routes().layer(timeout);
    v1.merge(operations)
        .fallback(middleware::no_route)
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::count_requests,
        ))
        .layer(GlobalConcurrencyLimitLayer::new(
            limits.max_in_flight.max(1),
        ))
        .layer(DefaultBodyLimit::max(limits.max_object_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
