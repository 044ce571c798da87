//! The node's durable object store: the [`ObjectStore`] seam and its engines.
//!
//! Only verified objects are stored (the type system sees to it: the write
//! path takes [`SignedObject`]s). Inserts are idempotent. An object whose
//! references are not all stored yet waits in a bounded pending set and is
//! stored the moment its last missing reference arrives; one dated ahead
//! of the node's clock is held until its time comes. Those rules live once,
//! in `admission.rs`; each engine supplies only the reads and writes.
//!
//! Engines: [`SledStore`] (the node's, on disk: [`ObjectStore::put`]
//! returns only after its writes are durable, by group commit on a writer
//! thread, see `writer.rs` and `sled_batch.rs`, so an acknowledged
//! submission survives kill -9) and [`MemoryStore`] (for fast tests, same
//! semantics, nothing durable). Both run one conformance suite
//! (`conformance/`).

mod admission;
mod cursor;
mod fork;
pub(crate) mod keys;
mod listing;
mod log;
mod log_proofs;
mod memory;
mod object_store;
mod sled_batch;
mod sled_log;
mod sled_store;
mod sync_index;
mod writer;

use std::sync::Arc;

use baraza_protocol::{Kind, ObjectId, PublicKey, SignedObject};

pub use cursor::{Cursor, CursorError, MAX_CURSOR_BYTES};
pub use fork::fork_log;
pub use log::{LogEntry, LogQueryError};
pub use log_proofs::MAX_CHECKPOINT_SCAN;
pub use memory::MemoryStore;
pub use object_store::{ObjectStore, SharedStore};
pub use sled_store::SledStore;

/// The node's store engine (sled), under the name the node has always used.
pub type Store = SledStore;

/// Default for [`StoreOptions::max_pending`].
pub const MAX_PENDING: usize = 10_000;
/// Default for [`StoreOptions::min_free_bytes`] (64 MiB).
pub const MIN_FREE_BYTES: u64 = 64 << 20;
/// Most objects a listing page returns.
pub const MAX_PAGE: usize = 1000;
/// Capacity of the new-object broadcast (slow subscribers skip ahead and
/// resume from the durable event log by cursor).
pub const EVENT_BROADCAST: usize = 1024;

/// What went wrong in the store.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The storage engine failed (an IO error, a full disk, corruption
    /// the engine detected). `detail` is the engine's own words.
    #[error("storage error: {detail}")]
    Engine {
        /// What the engine said.
        detail: String,
    },
    /// The data dir holds bytes that no longer decode.
    #[error("stored object {id} is corrupt: {detail}")]
    Corrupt {
        /// Which object.
        id: String,
        /// Why it does not decode.
        detail: String,
    },
    /// Another process (or a handle not yet released) holds the data dir.
    #[error(
        "the data dir {dir} is in use by another process (is another baraza node running on it?)"
    )]
    Locked {
        /// The data dir.
        dir: String,
    },
    /// The pending set is full.
    #[error("too many objects are waiting for missing references (limit {limit}); submit the referenced objects first")]
    PendingFull {
        /// The limit.
        limit: usize,
    },
    /// The object is dated too far ahead of this node's clock to be held
    /// until its time comes.
    #[error("created_at is {ahead_secs} s ahead of this node's clock; objects up to {limit_secs} s ahead are held until their time comes, later ones refused (is the signer's clock wrong?)")]
    TooFarAhead {
        /// How far ahead, in seconds.
        ahead_secs: u64,
        /// The most that is held, in seconds.
        limit_secs: u64,
    },
    /// The disk is (nearly) full: writes are refused, reads go on.
    #[error("the disk holding {dir} has {free_mb} MiB free, below the {reserve_mb} MiB reserve (store.min_free_mb); writes resume when space is freed")]
    DiskFull {
        /// The data dir.
        dir: String,
        /// Free space, MiB.
        free_mb: u64,
        /// The reserve, MiB.
        reserve_mb: u64,
    },
    /// Writes were applied but could not be made durable.
    #[error("could not make writes durable: {0}")]
    Flush(String),
    /// The store was closed ([`ObjectStore::close`]): reads go on, writes
    /// are refused.
    #[error("the store is closed; writes are refused")]
    Closed,
}

/// The result of offering one object to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// Newly stored, with its local sequence number.
    Stored {
        /// Position in this node's event log.
        seq: u64,
        /// Its entry in this node's transparency log (`None` only for an
        /// engine without one).
        log: Option<LogEntry>,
    },
    /// Already stored before.
    Known,
    /// Held until these referenced objects arrive.
    Pending {
        /// The references not yet stored.
        missing: Vec<ObjectId>,
    },
    /// Dated ahead of this node's clock (beyond the allowed skew): held
    /// until its time comes, then stored like any other.
    Held {
        /// When it will be offered again (ms since the epoch).
        until: u64,
    },
}

/// A newly stored object, as broadcast to subscribers.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Position in the event log.
    pub seq: u64,
    /// The object.
    pub object: SignedObject,
}

/// Which index a listing walks.
#[derive(Debug, Clone)]
pub enum Listing {
    /// Every object of a kind, oldest first.
    Kind(Kind),
    /// Every object by an author, oldest first.
    Author(PublicKey),
    /// Comments or drafts (or attestations of editors) of one section of a charter.
    Section {
        /// The charter.
        charter: ObjectId,
        /// The section slug.
        section: String,
        /// Which kind.
        kind: Kind,
    },
    /// Objects referencing a target, optionally of one kind only.
    Referrers {
        /// The referenced object.
        target: ObjectId,
        /// Only this kind, if set.
        kind: Option<Kind>,
    },
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    /// The objects, in index order.
    pub objects: Vec<SignedObject>,
    /// Pass back to get the next page; `None` at the end.
    pub next: Option<Cursor>,
}

/// How to open a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// Most objects that may wait at once (for missing references, or
    /// for their time to come).
    pub max_pending: usize,
    /// Free space (bytes) to keep on the data dir's disk (sled only): below it, writes
    /// are refused with [`StoreError::DiskFull`] while reads go on, so the
    /// store never meets a full disk half-way through a write.
    pub min_free_bytes: u64,
    /// Called after each flush (sled only) with its duration (s) and the
    /// waiters it served; lets metrics observe the store without the store
    /// knowing them.
    pub on_flush: Option<Arc<dyn Fn(f64, usize) + Send + Sync>>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_pending: MAX_PENDING,
            min_free_bytes: MIN_FREE_BYTES,
            on_flush: None,
        }
    }
}

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod tests;

/// This node's clock: ms since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
