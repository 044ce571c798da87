//! The sled mechanics behind the admission rules: [`SledTables`] reads and
//! writes the key layout of `keys.rs`, with plain objects staged into one
//! sled batch.
//!
//! sled 0.34 makes every `apply_batch` write out its log buffer (a `pwrite`
//! and a `sync_file_range` on its IO threads) and take a process-wide
//! exclusive lock, so one batch per object costs an IO per object. Plain
//! objects (see `admission.rs`) are staged into one batch, committed
//! atomically together with the per-kind counts; every other write is a
//! batch of its own.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use baraza_protocol::{ObjectId, SignedObject, KINDS};

use super::admission::{Counters, Placed, Tables, Unheld};
use super::log::{Appended, LogAppender, LogEntry};
use super::sled_log::{LogRun, SledHashes};
use super::sled_store::{count_key, decode_stored, engine};
use super::{keys, StoreError};

/// Most ids [`Referenced`] remembers.
const MAX_REFERENCED: usize = 4096;

/// Ids of objects recently found stored because something referenced
/// them (a charter, a popular comment): objects are never deleted, so an
/// id found stored stays stored, and the next reference to it needs no
/// lookup. Bounded: cleared when full.
#[derive(Debug, Default)]
pub(crate) struct Referenced(HashSet<ObjectId>);

impl Referenced {
    fn stored(&mut self, db: &sled::Db, id: &ObjectId) -> Result<bool, StoreError> {
        if self.0.contains(id) {
            return Ok(true);
        }
        let stored = db.contains_key(keys::object(id)).map_err(engine)?;
        if stored {
            if self.0.len() >= MAX_REFERENCED {
                self.0.clear();
            }
            self.0.insert(*id);
        }
        Ok(stored)
    }
}

/// One group's view of the sled tree.
pub(crate) struct SledTables<'a> {
    db: &'a sled::Db,
    counters: &'a Counters,
    referenced: &'a mut Referenced,
    /// Writes of the staged objects, not yet applied.
    batch: sled::Batch,
    /// Ids of the staged objects: stored as far as later objects can tell.
    staged_ids: HashSet<ObjectId>,
    /// Staged objects by kind, for the count keys.
    staged_counts: [u64; KINDS.len()],
    /// The transparency log, appended with every stored object.
    log: &'a mut LogAppender,
    /// The group's clock: the log time of what it stores.
    now_ms: u64,
    /// The log's runs of this write.
    log_run: LogRun,
}

impl<'a> SledTables<'a> {
    /// The tables of `db`, counted in `counters`, logging in `log` what
    /// they store at `now_ms`.
    pub(crate) fn new(
        db: &'a sled::Db,
        counters: &'a Counters,
        referenced: &'a mut Referenced,
        log: &'a mut LogAppender,
        now_ms: u64,
    ) -> SledTables<'a> {
        SledTables {
            db,
            counters,
            referenced,
            batch: sled::Batch::default(),
            staged_ids: HashSet::new(),
            staged_counts: [0; KINDS.len()],
            log,
            now_ms,
            log_run: LogRun::default(),
        }
    }

    /// Appends `object` to the log, its writes into `batch`.
    fn log_into(
        &mut self,
        batch: &mut sled::Batch,
        object: &SignedObject,
    ) -> Result<LogEntry, StoreError> {
        let appended = self
            .log
            .append(object.id(), self.now_ms, &SledHashes(self.db))?;
        log_entry_key(batch, &appended);
        self.log_run.push(&appended);
        Ok(appended.entry)
    }

    /// Applies `batch`, which carries log appends: the log keeps them if
    /// it was written, forgets them if not.
    fn apply_logged(&mut self, mut batch: sled::Batch) -> Result<(), StoreError> {
        self.log_run.write(&mut batch);
        batch.insert(keys::meta(LOG_SIZE_KEY), &self.log.size().to_be_bytes());
        match self.apply(batch) {
            Ok(()) => {
                let size = self.log.committed();
                self.counters.log_written.store(size, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                self.log.rolled_back();
                self.log_run.clear();
                Err(e)
            }
        }
    }

    fn apply(&self, batch: sled::Batch) -> Result<(), StoreError> {
        self.db.apply_batch(batch).map_err(engine)
    }

    fn has(&self, key: Vec<u8>) -> Result<bool, StoreError> {
        self.db.contains_key(key).map_err(engine)
    }
}

impl Tables for SledTables<'_> {
    fn is_stored(&mut self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.staged_ids.contains(id) || self.has(keys::object(id))?)
    }

    fn reference_stored(&mut self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self.staged_ids.contains(id) || self.referenced.stored(self.db, id)?)
    }

    fn is_staged(&self, id: &ObjectId) -> bool {
        self.staged_ids.contains(id)
    }

    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
        self.has(keys::pending(id))
    }

    fn has_waiters(&self, id: &ObjectId) -> Result<bool, StoreError> {
        Ok(self
            .db
            .scan_prefix(keys::waiting_prefix(id))
            .next()
            .is_some())
    }

    fn waiters(&self, id: &ObjectId) -> Result<Vec<ObjectId>, StoreError> {
        let mut out = Vec::new();
        for entry in self.db.scan_prefix(keys::waiting_prefix(id)) {
            let (key, _) = entry.map_err(engine)?;
            out.extend(keys::trailing_id(&key));
        }
        Ok(out)
    }

    fn unwait(&mut self, missing: &ObjectId, waiter: &ObjectId) -> Result<(), StoreError> {
        self.db
            .remove(keys::waiting(missing, waiter))
            .map(|_| ())
            .map_err(engine)
    }

    fn pending_object(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
        match self.db.get(keys::pending(id)).map_err(engine)? {
            Some(bytes) => decode_stored(id, &bytes).map(Some),
            None => Ok(None),
        }
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
        let mut batch = sled::Batch::default();
        batch.insert(keys::pending(&id), object.bytes());
        for m in missing {
            batch.insert(keys::waiting(m, &id), &[]);
        }
        self.apply(batch)?;
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn hold(&mut self, object: &SignedObject) -> Result<(), StoreError> {
        let id = object.id();
        let mut batch = sled::Batch::default();
        batch.insert(keys::pending(&id), object.bytes());
        batch.insert(keys::held(object.created_at(), &id), &[]);
        self.apply(batch)?;
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        self.counters.held.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn held_due(&self, horizon: u64) -> Result<Vec<(u64, ObjectId)>, StoreError> {
        let mut due = Vec::new();
        for entry in self.db.scan_prefix([keys::HELD]) {
            let (key, _) = entry.map_err(engine)?;
            match (keys::held_time(&key), keys::trailing_id(&key)) {
                (Some(at), _) if at > horizon => break,
                (Some(at), Some(id)) => due.push((at, id)),
                _ => tracing::warn!("skipped a malformed held key"),
            }
        }
        Ok(due)
    }

    fn unhold(
        &mut self,
        created_at: u64,
        id: &ObjectId,
        next: Unheld<'_>,
    ) -> Result<(), StoreError> {
        let mut done = sled::Batch::default();
        done.remove(keys::held(created_at, id));
        let released = matches!(next, Unheld::Stored);
        match next {
            Unheld::Gone => {}
            Unheld::Stored => done.remove(keys::pending(id)),
            Unheld::Waiting(missing) => {
                for m in missing {
                    done.insert(keys::waiting(m, id), &[]);
                }
            }
        }
        if released {
            // Counted out of the pending set before the batch, as before
            // the split: a failed batch offers it again.
            self.counters.pending.fetch_sub(1, Ordering::Relaxed);
        }
        self.apply(done)?;
        self.counters.held.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }

    fn store(&mut self, object: &SignedObject) -> Result<Placed, StoreError> {
        let kind = object.kind();
        let seq = self.counters.take_seq();
        let mut batch = sled::Batch::default();
        index_entries(&mut batch, object, seq);
        let entry = self.log_into(&mut batch, object)?;
        let index = keys::kind_byte(kind) as usize;
        let count = self.counters.counts[index].load(Ordering::Relaxed) + 1;
        batch.insert(count_key(kind), &count.to_be_bytes());
        self.apply_logged(batch)?;
        self.counters.counts[index].store(count, Ordering::Relaxed);
        Ok((seq, Some(entry)))
    }

    fn unpark(&mut self, id: &ObjectId) -> Result<(), StoreError> {
        self.db.remove(keys::pending(id)).map_err(engine)?;
        self.counters.pending.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }

    fn stage(&mut self, object: &SignedObject) -> Result<Placed, StoreError> {
        let mut batch = std::mem::take(&mut self.batch);
        let logged = self.log_into(&mut batch, object);
        self.batch = batch;
        let entry = logged?;
        let seq = self.counters.take_seq();
        index_entries(&mut self.batch, object, seq);
        self.staged_counts[keys::kind_byte(object.kind()) as usize] += 1;
        self.staged_ids.insert(object.id());
        Ok((seq, Some(entry)))
    }

    fn commit_staged(&mut self) -> Result<(), StoreError> {
        let mut batch = std::mem::take(&mut self.batch);
        let mut totals = Vec::new();
        for (index, added) in self.staged_counts.iter().enumerate() {
            if *added > 0 {
                let total = self.counters.counts[index].load(Ordering::Relaxed) + added;
                batch.insert(count_key(KINDS[index]), &total.to_be_bytes());
                totals.push((index, total));
            }
        }
        self.staged_ids.clear();
        self.staged_counts = [0; KINDS.len()];
        self.apply_logged(batch)?;
        for (index, total) in totals {
            self.counters.counts[index].store(total, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// The object, its event-log entry and its index entries (not the count).
fn index_entries(batch: &mut sled::Batch, object: &SignedObject, seq: u64) {
    batch.insert(keys::object(&object.id()), object.bytes());
    batch.insert(keys::seq(seq), object.id().as_bytes());
    for key in keys::index_keys(object) {
        batch.insert(key, &[]);
    }
}

/// The meta key of the log's size (written with every append).
pub(crate) const LOG_SIZE_KEY: &str = "log/size";

/// An append's write of the entry by id (its hashes and the entry by
/// index go into the write's runs, `sled_log.rs`).
pub(crate) fn log_entry_key(batch: &mut sled::Batch, appended: &Appended) {
    let entry = &appended.entry;
    batch.insert(keys::log_entry(&entry.leaf.id), entry.value().as_slice());
}
