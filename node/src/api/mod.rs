//! The node's HTTP API (axum): submit signed objects, read objects and
//! listings, audit reports and bundles, an event stream of new objects,
//! health and metrics. `docs/openapi.yaml` describes every endpoint, status
//! and schema.
//!
//! | endpoint | file |
//! |---|---|
//! | `POST /v1/objects` | `submit.rs` (single), `bulk.rs` (sequences), `results.rs` (their answers) |
//! | `GET /v1/objects/{id}` | `objects.rs` |
//! | `GET /v1/charters`, `…/sections/{slug}/comments`, `…/drafts`, `/v1/objects/{id}/endorsements`, `…/referrers`, `/v1/authors/{did}/objects` | `listings.rs` |
//! | `GET /v1/audit/{id}`, `GET /v1/audit/{id}/bundle` | `audit.rs` |
//! | `GET /v1/events` | `events.rs` |
//! | `GET /v1/export` | `export.rs` |
//! | `GET /v1/p2p`, `POST /v1/p2p/sync`, `POST /v1/p2p/dial` | `peers.rs` |
//! | `GET /v1/log`, `…/checkpoint`, `…/entries`, `…/inclusion`, `…/consistency` | `log.rs` |
//! | `GET /healthz`, `GET /metrics` | `health.rs` |
//!
//! Handlers are thin: typed extractors (`crate::http::extract`) turn the
//! path and query into values or a 400, the service (`crate::service`)
//! does the work off the async threads (objects go in through its one
//! `ingest`, shared with the peer protocol), and the JSON written is the
//! shared `baraza_api_types`. What is HTTP's own stays here: statuses,
//! metrics, and the bulk policy of going on after an invalid item.
//!
//! Everything is bounded: request bodies (by content type), bulk item
//! counts, concurrent requests, concurrent bulk submissions, audits and
//! event streams, each client's request rate, and every request's duration
//! (except the event stream, which is meant to stay open). Errors are JSON
//! (`crate::http::error`). The shared state, error and extractors live in
//! `crate::http`; `crate::server` composes these routes with the pages'.

mod audit;
mod body;
mod bulk;
mod events;
mod export;
mod health;
mod listings;
mod log;
mod objects;
mod peers;
mod results;
mod submit;

use axum::routing::{get, post};
use axum::Router;

pub use crate::http::{
    ApiError, ApiLimits, ApiState, RateLimit, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BULK_BYTES,
    DEFAULT_MAX_BULK_ITEMS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PAGE, DEFAULT_REQUEST_TIMEOUT,
};

/// The `/v1/…` routes answered within the request timeout.
pub(crate) fn routes() -> Router<ApiState> {
    Router::new()
        .route("/v1/objects", post(submit::submit))
        .route("/v1/objects/{id}", get(objects::get_object))
        .route("/v1/objects/{id}/endorsements", get(listings::endorsements))
        .route("/v1/objects/{id}/referrers", get(listings::referrers))
        .route("/v1/charters", get(listings::charters))
        .route(
            "/v1/charters/{id}/sections/{slug}/comments",
            get(listings::comments),
        )
        .route(
            "/v1/charters/{id}/sections/{slug}/drafts",
            get(listings::drafts),
        )
        .route("/v1/authors/{did}/objects", get(listings::by_author))
        .route("/v1/audit/{id}", get(audit::report))
        .route("/v1/audit/{id}/bundle", get(audit::bundle))
        .route("/v1/export", get(export::export))
        .route("/v1/log", get(log::info))
        .route("/v1/log/checkpoint", get(log::checkpoint))
        .route("/v1/log/entries", get(log::entries))
        .route("/v1/log/inclusion", get(log::inclusion))
        .route("/v1/log/consistency", get(log::consistency))
        .route("/v1/log/evidence", get(log::evidence))
        .route("/v1/p2p", get(peers::status))
        .route("/v1/p2p/dial", post(peers::dial))
}

/// `/v1/…` routes that may outlast the request timeout: a sync of a long
/// catch-up.
pub(crate) fn long_routes() -> Router<ApiState> {
    Router::new().route("/v1/p2p/sync", post(peers::sync))
}

/// The event stream, meant to stay open.
pub(crate) fn stream_routes() -> Router<ApiState> {
    Router::new().route("/v1/events", get(events::events))
}

/// Operations' routes (not rate limited): health and metrics.
pub(crate) fn operation_routes() -> Router<ApiState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
}
