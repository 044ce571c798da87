//! What the HTTP handlers of `api` and `web` share, and nothing of either:
//! the state ([`ApiState`], [`ApiLimits`]), the one error type
//! ([`ApiError`], with the service's errors mapped to statuses), the typed
//! extractors whose rejections are that error (`extract`), and the
//! per-client rate limit. `server` composes the two route sets on top.

pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod rate_limit;
mod state;

pub use error::ApiError;
pub use extract::DEFAULT_PAGE;
pub use rate_limit::RateLimit;
pub use state::{
    ApiLimits, ApiState, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_BULK_ITEMS,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT,
};
