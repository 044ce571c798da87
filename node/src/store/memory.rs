//! [`MemoryStore`]: the store in memory, for fast tests.
//!
//! The same admission rules as the sled engine (`admission.rs`), the same
//! index keys in a `BTreeSet` (so listings come in the same order with the
//! same cursors), an event log and a sync index kept in step; nothing
//! survives the process. One lock serialises writes, as sled's writer
//! thread does, and events are broadcast under it, so subscribers see
//! them in event-log order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use baraza_protocol::sync::{SyncIndex, SyncKey};
use baraza_protocol::tlog::{Hash, LogLeaf, StoredHashes};
use baraza_protocol::{Kind, ObjectId, PublicKey, SignedObject};
use tokio::sync::broadcast;

use super::admission::{Counters, Group, Placed, Tables, Unheld};
use super::log::{LogAppender, LogEntry};
use super::{
    keys, listing, now_ms, Cursor, Listing, ObjectStore, Page, PutOutcome, StoreError,
    StoreOptions, StoredEvent, EVENT_BROADCAST, MAX_PAGE,
};

/// The lowest and highest ids, to range over pairs keyed by a first id.
const LOWEST: ObjectId = ObjectId([0; 32]);
const HIGHEST: ObjectId = ObjectId([0xff; 32]);

/// A store that keeps everything in memory.
pub struct MemoryStore {
    state: RwLock<State>,
    counters: Counters,
    events: broadcast::Sender<StoredEvent>,
    sync_index: RwLock<SyncIndex>,
    /// Set by [`ObjectStore::close`]: writes are refused from then on.
    closed: AtomicBool,
}

/// Everything stored, pending and held.
#[derive(Default)]
struct State {
    objects: HashMap<ObjectId, SignedObject>,
    /// The event log: seq → id.
    log: BTreeMap<u64, ObjectId>,
    /// Every stored object's index keys (`keys::index_keys`).
    index: BTreeSet<Vec<u8>>,
    /// Objects waiting for references or for their time.
    pending: HashMap<ObjectId, SignedObject>,
    /// (missing id, waiting id).
    waiting: BTreeSet<(ObjectId, ObjectId)>,
    /// (created_at, id) of the pending objects held until their time.
    held: BTreeSet<(u64, ObjectId)>,
    /// The transparency log: its appender, stored hashes, entries by id
    /// and in order.
    tlog: TransparencyLog,
}

/// The transparency log in memory.
#[derive(Default)]
struct TransparencyLog {
    appender: LogAppender,
    hashes: Vec<Hash>,
    entries: HashMap<ObjectId, LogEntry>,
    leaves: Vec<LogLeaf>,
    checkpoints: BTreeMap<u64, Vec<u8>>,
    records: BTreeMap<String, Vec<u8>>,
}

/// The in-memory log's stored hashes.
struct MemoryHashes<'a>(&'a [Hash]);

impl StoredHashes for MemoryHashes<'_> {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
        indexes
            .iter()
            .map(|i| {
                usize::try_from(*i)
                    .ok()
                    .and_then(|i| self.0.get(i).copied())
                    .ok_or_else(|| format!("stored hash {i} is missing"))
            })
            .collect()
    }
}

impl MemoryStore {
    /// An empty store with the default options.
    pub fn new() -> MemoryStore {
        MemoryStore::with_options(&StoreOptions::default())
    }

    /// An empty store; of `options` only the pending-set bound applies
    /// (there is no disk to keep free, nothing to flush).
    pub fn with_options(options: &StoreOptions) -> MemoryStore {
        MemoryStore {
            state: RwLock::default(),
            counters: Counters::new(1, options.max_pending),
            events: broadcast::channel(EVENT_BROADCAST).0,
            sync_index: RwLock::default(),
            closed: AtomicBool::new(false),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies one group (held objects due first, then `objects`) and
    /// announces what it stored.
    fn apply(
        &self,
        objects: &[SignedObject],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let mut state = self.write();
        let now = now_ms();
        let tables = MemoryTables {
            state: &mut state,
            counters: &self.counters,
            now_ms: now,
        };
        let mut group = Group::new(tables, now);
        if let Err(e) = group.release_due() {
            tracing::warn!(error = %e, "could not release held objects; trying again with the next write");
        }
        for object in objects {
            group.offer(object);
        }
        let (outcomes, stored) = group.finish();
        if !stored.is_empty() {
            let mut index = self.sync_index.write().unwrap_or_else(|p| p.into_inner());
            index.extend(
                stored
                    .iter()
                    .map(|e| SyncKey::new(e.object.created_at(), e.object.id())),
            );
        }
        for event in stored {
            let _ = self.events.send(event);
        }
        Ok(outcomes)
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

#[async_trait]
impl ObjectStore for MemoryStore {
    async fn put(
        &self,
        objects: &[SignedObject],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        self.apply(objects)
    }

    fn get(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
        Ok(self.read().objects.get(id).cloned())
    }

    fn get_bytes(&self, id: &ObjectId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read().objects.get(id).map(|o| o.bytes().to_vec()))
    }

    fn contains(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.read().objects.contains_key(id))
    }

    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.read().pending.contains_key(id))
    }

    fn list(
        &self,
        listing: &Listing,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let state = self.read();
        let prefix = listing::prefix(listing);
        let start = listing::start(&prefix, after);
        let keys = state.index.range(start..).map(Ok);
        listing::page(&prefix, keys, limit, |id| {
            Ok(state.objects.get(id).cloned())
        })
    }

    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        let state = self.read();
        Ok(state
            .log
            .range(after.saturating_add(1)..)
            .filter_map(|(seq, id)| {
                let object = state.objects.get(id)?.clone();
                Some(StoredEvent { seq: *seq, object })
            })
            .take(limit.clamp(1, MAX_PAGE))
            .collect())
    }

    fn subscribe(&self) -> broadcast::Receiver<StoredEvent> {
        self.events.subscribe()
    }

    fn counts(&self) -> Vec<(Kind, u64)> {
        self.counters.by_kind()
    }

    fn pending_len(&self) -> usize {
        self.counters.pending_len()
    }

    fn held_len(&self) -> usize {
        self.counters.held_len()
    }

    async fn release_due(&self) -> Result<(), StoreError> {
        self.apply(&[]).map(|_| ())
    }

    fn last_seq(&self) -> u64 {
        self.counters.last_seq()
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(0)
    }

    fn revocations_of(&self, key: &PublicKey) -> Result<Vec<SignedObject>, StoreError> {
        self.objects_under(keys::revoked_prefix(key))
    }

    fn referrers(&self, target: &ObjectId) -> Result<Vec<SignedObject>, StoreError> {
        self.objects_under(keys::referrer_prefix(target, None))
    }

    fn read_sync_index(&self, f: &mut dyn FnMut(&SyncIndex)) -> bool {
        f(&self.sync_index.read().unwrap_or_else(|p| p.into_inner()));
        true
    }

    fn log_size(&self) -> u64 {
        self.counters.log_size()
    }

    fn log_entry(&self, id: &ObjectId) -> Result<Option<LogEntry>, StoreError> {
        Ok(self.read().tlog.entries.get(id).copied())
    }

    fn log_leaves(&self, start: u64, limit: usize) -> Result<Vec<LogLeaf>, StoreError> {
        let state = self.read();
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        Ok(state
            .tlog
            .leaves
            .iter()
            .skip(start)
            .take(limit.min(MAX_PAGE))
            .copied()
            .collect())
    }

    fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        MemoryHashes(&self.read().tlog.hashes)
            .read(indexes)
            .map_err(|detail| StoreError::Corrupt {
                id: "transparency log".into(),
                detail,
            })
    }

    async fn put_checkpoint(&self, size: u64, note: &[u8]) -> Result<(), StoreError> {
        self.write().tlog.checkpoints.insert(size, note.to_vec());
        Ok(())
    }

    fn checkpoint(&self, size: Option<u64>) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let state = self.read();
        let found = match size {
            Some(size) => state.tlog.checkpoints.get_key_value(&size),
            None => state.tlog.checkpoints.last_key_value(),
        };
        Ok(found.map(|(size, note)| (*size, note.clone())))
    }

    fn checkpoint_from(&self, size: u64) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let state = self.read();
        Ok(state
            .tlog
            .checkpoints
            .range(size..)
            .next()
            .map(|(size, note)| (*size, note.clone())))
    }

    async fn put_record(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        self.write()
            .tlog
            .records
            .insert(name.to_owned(), value.to_vec());
        Ok(())
    }

    fn record(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read().tlog.records.get(name).cloned())
    }

    fn records_under(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let state = self.read();
        Ok(state
            .tlog
            .records
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit.min(MAX_PAGE))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn close(&self) -> Result<(), StoreError> {
        // Taking the write lock waits for a write under way.
        let _state = self.write();
        self.closed.store(true, Ordering::Release);
        Ok(())
    }
}

impl MemoryStore {
    fn objects_under(&self, prefix: Vec<u8>) -> Result<Vec<SignedObject>, StoreError> {
        let state = self.read();
        let keys = state
            .index
            .range(prefix.clone()..)
            .take_while(|k| k.starts_with(&prefix))
            .map(Ok);
        listing::objects(keys, |id| Ok(state.objects.get(id).cloned()))
    }
}

/// One group's view of the state (the write lock held).
struct MemoryTables<'a> {
    state: &'a mut State,
    counters: &'a Counters,
    /// The group's clock: the log time of what it stores.
    now_ms: u64,
}

impl Tables for MemoryTables<'_> {
    fn is_stored(&mut self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.state.objects.contains_key(id))
    }

    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.state.pending.contains_key(id))
    }

    fn has_waiters(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self
            .state
            .waiting
            .range((*id, LOWEST)..=(*id, HIGHEST))
            .next()
            .is_some())
    }

    fn waiters(&self, id: &ObjectId) -> Result<Vec<ObjectId>, StoreError> {
        Ok(self
            .state
            .waiting
            .range((*id, LOWEST)..=(*id, HIGHEST))
            .map(|(_, waiter)| *waiter)
            .collect())
    }

    fn unwait(&mut self, missing: &ObjectId, waiter: &ObjectId) -> Result<(), StoreError> {
        self.state.waiting.remove(&(*missing, *waiter));
        Ok(())
    }

    fn pending_object(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
        Ok(self.state.pending.get(id).cloned())
    }

    fn pending_len(&self) -> usize {
        self.counters.pending_len()
    }

    fn held_len(&self) -> usize {
        self.counters.held_len()
    }

    fn max_pending(&self) -> usize {
        self.counters.max_pending
    }

    fn park(&mut self, object: &SignedObject, missing: &[ObjectId]) -> Result<(), StoreError> {
        let id = object.id();
        self.state.pending.insert(id, object.clone());
        self.state.waiting.extend(missing.iter().map(|m| (*m, id)));
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn hold(&mut self, object: &SignedObject) -> Result<(), StoreError> {
        let id = object.id();
        self.state.pending.insert(id, object.clone());
        self.state.held.insert((object.created_at(), id));
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        self.counters.held.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn held_due(&self, horizon: u64) -> Result<Vec<(u64, ObjectId)>, StoreError> {
        Ok(self
            .state
            .held
            .iter()
            .take_while(|(at, _)| *at <= horizon)
            .copied()
            .collect())
    }

    fn unhold(
        &mut self,
        created_at: u64,
        id: &ObjectId,
        next: Unheld<'_>,
    ) -> Result<(), StoreError> {
        self.state.held.remove(&(created_at, *id));
        match next {
            Unheld::Gone => {}
            Unheld::Stored => {
                self.state.pending.remove(id);
                self.counters.pending.fetch_sub(1, Ordering::Relaxed);
            }
            Unheld::Waiting(missing) => {
                self.state.waiting.extend(missing.iter().map(|m| (*m, *id)));
            }
        }
        self.counters.held.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }

    fn store(&mut self, object: &SignedObject) -> Result<Placed, StoreError> {
        let id = object.id();
        let log = &mut self.state.tlog;
        let appended = log
            .appender
            .append(id, self.now_ms, &MemoryHashes(&log.hashes))?;
        log.hashes.extend(appended.hashes.iter().map(|(_, h)| *h));
        log.entries.insert(id, appended.entry);
        log.leaves.push(appended.entry.leaf);
        let size = log.appender.committed();
        self.counters.set_log(size);
        let seq = self.counters.take_seq();
        self.state.objects.insert(id, object.clone());
        self.state.log.insert(seq, id);
        self.state.index.extend(keys::index_keys(object));
        self.counters.counts[keys::kind_byte(object.kind()) as usize]
            .fetch_add(1, Ordering::Relaxed);
        Ok((seq, Some(appended.entry)))
    }

    fn unpark(&mut self, id: &ObjectId) -> Result<(), StoreError> {
        self.state.pending.remove(id);
        self.counters.pending.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }
}
