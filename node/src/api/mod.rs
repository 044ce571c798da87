//! The node's HTTP API (axum): submit signed objects, read objects and
//! listings, audit reports and bundles, an event stream of new objects,
//! health and metrics. `docs/openapi.yaml` describes every endpoint, status
//! and schema.
//!
//! | endpoint | file |
//! |---|---|
//! | `POST /v1/objects` | `submit.rs` |
//! | `GET /v1/objects/{id}` | `objects.rs` |
//! | `GET /v1/charters`, `…/sections/{slug}/comments`, `…/drafts`, `/v1/objects/{id}/endorsements`, `…/referrers`, `/v1/authors/{did}/objects` | `listings.rs` |
//! | `GET /v1/audit/{id}`, `GET /v1/audit/{id}/bundle` | `audit.rs` |
//! | `GET /v1/events` | `events.rs` |
//! | `GET /healthz`, `GET /metrics` | `health.rs` |
//!
//! Everything is bounded: request bodies (by content type), bulk item
//! counts, concurrent requests, concurrent bulk submissions, audits and
//! event streams, each client's request rate, and every request's duration
//! (except the event stream, which is meant to stay open). Errors are JSON
//! (`error.rs`).

pub(crate) mod audit;
mod body;
mod bulk;
pub(crate) mod error;
mod events;
mod export;
mod health;
mod listings;
mod middleware;
mod objects;
mod params;
mod peers;
mod rate_limit;
mod serve;
mod submit;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use baraza_protocol::limits::MAX_OBJECT_BYTES;
use tokio::sync::{watch, Semaphore};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use params::DEFAULT_PAGE;
pub use rate_limit::RateLimit;

use crate::config::HttpConfig;
use crate::metrics::Metrics;
use crate::store::SharedStore;
use rate_limit::RateLimiter;
pub use serve::serve;

/// Default [`ApiLimits::max_bulk_bytes`]: 64 MiB.
pub const DEFAULT_MAX_BULK_BYTES: usize = 64 * 1024 * 1024;
/// Default [`ApiLimits::max_bulk_items`].
pub const DEFAULT_MAX_BULK_ITEMS: usize = 100_000;
/// Default [`ApiLimits::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`ApiLimits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default [`ApiLimits::header_timeout`].
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// The API's limits. Every field has a default (see [`ApiLimits::default`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiLimits {
    /// Largest `application/cbor` body: one object. Defaults to the
    /// protocol's limit; raising it past that only moves where the error
    /// is reported (400 `too_large` instead of 413).
    pub max_object_bytes: usize,
    /// Largest `application/cbor-seq` body.
    pub max_bulk_bytes: usize,
    /// Most objects in one bulk body.
    pub max_bulk_items: usize,
    /// Bulk submissions processed at once (each may hold
    /// `max_bulk_bytes` in memory); others wait, within their timeout.
    pub bulk_concurrency: usize,
    /// Audits (reports and bundles) computed at once.
    pub audit_concurrency: usize,
    /// Event streams open at once; more get 503.
    pub max_event_streams: usize,
    /// Requests handled at once across the API; more wait for a slot.
    pub max_in_flight: usize,
    /// Longest a request may take to produce its response head (the
    /// event stream is exempt once open).
    pub request_timeout: Duration,
    /// Per-client rate limit on `/v1/…`; `None` disables it.
    pub rate_limit: Option<RateLimit>,
    /// Connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Longest a connection may take to send a request's headers, and
    /// longest it may sit idle between requests.
    pub header_timeout: Duration,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            max_object_bytes: MAX_OBJECT_BYTES,
            max_bulk_bytes: DEFAULT_MAX_BULK_BYTES,
            max_bulk_items: DEFAULT_MAX_BULK_ITEMS,
            bulk_concurrency: 2,
            audit_concurrency: 2,
            max_event_streams: 256,
            max_in_flight: 1024,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            rate_limit: Some(RateLimit::default()),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
        }
    }
}

impl ApiLimits {
    /// The limits an operator configured; everything the config does not
    /// name keeps its default.
    pub fn from_config(http: &HttpConfig) -> ApiLimits {
        ApiLimits {
            max_bulk_bytes: http.max_bulk_bytes,
            max_bulk_items: http.max_bulk_objects,
            request_timeout: Duration::from_secs(http.request_timeout_secs),
            max_connections: http.max_connections,
            header_timeout: Duration::from_secs(http.header_timeout_secs),
            rate_limit: Some(RateLimit {
                per_second: f64::from(http.rate_per_sec),
                burst: http.rate_burst,
                exempt_loopback: false,
            }),
            ..ApiLimits::default()
        }
    }
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    /// The object store.
    pub store: SharedStore,
    /// The node's metrics (also fed by the store's flush observer).
    pub metrics: Arc<Metrics>,
    /// The limits in force.
    pub limits: ApiLimits,
    /// The peer protocol, when it runs.
    pub p2p: Option<crate::p2p::P2pHandle>,
    /// Limiters and the shutdown signal, built from `limits` by [`ApiState::new`].
    shared: Arc<Shared>,
}

struct Shared {
    /// `None` when rate limiting is off.
    rate_limiter: Option<RateLimiter>,
    /// Permits for bulk submissions.
    bulk: Semaphore,
    /// Permits for audits (owned by the blocking task doing the work).
    audits: Arc<Semaphore>,
    /// Permits for event streams (owned by each open stream).
    event_streams: Arc<Semaphore>,
    /// Set to `true` to end every event stream (graceful shutdown).
    shutdown: watch::Sender<bool>,
}

impl ApiState {
    /// The state for these parts, with limiters sized by `limits`.
    pub fn new(store: SharedStore, metrics: Arc<Metrics>, limits: ApiLimits) -> ApiState {
        let shared = Shared {
            rate_limiter: limits.rate_limit.map(RateLimiter::new),
            bulk: Semaphore::new(limits.bulk_concurrency.max(1)),
            audits: Arc::new(Semaphore::new(limits.audit_concurrency.max(1))),
            event_streams: Arc::new(Semaphore::new(limits.max_event_streams)),
            shutdown: watch::Sender::new(false),
        };
        ApiState {
            store,
            metrics,
            limits,
            p2p: None,
            shared: Arc::new(shared),
        }
    }

    /// The same state, with the peer protocol's routes answering.
    pub fn with_p2p(mut self, p2p: crate::p2p::P2pHandle) -> ApiState {
        self.p2p = Some(p2p);
        self
    }

    /// Ends every open event stream, so that a graceful shutdown of the
    /// server (which waits for responses to finish) can complete.
    /// [`serve`] calls it when its shutdown signal fires.
    pub fn close_streams(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

/// The API's routes and layers. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` (as [`serve`]
/// does), or the per-client rate limit cannot see clients and is skipped.
pub fn router(state: ApiState) -> Router {
    let limits = &state.limits;
    let timeout = from_fn_with_state(limits.request_timeout, middleware::timeout);
    let timed = Router::new()
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
        .route("/v1/p2p", get(peers::status))
        .route("/v1/p2p/dial", post(peers::dial))
        .merge(crate::web::router())
        .layer(timeout.clone());
    // A sync of a long catch-up may take longer than the request timeout.
    let long = Router::new().route("/v1/p2p/sync", post(peers::sync));
    let streams = Router::new().route("/v1/events", get(events::events));
    let v1 = timed
        .merge(streams)
        .merge(long)
        .layer(from_fn_with_state(state.clone(), rate_limit::limit));
    let operations = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .layer(timeout);
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
