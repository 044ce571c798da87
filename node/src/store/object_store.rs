//! [`ObjectStore`]: what the node needs from a store, whatever the engine.
//!
//! The node holds its store as a [`SharedStore`] (`Arc<dyn ObjectStore>`),
//! so the trait is object safe: the async methods go through `async-trait`
//! (one boxed future per call, which a durable put, a flush or a close
//! dwarfs; hand-written `Pin<Box<dyn Future>>` signatures would cost the
//! same and read worse), and the sync index is lent to a non-generic
//! callback ([`ObjectStore::read_sync_index`]), with a generic
//! `with_sync_index` on `dyn ObjectStore` for callers.

use std::sync::Arc;

use async_trait::async_trait;
use baraza_protocol::sync::SyncIndex;
use baraza_protocol::tlog::{Hash, LogLeaf};
use baraza_protocol::{Kind, ObjectId, PublicKey, SignedObject};
use tokio::sync::broadcast;

use super::{Cursor, Listing, LogEntry, Page, PutOutcome, StoreError, StoredEvent};

/// A store shared by the node's parts.
pub type SharedStore = Arc<dyn ObjectStore>;

/// A store of verified objects: idempotent puts, a bounded pending set
/// for objects whose references are missing, future-dated objects held
/// until their time comes, an event log, listings, and the sync index.
/// Every engine passes the same conformance suite.
#[async_trait]
pub trait ObjectStore: Send + Sync + 'static {
    /// Offers verified objects; returns one outcome per object once every
    /// write is durable (as durable as the engine makes anything). An
    /// error for one object (pending set full) does not stop the others.
    async fn put(
        &self,
        objects: &[SignedObject],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError>;

    /// The object with this id, if stored.
    fn get(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError>;

    /// The encoded bytes of the object with this id, if stored.
    fn get_bytes(&self, id: &ObjectId) -> Result<Option<Vec<u8>>, StoreError>;

    /// Whether the object is stored.
    fn contains(&self, id: &ObjectId) -> Result<bool, StoreError>;

    /// Whether the object is stored or waiting in the pending set: either
    /// way its bytes are here, and fetching it again gains nothing. (The
    /// pending lookup is skipped while the pending set is empty.)
    fn holds(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.contains(id)? || (self.pending_len() > 0 && self.is_pending(id)?))
    }

    /// Whether the object is waiting in the pending set.
    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError>;

    /// One page of a listing, oldest first. `after` is the `next` of the
    /// previous page.
    fn list(
        &self,
        listing: &Listing,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page, StoreError>;

    /// Objects stored after event `after` (exclusive), in arrival order.
    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError>;

    /// A receiver of every object stored from now on.
    fn subscribe(&self) -> broadcast::Receiver<StoredEvent>;

    /// Stored objects per kind.
    fn counts(&self) -> Vec<(Kind, u64)>;

    /// Total stored objects.
    fn len(&self) -> u64 {
        self.counts().iter().map(|(_, n)| n).sum()
    }

    /// Whether nothing is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Objects waiting for references (or for their time).
    fn pending_len(&self) -> usize;

    /// Of the pending objects, those held until their time comes.
    fn held_len(&self) -> usize;

    /// Offers every held object whose time has come (the node calls this
    /// every second while [`ObjectStore::held_len`] is not zero); returns
    /// once they are durable.
    async fn release_due(&self) -> Result<(), StoreError>;

    /// The sequence number of the newest stored object (0 when empty).
    fn last_seq(&self) -> u64;

    /// Bytes the store uses on disk (0 for an engine that uses none).
    fn size_on_disk(&self) -> Result<u64, StoreError>;

    /// Revocations of `key`.
    fn revocations_of(&self, key: &PublicKey) -> Result<Vec<SignedObject>, StoreError>;

    /// Every object referencing `target`.
    fn referrers(&self, target: &ObjectId) -> Result<Vec<SignedObject>, StoreError>;

    /// Runs `f` once over the sync index (writers wait for it) and returns
    /// true, or returns false without running it while the index is not
    /// ready (still loading after open). Callers use `with_sync_index`
    /// on `dyn ObjectStore`.
    fn read_sync_index(&self, f: &mut dyn FnMut(&SyncIndex)) -> bool;

    /// Entries of this node's transparency log that are durable (every
    /// stored object is one, in event-log order; see `log.rs`).
    fn log_size(&self) -> u64;

    /// Where the stored object `id` is in the log.
    fn log_entry(&self, id: &ObjectId) -> Result<Option<LogEntry>, StoreError>;

    /// The log's entries from index `start` on, at most `limit` (capped at
    /// [`super::MAX_PAGE`]), durable ones only.
    fn log_leaves(&self, start: u64, limit: usize) -> Result<Vec<LogLeaf>, StoreError>;

    /// The log tree's stored hashes at `indexes` (`tlog_tiles`' layout),
    /// in that order; an error if one is missing.
    fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError>;

    /// Keeps the signed checkpoint `note` of the tree of `size` entries,
    /// durably, replacing one kept for that size before (the same
    /// checkpoint with more cosignatures).
    async fn put_checkpoint(&self, size: u64, note: &[u8]) -> Result<(), StoreError>;

    /// The checkpoint kept for the tree of `size` entries, or with `None`
    /// the latest, as (size, note).
    fn checkpoint(&self, size: Option<u64>) -> Result<Option<(u64, Vec<u8>)>, StoreError>;

    /// The first (smallest) checkpoint kept whose tree holds at least
    /// `size` entries, as (size, note).
    fn checkpoint_from(&self, size: u64) -> Result<Option<(u64, Vec<u8>)>, StoreError>;

    /// Keeps a small named record beside the objects (a witness's memory
    /// of a log, equivocation evidence), durably, replacing one of that name.
    async fn put_record(&self, name: &str, value: &[u8]) -> Result<(), StoreError>;

    /// The record of that name.
    fn record(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Records whose names start with `prefix`, in name order, at most
    /// `limit` (capped at [`super::MAX_PAGE`]).
    fn records_under(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError>;

    /// Makes everything written so far durable.
    async fn flush(&self) -> Result<(), StoreError>;

    /// Lets queued writes finish, makes everything durable and stops the
    /// engine's background work; later writes are refused
    /// ([`StoreError::Closed`]), reads go on. An engine on disk releases
    /// its data dir when the last handle is dropped.
    async fn close(&self) -> Result<(), StoreError>;
}

impl dyn ObjectStore {
    /// Runs `f` over the sync index, or gives `None` while the index is
    /// still loading after open.
    pub fn with_sync_index<R>(&self, f: impl FnOnce(&SyncIndex) -> R) -> Option<R> {
        let mut f = Some(f);
        let mut out = None;
        self.read_sync_index(&mut |index| {
            if let Some(f) = f.take() {
                out = Some(f(index));
            }
        });
        out
    }
}

/// A shared store is a store: `&SharedStore` goes wherever a
/// `&dyn ObjectStore` is asked for, with no `&*` at the call site.
#[async_trait]
impl<S: ObjectStore + ?Sized> ObjectStore for Arc<S> {
    async fn put(
        &self,
        objects: &[SignedObject],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        (**self).put(objects).await
    }
    fn get(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
        (**self).get(id)
    }
    fn get_bytes(&self, id: &ObjectId) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get_bytes(id)
    }
    fn contains(&self, id: &ObjectId) -> Result<bool, StoreError> {
        (**self).contains(id)
    }
    fn holds(&self, id: &ObjectId) -> Result<bool, StoreError> {
        (**self).holds(id)
    }
    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
        (**self).is_pending(id)
    }
    fn list(
        &self,
        listing: &Listing,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        (**self).list(listing, after, limit)
    }
    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        (**self).events_after(after, limit)
    }
    fn subscribe(&self) -> broadcast::Receiver<StoredEvent> {
        (**self).subscribe()
    }
    fn counts(&self) -> Vec<(Kind, u64)> {
        (**self).counts()
    }
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn pending_len(&self) -> usize {
        (**self).pending_len()
    }
    fn held_len(&self) -> usize {
        (**self).held_len()
    }
    async fn release_due(&self) -> Result<(), StoreError> {
        (**self).release_due().await
    }
    fn last_seq(&self) -> u64 {
        (**self).last_seq()
    }
    fn size_on_disk(&self) -> Result<u64, StoreError> {
        (**self).size_on_disk()
    }
    fn revocations_of(&self, key: &PublicKey) -> Result<Vec<SignedObject>, StoreError> {
        (**self).revocations_of(key)
    }
    fn referrers(&self, target: &ObjectId) -> Result<Vec<SignedObject>, StoreError> {
        (**self).referrers(target)
    }
    fn read_sync_index(&self, f: &mut dyn FnMut(&SyncIndex)) -> bool {
        (**self).read_sync_index(f)
    }
    fn log_size(&self) -> u64 {
        (**self).log_size()
    }
    fn log_entry(&self, id: &ObjectId) -> Result<Option<LogEntry>, StoreError> {
        (**self).log_entry(id)
    }
    fn log_leaves(&self, start: u64, limit: usize) -> Result<Vec<LogLeaf>, StoreError> {
        (**self).log_leaves(start, limit)
    }
    fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        (**self).log_hashes(indexes)
    }
    async fn put_checkpoint(&self, size: u64, note: &[u8]) -> Result<(), StoreError> {
        (**self).put_checkpoint(size, note).await
    }
    fn checkpoint(&self, size: Option<u64>) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        (**self).checkpoint(size)
    }
    fn checkpoint_from(&self, size: u64) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        (**self).checkpoint_from(size)
    }
    async fn put_record(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        (**self).put_record(name, value).await
    }
    fn record(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).record(name)
    }
    fn records_under(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        (**self).records_under(prefix, limit)
    }
    async fn flush(&self) -> Result<(), StoreError> {
        (**self).flush().await
    }
    async fn close(&self) -> Result<(), StoreError> {
        (**self).close().await
    }
}
