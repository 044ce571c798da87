//! The node's durable object store, on sled.
//!
//! Only verified objects are stored (the type system sees to it: the write
//! path takes [`SignedObject`]s). Inserts are idempotent. An object whose
//! references are not all stored yet waits in a bounded, durable pending
//! set and is stored the moment its last missing reference arrives.
//! [`Store::put`] returns only after its writes are on disk (group commit
//! on the store's writer thread, see `writer.rs` and `apply.rs`), so an
//! acknowledged submission survives kill -9.

mod apply;
pub(crate) mod keys;
mod sync_index;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baraza_protocol::sync::SyncIndex;
use baraza_protocol::{Kind, ObjectId, PublicKey, SignedObject, KINDS};
use sync_index::SyncIndexCell;
use tokio::sync::broadcast;

use apply::Counters;
use writer::{FlushObserver, Writer, WriterParts};

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
    /// sled failed (IO error, disk full, corruption detected by sled).
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
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
}

/// The result of offering one object to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// Newly stored, with its local sequence number.
    Stored {
        /// Position in this node's event log.
        seq: u64,
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
    pub next: Option<String>,
}

/// How to open a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// Most objects that may wait at once (for missing references, or
    /// for their time to come).
    pub max_pending: usize,
    /// Free space (bytes) to keep on the data dir's disk: below it, writes
    /// are refused with [`StoreError::DiskFull`] while reads go on, so the
    /// store never meets a full disk half-way through a write.
    pub min_free_bytes: u64,
    /// Called after each flush with its duration (s) and the waiters it
    /// served; lets metrics observe the store without the store knowing them.
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

/// The store. Cheap to share behind an `Arc`.
pub struct Store {
    db: sled::Db,
    /// Applies every write and makes it durable (one thread, group commit).
    writer: Writer,
    /// Event-log position, counts by kind, pending-set size: updated by
    /// the writer, read by everyone.
    counters: Arc<Counters>,
    events: broadcast::Sender<StoredEvent>,
    /// Every stored object's sync key, for reconciliation (in memory,
    /// loaded from the `t` index in the background, extended by the writer).
    sync_index: Arc<SyncIndexCell>,
}

const SCHEMA_KEY: &str = "schema";
const SCHEMA_VERSION: &[u8] = b"1";

fn count_key(kind: Kind) -> Vec<u8> {
    keys::meta(&format!("count/{kind}"))
}

impl Store {
    /// Opens (or creates) the store in `dir`, and starts its writer thread.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let db = open_db(dir)?;
        match db.get(keys::meta(SCHEMA_KEY))? {
            None => {
                db.insert(keys::meta(SCHEMA_KEY), SCHEMA_VERSION)?;
            }
            Some(v) if v.as_ref() == SCHEMA_VERSION => {}
            Some(v) => {
                return Err(StoreError::Corrupt {
                    id: "schema".into(),
                    detail: format!(
                        "data dir has schema {:?}, this node reads {:?}",
                        String::from_utf8_lossy(&v),
                        "1"
                    ),
                })
            }
        }
        let next_seq = match db.scan_prefix([keys::SEQ]).next_back() {
            Some(entry) => {
                let (k, _) = entry?;
                let raw: [u8; 8] = k
                    .get(1..9)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or([0; 8]);
                u64::from_be_bytes(raw) + 1
            }
            None => 1,
        };
        let counts: [AtomicU64; KINDS.len()] = Default::default();
        for (i, kind) in KINDS.iter().enumerate() {
            if let Some(v) = db.get(count_key(*kind))? {
                counts[i].store(decode_u64(&v), Ordering::Relaxed);
            }
        }
        let pending = db.scan_prefix([keys::PENDING]).count();
        let held = db.scan_prefix([keys::HELD]).count();
        let observe: FlushObserver = match options.on_flush {
            Some(f) => f,
            None => Arc::new(|_, _| {}),
        };
        let counters = Arc::new(Counters {
            next_seq: AtomicU64::new(next_seq),
            counts,
            pending: AtomicUsize::new(pending),
            held: AtomicUsize::new(held),
            max_pending: options.max_pending,
        });
        let sync_index = Arc::new(SyncIndexCell::default());
        let (events, _) = broadcast::channel(EVENT_BROADCAST);
        let writer = Writer::start(WriterParts {
            db: db.clone(),
            counters: counters.clone(),
            events: events.clone(),
            observe,
            sync_index: sync_index.clone(),
            disk: writer::DiskReserve::new(dir, options.min_free_bytes),
        })?;
        sync_index.load(db.clone());
        Ok(Store {
            db,
            writer,
            counters,
            events,
            sync_index,
        })
    }

    /// Offers verified objects; returns one outcome per object once every
    /// write is durable. An error for one object (pending set full) does not
    /// stop the others.
    pub async fn put(
        &self,
        objects: &[SignedObject],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        self.writer.put(objects.to_vec()).await
    }

    /// The object with this id, if stored.
    pub fn get(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
        match self.db.get(keys::object(id))? {
            Some(bytes) => decode_stored(id, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// The encoded bytes of the object with this id, if stored.
    pub fn get_bytes(&self, id: &ObjectId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get(keys::object(id))?.map(|v| v.to_vec()))
    }

    /// Whether the object is stored.
    pub fn contains(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.db.contains_key(keys::object(id))?)
    }

    /// Whether the object is stored or waiting in the pending set: either
    /// way its bytes are here, and fetching it again gains nothing. (The
    /// pending lookup is skipped while the pending set is empty.)
    pub fn holds(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.contains(id)? || (self.pending_len() > 0 && self.is_pending(id)?))
    }

    /// Whether the object is waiting in the pending set.
    pub fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.db.contains_key(keys::pending(id))?)
    }

    /// One page of a listing. `after` is the `next` of the previous page.
    pub fn list(
        &self,
        listing: &Listing,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let prefix = match listing {
            Listing::Kind(kind) => keys::kind_prefix(*kind),
            Listing::Author(author) => keys::author_prefix(author),
            Listing::Section {
                charter,
                section,
                kind,
            } => keys::section_prefix(charter, section, *kind),
            Listing::Referrers { target, kind } => keys::referrer_prefix(target, *kind),
        };
        let limit = limit.clamp(1, MAX_PAGE);
        let start = match after.map(hex::decode) {
            Some(Ok(suffix)) => {
                let mut k = prefix.clone();
                k.extend_from_slice(&suffix);
                k.push(0); // strictly after the cursor's key
                k
            }
            Some(Err(_)) => {
                return Err(StoreError::Corrupt {
                    id: "cursor".into(),
                    detail: "cursor is not hex".into(),
                })
            }
            None => prefix.clone(),
        };
        let mut objects = Vec::with_capacity(limit.min(64));
        let mut next = None;
        let mut last_key: Option<sled::IVec> = None;
        for entry in self.db.range(start..) {
            let (key, _) = entry?;
            if !key.starts_with(&prefix) {
                break;
            }
            if objects.len() == limit {
                next = last_key.map(|k| hex::encode(&k[prefix.len()..]));
                break;
            }
            if let Some(object) = keys::trailing_id(&key)
                .map(|id| self.get(&id))
                .transpose()?
                .flatten()
            {
                objects.push(object);
                last_key = Some(key);
            }
        }
        Ok(Page { objects, next })
    }

    /// Objects stored after event `after` (exclusive), in arrival order.
    pub fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        let mut out = Vec::new();
        for entry in self
            .db
            .range(keys::seq(after.saturating_add(1))..keys::seq(u64::MAX))
        {
            let (key, value) = entry?;
            if out.len() >= limit.clamp(1, MAX_PAGE) || key.first() != Some(&keys::SEQ) {
                break;
            }
            let seq = key
                .get(1..9)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            let Ok(raw) = <[u8; 32]>::try_from(value.as_ref()) else {
                continue;
            };
            if let Some(object) = self.get(&ObjectId(raw))? {
                out.push(StoredEvent { seq, object });
            }
        }
        Ok(out)
    }

    /// A receiver of every object stored from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<StoredEvent> {
        self.events.subscribe()
    }

    /// Stored objects per kind.
    pub fn counts(&self) -> Vec<(Kind, u64)> {
        KINDS
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, self.counters.counts[i].load(Ordering::Relaxed)))
            .collect()
    }

    /// Total stored objects.
    pub fn len(&self) -> u64 {
        self.counters
            .counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Objects waiting for references.
    pub fn pending_len(&self) -> usize {
        self.counters.pending.load(Ordering::Relaxed)
    }

    /// Of the pending objects, those held until their time comes.
    pub fn held_len(&self) -> usize {
        self.counters.held.load(Ordering::Relaxed)
    }

    /// Offers every held object whose time has come (the node calls this
    /// every second while [`Store::held_len`] is not zero); returns once
    /// they are durable.
    pub async fn release_due(&self) -> Result<(), StoreError> {
        self.writer.put(Vec::new()).await.map(|_| ())
    }

    /// The sequence number of the newest stored object (0 when empty).
    pub fn last_seq(&self) -> u64 {
        self.counters
            .next_seq
            .load(Ordering::Relaxed)
            .saturating_sub(1)
    }

    /// Bytes the data dir uses on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }

    /// Revocations of `key`.
    pub fn revocations_of(&self, key: &PublicKey) -> Result<Vec<SignedObject>, StoreError> {
        self.objects_under(keys::revoked_prefix(key))
    }

    /// Every object referencing `target`.
    pub fn referrers(&self, target: &ObjectId) -> Result<Vec<SignedObject>, StoreError> {
        self.objects_under(keys::referrer_prefix(target, None))
    }

    /// The objects named by the index keys under `prefix` (each ends in an id).
    fn objects_under(&self, prefix: Vec<u8>) -> Result<Vec<SignedObject>, StoreError> {
        let mut out = Vec::new();
        for entry in self.db.scan_prefix(prefix) {
            let (k, _) = entry?;
            if let Some(object) = keys::trailing_id(&k)
                .map(|id| self.get(&id))
                .transpose()?
                .flatten()
            {
                out.push(object);
            }
        }
        Ok(out)
    }

    /// Runs `f` over the sync index (a read lock: writers wait for `f`),
    /// or gives `None` while the index is still loading after `open`.
    pub fn with_sync_index<R>(&self, f: impl FnOnce(&SyncIndex) -> R) -> Option<R> {
        self.sync_index.read(f)
    }

    /// Flushes everything written so far to disk.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Flushes everything to disk and releases the data dir (its lock is
    /// held until every handle to the database is gone).
    pub async fn close(self) -> Result<(), StoreError> {
        let index = self.sync_index.clone();
        let _ = tokio::task::spawn_blocking(move || index.stop()).await;
        self.writer.close().await;
        self.db.flush_async().await?;
        Ok(())
    }
}

/// How long `open` waits for a data dir lock to be released. sled's own IO
/// threads can keep the file open for a moment after the last handle of a
/// closed store is dropped, so a restart in the same process may briefly
/// see the lock still held.
const LOCK_WAIT: Duration = Duration::from_secs(3);

fn open_db(dir: &Path) -> Result<sled::Db, StoreError> {
    let began = Instant::now();
    loop {
        match sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .open()
        {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(e)) if is_lock_error(&e) => {
                if began.elapsed() >= LOCK_WAIT {
                    return Err(StoreError::Locked {
                        dir: dir.display().to_string(),
                    });
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_lock_error(e: &std::io::Error) -> bool {
    // sled wraps the OS error in a message of its own.
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
}

fn decode_stored(id: &ObjectId, bytes: &[u8]) -> Result<SignedObject, StoreError> {
    let object = SignedObject::decode_trusted(bytes).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        detail: e.to_string(),
    })?;
    if object.id() != *id {
        return Err(StoreError::Corrupt {
            id: id.to_string(),
            detail: "content does not hash to its id".into(),
        });
    }
    Ok(object)
}

fn decode_u64(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;

/// This node's clock: ms since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
