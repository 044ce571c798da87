//! [`SledStore`]: the node's store engine, on sled.
//!
//! One sled tree holds objects and every index (`keys.rs`); writes go
//! through the writer thread (`writer.rs`), which applies them with the
//! shared admission rules over sled batches (`sled_batch.rs`) and flushes
//! once per group before anyone is answered, so an acknowledged put
//! survives kill -9. Reads go straight to sled.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use baraza_protocol::sync::SyncIndex;
use baraza_protocol::tlog::{Hash, LogLeaf, StoredHashes};
use baraza_protocol::{Kind, ObjectId, PublicKey, SignedObject, KINDS};
use tokio::sync::broadcast;

use super::admission::Counters;
use super::log::{LogAppender, LogEntry};
use super::sled_batch::{log_entry_key, LOG_SIZE_KEY};
use super::sled_log::{read_leaves, LogRun, SledHashes};
use super::sync_index::SyncIndexCell;
use super::writer::{self, FlushObserver, Writer, WriterParts};
use super::{
    keys, listing, Cursor, Listing, ObjectStore, Page, PutOutcome, StoreError, StoreOptions,
    StoredEvent, EVENT_BROADCAST, MAX_PAGE,
};

/// The sled store. Cheap to share behind an `Arc`.
pub struct SledStore {
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

/// The meta key of a kind's stored count.
pub(crate) fn count_key(kind: Kind) -> Vec<u8> {
    keys::meta(&format!("count/{kind}"))
}

/// A sled failure, in engine-neutral words.
pub(crate) fn engine(error: sled::Error) -> StoreError {
    StoreError::Engine {
        detail: error.to_string(),
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, and starts its writer thread.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<SledStore, StoreError> {
        let db = open_db(dir)?;
        match db.get(keys::meta(SCHEMA_KEY)).map_err(engine)? {
            None => {
                db.insert(keys::meta(SCHEMA_KEY), SCHEMA_VERSION)
                    .map_err(engine)?;
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
                let (k, _) = entry.map_err(engine)?;
                let raw: [u8; 8] = k
                    .get(1..9)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or([0; 8]);
                u64::from_be_bytes(raw) + 1
            }
            None => 1,
        };
        let mut counters = Counters::new(next_seq, options.max_pending);
        for (i, kind) in KINDS.iter().enumerate() {
            if let Some(v) = db.get(count_key(*kind)).map_err(engine)? {
                counters.counts[i].store(decode_u64(&v), Ordering::Relaxed);
            }
        }
        counters.pending = AtomicUsize::new(db.scan_prefix([keys::PENDING]).count());
        counters.held = AtomicUsize::new(db.scan_prefix([keys::HELD]).count());
        let log_size = backfill_log(&db, &counters)?;
        counters.set_log(log_size);
        let counters = Arc::new(counters);
        let observe: FlushObserver = match options.on_flush {
            Some(f) => f,
            None => Arc::new(|_, _| {}),
        };
        let sync_index = Arc::new(SyncIndexCell::default());
        let (events, _) = broadcast::channel(EVENT_BROADCAST);
        let writer = Writer::start(WriterParts {
            db: db.clone(),
            counters: counters.clone(),
            events: events.clone(),
            observe,
            sync_index: sync_index.clone(),
            disk: writer::DiskReserve::new(dir, options.min_free_bytes),
            log_size,
            log_time: last_log_time(&db, log_size)?,
        })?;
        sync_index.load(db.clone());
        Ok(SledStore {
            db,
            writer,
            counters,
            events,
            sync_index,
        })
    }

    /// The entries of the index keys under `prefix`, from `start` on.
    fn index_from(
        &self,
        start: Vec<u8>,
    ) -> impl Iterator<Item = Result<sled::IVec, StoreError>> + '_ {
        self.db
            .range(start..)
            .map(|entry| entry.map(|(k, _)| k).map_err(engine))
    }

    fn index_under(
        &self,
        prefix: Vec<u8>,
    ) -> impl Iterator<Item = Result<sled::IVec, StoreError>> + '_ {
        self.db
            .scan_prefix(prefix)
            .map(|entry| entry.map(|(k, _)| k).map_err(engine))
    }
}

#[async_trait]
impl ObjectStore for SledStore {
    async fn put(
        &self,
        objects: &[SignedObject],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        self.writer.put(objects.to_vec()).await
    }

    fn get(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
        match self.db.get(keys::object(id)).map_err(engine)? {
            Some(bytes) => decode_stored(id, &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn get_bytes(&self, id: &ObjectId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db
            .get(keys::object(id))
            .map_err(engine)?
            .map(|v| v.to_vec()))
    }

    fn contains(&self, id: &ObjectId) -> Result<bool, StoreError> {
        self.db.contains_key(keys::object(id)).map_err(engine)
    }

    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
        self.db.contains_key(keys::pending(id)).map_err(engine)
    }

    fn list(
        &self,
        listing: &Listing,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let prefix = listing::prefix(listing);
        let start = listing::start(&prefix, after);
        listing::page(&prefix, self.index_from(start), limit, |id| self.get(id))
    }

    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        let mut out = Vec::new();
        for entry in self
            .db
            .range(keys::seq(after.saturating_add(1))..keys::seq(u64::MAX))
        {
            let (key, value) = entry.map_err(engine)?;
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
        self.writer.put(Vec::new()).await.map(|_| ())
    }

    fn last_seq(&self) -> u64 {
        self.counters.last_seq()
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(engine)
    }

    fn revocations_of(&self, key: &PublicKey) -> Result<Vec<SignedObject>, StoreError> {
        listing::objects(self.index_under(keys::revoked_prefix(key)), |id| {
            self.get(id)
        })
    }

    fn referrers(&self, target: &ObjectId) -> Result<Vec<SignedObject>, StoreError> {
        listing::objects(
            self.index_under(keys::referrer_prefix(target, None)),
            |id| self.get(id),
        )
    }

    fn read_sync_index(&self, f: &mut dyn FnMut(&SyncIndex)) -> bool {
        self.sync_index.read(|index| f(index)).is_some()
    }

    fn log_size(&self) -> u64 {
        self.counters.log_size()
    }

    fn log_entry(&self, id: &ObjectId) -> Result<Option<LogEntry>, StoreError> {
        let Some(value) = self.db.get(keys::log_entry(id)).map_err(engine)? else {
            return Ok(None);
        };
        let entry = LogEntry::from_value(*id, &value).ok_or_else(|| corrupt_log(id, "entry"))?;
        Ok((entry.index < self.log_size()).then_some(entry))
    }

    fn log_leaves(&self, start: u64, limit: usize) -> Result<Vec<LogLeaf>, StoreError> {
        let end = self
            .log_size()
            .min(start.saturating_add(limit.min(MAX_PAGE) as u64));
        if start >= end {
            return Ok(Vec::new());
        }
        read_leaves(&self.db, start, end)
    }

    fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        SledHashes(&self.db)
            .read(indexes)
            .map_err(|detail| StoreError::Corrupt {
                id: "transparency log".into(),
                detail,
            })
    }

    async fn put_checkpoint(&self, size: u64, note: &[u8]) -> Result<(), StoreError> {
        self.db
            .insert(keys::checkpoint(size), note)
            .map_err(engine)?;
        self.db.flush_async().await.map_err(engine)?;
        Ok(())
    }

    fn checkpoint(&self, size: Option<u64>) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let found = match size {
            Some(size) => self
                .db
                .get(keys::checkpoint(size))
                .map_err(engine)?
                .map(|note| (keys::checkpoint(size).into(), note)),
            None => self
                .db
                .scan_prefix([keys::CHECKPOINT])
                .next_back()
                .transpose()
                .map_err(engine)?,
        };
        Ok(found.map(|(key, note)| (decode_u64(&key[1..]), note.to_vec())))
    }

    fn checkpoint_from(&self, size: u64) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let found = self
            .db
            .range(keys::checkpoint(size)..)
            .next()
            .transpose()
            .map_err(engine)?
            .filter(|(key, _)| key.first() == Some(&keys::CHECKPOINT));
        Ok(found.map(|(key, note)| (decode_u64(&key[1..]), note.to_vec())))
    }

    async fn put_record(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        self.db.insert(keys::record(name), value).map_err(engine)?;
        self.db.flush_async().await.map_err(engine)?;
        Ok(())
    }

    fn record(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db
            .get(keys::record(name))
            .map_err(engine)?
            .map(|v| v.to_vec()))
    }

    fn records_under(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.db
            .scan_prefix(keys::record(prefix))
            .take(limit.min(MAX_PAGE))
            .map(|entry| {
                let (key, value) = entry.map_err(engine)?;
                let name = String::from_utf8_lossy(&key[1..]).into_owned();
                Ok((name, value.to_vec()))
            })
            .collect()
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await.map_err(engine)?;
        Ok(())
    }

    async fn close(&self) -> Result<(), StoreError> {
        let index = self.sync_index.clone();
        let _ = tokio::task::spawn_blocking(move || index.stop()).await;
        self.writer.close().await;
        self.db.flush_async().await.map_err(engine)?;
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
            Err(e) => return Err(engine(e)),
        }
    }
}

fn is_lock_error(e: &std::io::Error) -> bool {
    // sled wraps the OS error in a message of its own.
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
}

/// Decodes stored bytes, checking they still hash to their id.
pub(crate) fn decode_stored(id: &ObjectId, bytes: &[u8]) -> Result<SignedObject, StoreError> {
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

fn corrupt_log(id: &ObjectId, what: &str) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        detail: format!("its transparency log {what} does not decode"),
    }
}

/// The log's size, after appending (once, for a data dir from before the
/// log) every stored object it lacks, in event-log order, at the time of
/// this open: those objects were stored before this node kept a log, and
/// their entries say when it first logged them, not when it stored them.
fn backfill_log(db: &sled::Db, counters: &Counters) -> Result<u64, StoreError> {
    let size = match db.get(keys::meta(LOG_SIZE_KEY)).map_err(engine)? {
        Some(v) => decode_u64(&v),
        None => 0,
    };
    let stored: u64 = counters.by_kind().iter().map(|(_, n)| n).sum();
    if stored <= size {
        return Ok(size);
    }
    tracing::info!(
        stored,
        logged = size,
        "adding the objects stored before this node kept a transparency log to its log"
    );
    let now = super::now_ms();
    let mut log = LogAppender::new(size, last_log_time(db, size)?);
    let mut batch = sled::Batch::default();
    let mut run = LogRun::default();
    let mut in_batch = 0;
    for entry in db.scan_prefix([keys::SEQ]) {
        let (_, value) = entry.map_err(engine)?;
        let Ok(raw) = <[u8; 32]>::try_from(value.as_ref()) else {
            continue;
        };
        let id = ObjectId(raw);
        if db.contains_key(keys::log_entry(&id)).map_err(engine)? {
            continue;
        }
        let appended = log.append(id, now, &SledHashes(db))?;
        log_entry_key(&mut batch, &appended);
        run.push(&appended);
        in_batch += 1;
        if in_batch == 4096 {
            run.write(&mut batch);
            write_backfill(db, std::mem::take(&mut batch), &mut log)?;
            in_batch = 0;
        }
    }
    run.write(&mut batch);
    write_backfill(db, batch, &mut log)?;
    db.flush().map_err(engine)?;
    Ok(log.size())
}

/// The time of the log's latest entry (0 for an empty log).
fn last_log_time(db: &sled::Db, size: u64) -> Result<u64, StoreError> {
    let Some(last) = size.checked_sub(1) else {
        return Ok(0);
    };
    Ok(read_leaves(db, last, last + 1)?
        .first()
        .map_or(0, |leaf| leaf.time_ms))
}

fn write_backfill(
    db: &sled::Db,
    mut batch: sled::Batch,
    log: &mut LogAppender,
) -> Result<(), StoreError> {
    batch.insert(keys::meta(LOG_SIZE_KEY), &log.size().to_be_bytes());
    db.apply_batch(batch).map_err(engine)?;
    log.committed();
    Ok(())
}
