//! The node's one service layer: what the HTTP API, the web pages and the
//! peer protocol ask of the store, each answered off the async threads.
//!
//! - [`ingest`]: decode, verify and store encodings — the one path every
//!   object takes in, from `POST /v1/objects` and from peers alike. Each
//!   edge keeps its own policy (HTTP statuses and metrics in `api`, peer
//!   offences in `p2p`) and reads the same [`Admission`]s.
//! - [`objects`], [`listings`], [`export`]: reads.
//! - [`audit`]: audit reports and bundles, under a concurrency limit.
//!
//! Blocking work (sled reads, decoding, signature checks, audits) runs on
//! `spawn_blocking` through [`blocking`]; nothing here knows about HTTP.

pub mod audit;
pub mod export;
pub mod ingest;
pub mod listings;
pub mod log;
pub mod objects;

use std::sync::Arc;

use baraza_protocol::audit::BundleError;
use baraza_protocol::ObjectId;
use tokio::sync::Semaphore;

pub use export::ExportPage;
pub use ingest::{Admission, Refusal, Verdict};

use crate::store::{SharedStore, StoreError};

/// Why a service call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The object is not stored (and not pending).
    #[error("object {0} is not stored on this node")]
    NotFound(ObjectId),
    /// The object was received but waits for objects it references.
    #[error("object {0} waits for objects it references")]
    Pending(ObjectId),
    /// An audit bundle could not be built (too large, …).
    #[error("{0}")]
    Bundle(BundleError),
    /// A log query asked for what the log does not have (a tree larger
    /// than the log, an index not in the tree, an old size above the new).
    #[error("{0}")]
    Log(String),
    /// The object's log entry is newer than the latest checkpoint.
    #[error("log entry {index} is not in the latest checkpoint (of {size} entries) yet")]
    NotInCheckpoint {
        /// The entry's index.
        index: u64,
        /// The latest checkpoint's size (0: none yet).
        size: u64,
    },
    /// A blocking task panicked or was cancelled, or a limiter closed: a bug.
    #[error("{0}")]
    Internal(String),
}

impl From<tokio::task::JoinError> for ServiceError {
    fn from(error: tokio::task::JoinError) -> ServiceError {
        tracing::error!(%error, "a blocking task of the service failed");
        ServiceError::Internal("the request's worker task failed".into())
    }
}

/// Runs `work` on a blocking thread and waits for it.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ServiceError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ServiceError> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}

/// The reads and audits of one node, for its HTTP handlers. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    /// The object store.
    store: SharedStore,
    /// Permits for audits (each owned by the blocking task doing the work).
    audits: Arc<Semaphore>,
}

impl Service {
    /// The service over `store`, computing at most `audit_concurrency`
    /// audits at once.
    pub fn new(store: SharedStore, audit_concurrency: usize) -> Service {
        Service {
            store,
            audits: Arc::new(Semaphore::new(audit_concurrency.max(1))),
        }
    }

    /// The store.
    pub fn store(&self) -> &SharedStore {
        &self.store
    }
}
