//! What every HTTP handler shares ([`ApiState`]) and the limits it is
//! built from ([`ApiLimits`]).

use std::sync::Arc;
use std::time::Duration;

use baraza_protocol::limits::MAX_OBJECT_BYTES;
use tokio::sync::{watch, Semaphore};

use super::rate_limit::{RateLimit, RateLimiter};
use crate::config::HttpConfig;
use crate::metrics::Metrics;
use crate::service::Service;
use crate::store::SharedStore;

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
    /// Signs receipts and checkpoints for the node's log.
    pub notary: Arc<crate::tlog::Notary>,
    /// Reads, audits and ingest over `store` (audits limited by `limits`).
    pub service: Service,
    /// Limiters and the shutdown signal, built from `limits` by [`ApiState::new`].
    pub(crate) shared: Arc<Shared>,
}

/// The limiters every handler shares.
pub(crate) struct Shared {
    /// `None` when rate limiting is off.
    pub(crate) rate_limiter: Option<RateLimiter>,
    /// Permits for bulk submissions.
    pub(crate) bulk: Semaphore,
    /// Permits for event streams (owned by each open stream).
    pub(crate) event_streams: Arc<Semaphore>,
    /// Set to `true` to end every event stream (graceful shutdown).
    pub(crate) shutdown: watch::Sender<bool>,
}

impl ApiState {
    /// The state for these parts, with limiters sized by `limits`.
    pub fn new(
        store: SharedStore,
        metrics: Arc<Metrics>,
        limits: ApiLimits,
        notary: Arc<crate::tlog::Notary>,
    ) -> ApiState {
        let shared = Shared {
            rate_limiter: limits.rate_limit.map(RateLimiter::new),
            bulk: Semaphore::new(limits.bulk_concurrency.max(1)),
            event_streams: Arc::new(Semaphore::new(limits.max_event_streams)),
            shutdown: watch::Sender::new(false),
        };
        ApiState {
            service: Service::new(store.clone(), limits.audit_concurrency),
            store,
            metrics,
            limits,
            p2p: None,
            notary,
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
    /// [`serve`](crate::server::serve) calls it when its shutdown signal fires.
    pub fn close_streams(&self) {
        self.shared.shutdown.send_replace(true);
    }
}
