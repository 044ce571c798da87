//! Applying offered objects to sled: the read-check-write of each object,
//! with runs of plain objects merged into one sled batch.
//!
//! sled 0.34 makes every `apply_batch` write out its log buffer (a `pwrite`
//! and a `sync_file_range` on its IO threads) and take a process-wide
//! exclusive lock, so one batch per object costs an IO per object. Most
//! objects are plain: every reference is stored and no pending object waits
//! for them. Those are staged into one batch, committed atomically together
//! with the per-kind counts. Anything else (an object that must wait, one
//! that other objects wait for, one already pending) first commits what is
//! staged and then takes the one-object-at-a-time path, so it sees every
//! earlier write exactly as if each object had been applied on its own.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use baraza_protocol::limits::MAX_CLOCK_SKEW_MS;
use baraza_protocol::{Body, ObjectId, SignedObject, KINDS};

use super::{count_key, decode_stored, keys, PutOutcome, StoreError, StoredEvent};

/// Most objects staged in one sled batch: bounds the batch's memory and
/// how much one failed commit takes down with it.
const MAX_STAGED: usize = 1024;
/// Most ids [`Referenced`] remembers.
const MAX_REFERENCED: usize = 4096;
/// How far ahead of the node's clock an object may be dated and still be
/// held back until its time comes (7 days); beyond that it is refused.
pub(crate) const MAX_HOLD_MS: u64 = 7 * 24 * 3600 * 1000;

/// The store's counters, shared by the writer and the readers.
#[derive(Debug)]
pub(crate) struct Counters {
    /// The next event-log position.
    pub(crate) next_seq: AtomicU64,
    /// Stored objects by kind, indexed by `keys::kind_byte`.
    pub(crate) counts: [AtomicU64; KINDS.len()],
    /// Objects in the pending set.
    pub(crate) pending: AtomicUsize,
    /// Of those, future-dated objects held until their time comes.
    pub(crate) held: AtomicUsize,
    /// The pending set's bound.
    pub(crate) max_pending: usize,
}

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
        let stored = db.contains_key(keys::object(id))?;
        if stored {
            if self.0.len() >= MAX_REFERENCED {
                self.0.clear();
            }
            self.0.insert(*id);
        }
        Ok(stored)
    }
}

/// One group of offered objects being applied, in order.
pub(crate) struct Group<'a> {
    db: &'a sled::Db,
    counters: &'a Counters,
    referenced: &'a mut Referenced,
    /// The node's clock (ms since the epoch) for this group: objects dated
    /// more than [`MAX_CLOCK_SKEW_MS`] after it are held back.
    now_ms: u64,
    /// Writes of the staged objects, not yet applied.
    batch: sled::Batch,
    /// Ids of the staged objects: stored as far as later objects can tell.
    staged_ids: HashSet<ObjectId>,
    /// Positions in `outcomes` that depend on the staged batch.
    staged_slots: Vec<usize>,
    /// Staged objects by kind, for the count keys.
    staged_counts: [u64; KINDS.len()],
    /// `events` up to here are committed.
    committed_events: usize,
    outcomes: Vec<Result<PutOutcome, StoreError>>,
    events: Vec<StoredEvent>,
}

/// What an object needs.
enum Check {
    /// Decided without writing anything (already stored).
    Known,
    /// Plain: its writes can join the staged batch.
    Plain,
    /// Needs the one-at-a-time path.
    Special,
}

impl<'a> Group<'a> {
    pub(crate) fn new(
        db: &'a sled::Db,
        counters: &'a Counters,
        referenced: &'a mut Referenced,
        now_ms: u64,
    ) -> Group<'a> {
        Group {
            db,
            counters,
            referenced,
            now_ms,
            batch: sled::Batch::default(),
            staged_ids: HashSet::new(),
            staged_slots: Vec::new(),
            staged_counts: [0; KINDS.len()],
            committed_events: 0,
            outcomes: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Applies (or stages) one object; its outcome is final after
    /// [`Group::finish`].
    pub(crate) fn offer(&mut self, object: &SignedObject) {
        let slot = self.outcomes.len();
        match self.check(object) {
            Ok(Check::Known) => {
                self.outcomes.push(Ok(PutOutcome::Known));
                // Known because staged: only as good as the staged commit.
                if self.staged_ids.contains(&object.id()) {
                    self.staged_slots.push(slot);
                }
            }
            Ok(Check::Plain) => {
                let seq = self.stage(object);
                self.outcomes.push(Ok(PutOutcome::Stored { seq }));
                self.staged_slots.push(slot);
                if self.staged_slots.len() >= MAX_STAGED {
                    self.commit();
                }
            }
            Ok(Check::Special) => {
                self.commit();
                let mut events = std::mem::take(&mut self.events);
                let outcome = self.put_one(object, &mut events);
                self.events = events;
                self.committed_events = self.events.len();
                self.outcomes.push(outcome);
            }
            Err(e) => self.outcomes.push(Err(e)),
        }
    }

    /// Commits what is staged; returns every outcome in offer order and
    /// the newly stored objects in event-log order.
    pub(crate) fn finish(mut self) -> (Vec<Result<PutOutcome, StoreError>>, Vec<StoredEvent>) {
        self.commit();
        (self.outcomes, self.events)
    }

    fn check(&mut self, object: &SignedObject) -> Result<Check, StoreError> {
        let id = object.id();
        if self.staged_ids.contains(&id) || self.db.contains_key(keys::object(&id))? {
            return Ok(Check::Known);
        }
        if self.future_dated(object) {
            return Ok(Check::Special);
        }
        for r in object.body().references() {
            if !self.staged_ids.contains(&r) && !self.referenced.stored(self.db, &r)? {
                return Ok(Check::Special);
            }
        }
        // Only the writer changes the pending set, so an empty one stays
        // empty here: nothing can be pending or waiting for this object.
        if self.counters.pending.load(Ordering::Relaxed) == 0 {
            return Ok(Check::Plain);
        }
        if self.db.contains_key(keys::pending(&id))?
            || self
                .db
                .scan_prefix(keys::waiting_prefix(&id))
                .next()
                .is_some()
        {
            return Ok(Check::Special);
        }
        Ok(Check::Plain)
    }

    fn stage(&mut self, object: &SignedObject) -> u64 {
        let seq = self.counters.next_seq.fetch_add(1, Ordering::Relaxed);
        index_entries(&mut self.batch, object, seq);
        self.staged_counts[keys::kind_byte(object.kind()) as usize] += 1;
        self.staged_ids.insert(object.id());
        self.events.push(StoredEvent {
            seq,
            object: object.clone(),
        });
        seq
    }

    /// Applies the staged batch with the new counts; on failure every
    /// staged object gets the error and none of their events is sent.
    fn commit(&mut self) {
        if self.staged_slots.is_empty() {
            return;
        }
        let mut batch = std::mem::take(&mut self.batch);
        let mut totals = Vec::new();
        for (index, added) in self.staged_counts.iter().enumerate() {
            if *added > 0 {
                let total = self.counters.counts[index].load(Ordering::Relaxed) + added;
                batch.insert(count_key(KINDS[index]), &total.to_be_bytes());
                totals.push((index, total));
            }
        }
        match self.db.apply_batch(batch) {
            Ok(()) => {
                for (index, total) in totals {
                    self.counters.counts[index].store(total, Ordering::Relaxed);
                }
            }
            Err(error) => {
                for slot in &self.staged_slots {
                    self.outcomes[*slot] = Err(StoreError::Sled(error.clone()));
                }
                self.events.truncate(self.committed_events);
            }
        }
        self.staged_ids.clear();
        self.staged_slots.clear();
        self.staged_counts = [0; KINDS.len()];
        self.committed_events = self.events.len();
    }

    /// One object on its own: wait in the pending set (held back if it is
    /// future-dated), or store it and release the objects waiting for it.
    fn put_one(
        &self,
        object: &SignedObject,
        stored: &mut Vec<StoredEvent>,
    ) -> Result<PutOutcome, StoreError> {
        let db = self.db;
        let counters = self.counters;
        let id = object.id();
        if db.contains_key(keys::object(&id))? {
            return Ok(PutOutcome::Known);
        }
        if self.future_dated(object) {
            return self.hold(object);
        }
        let missing = self.missing_references(object)?;
        if db.contains_key(keys::pending(&id))? {
            return Ok(PutOutcome::Pending { missing });
        }
        if !missing.is_empty() {
            self.check_room()?;
            let mut batch = sled::Batch::default();
            batch.insert(keys::pending(&id), object.bytes());
            for m in &missing {
                batch.insert(keys::waiting(m, &id), &[]);
            }
            db.apply_batch(batch)?;
            counters.pending.fetch_add(1, Ordering::Relaxed);
            return Ok(PutOutcome::Pending { missing });
        }
        self.store_and_release(object, stored)
    }

    /// Whether `object` is dated beyond this node's clock plus the allowed
    /// skew (design: only obvious future-dating is held back).
    fn future_dated(&self, object: &SignedObject) -> bool {
        object.created_at() > self.now_ms.saturating_add(MAX_CLOCK_SKEW_MS)
    }

    /// Parks a future-dated object in the pending set until its time comes
    /// (see [`Group::release_due`]); refuses one dated too far ahead.
    fn hold(&self, object: &SignedObject) -> Result<PutOutcome, StoreError> {
        let (id, created_at) = (object.id(), object.created_at());
        let ahead_ms = created_at - self.now_ms;
        if ahead_ms > MAX_HOLD_MS {
            return Err(StoreError::TooFarAhead {
                ahead_secs: ahead_ms / 1000,
                limit_secs: MAX_HOLD_MS / 1000,
            });
        }
        let until = created_at - MAX_CLOCK_SKEW_MS;
        if self.db.contains_key(keys::pending(&id))? {
            return Ok(PutOutcome::Held { until });
        }
        self.check_room()?;
        let mut batch = sled::Batch::default();
        batch.insert(keys::pending(&id), object.bytes());
        batch.insert(keys::held(created_at, &id), &[]);
        self.db.apply_batch(batch)?;
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        self.counters.held.fetch_add(1, Ordering::Relaxed);
        Ok(PutOutcome::Held { until })
    }

    fn check_room(&self) -> Result<(), StoreError> {
        let limit = self.counters.max_pending;
        if self.counters.pending.load(Ordering::Relaxed) >= limit {
            return Err(StoreError::PendingFull { limit });
        }
        Ok(())
    }

    /// Offers every held object whose time has come (its `created_at` is
    /// within the allowed skew of the clock): stored, or pending on its
    /// references like any other object. Each leaves the held set only
    /// after it is stored or parked as pending, so a crash in between
    /// offers it again after restart (and then finds it stored).
    pub(crate) fn release_due(&mut self) -> Result<(), StoreError> {
        if self.counters.held.load(Ordering::Relaxed) == 0 {
            return Ok(());
        }
        self.commit();
        let horizon = self.now_ms.saturating_add(MAX_CLOCK_SKEW_MS);
        let mut due = Vec::new();
        for entry in self.db.scan_prefix([keys::HELD]) {
            let (key, _) = entry?;
            match keys::held_time(&key) {
                Some(at) if at > horizon => break,
                _ => due.push(key),
            }
        }
        for key in due {
            let Some(id) = keys::trailing_id(&key) else {
                continue;
            };
            let mut events = std::mem::take(&mut self.events);
            let released = self.release_one(&key, &id, &mut events);
            self.events = events;
            self.committed_events = self.events.len();
            released?;
        }
        Ok(())
    }

    fn release_one(
        &self,
        held_key: &[u8],
        id: &ObjectId,
        stored: &mut Vec<StoredEvent>,
    ) -> Result<(), StoreError> {
        let (db, counters) = (self.db, self.counters);
        let mut done = sled::Batch::default();
        done.remove(held_key);
        let Some(bytes) = db.get(keys::pending(id))? else {
            db.apply_batch(done)?;
            counters.held.fetch_sub(1, Ordering::Relaxed);
            return Ok(());
        };
        let object = decode_stored(id, &bytes)?;
        let missing = self.missing_references(&object)?;
        if missing.is_empty() {
            if !db.contains_key(keys::object(id))? {
                self.store_and_release(&object, stored)?;
            }
            done.remove(keys::pending(id));
            counters.pending.fetch_sub(1, Ordering::Relaxed);
        } else {
            // Still pending, now on its references.
            for m in &missing {
                done.insert(keys::waiting(m, id), &[]);
            }
        }
        db.apply_batch(done)?;
        counters.held.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }

    /// Stores `object` (every reference is stored) and releases the
    /// objects waiting for it, and theirs in turn.
    fn store_and_release(
        &self,
        object: &SignedObject,
        stored: &mut Vec<StoredEvent>,
    ) -> Result<PutOutcome, StoreError> {
        let (db, counters) = (self.db, self.counters);
        let id = object.id();
        let seq = self.store_one(object)?;
        stored.push(StoredEvent {
            seq,
            object: object.clone(),
        });
        let mut arrived = vec![id];
        while let Some(done) = arrived.pop() {
            for entry in db.scan_prefix(keys::waiting_prefix(&done)) {
                let (key, _) = entry?;
                let Some(waiter_id) = keys::trailing_id(&key) else {
                    continue;
                };
                db.remove(&key)?;
                let Some(bytes) = db.get(keys::pending(&waiter_id))? else {
                    continue;
                };
                let waiter = decode_stored(&waiter_id, &bytes)?;
                if !self.missing_references(&waiter)?.is_empty() {
                    continue;
                }
                let seq = self.store_one(&waiter)?;
                db.remove(keys::pending(&waiter_id))?;
                counters.pending.fetch_sub(1, Ordering::Relaxed);
                stored.push(StoredEvent {
                    seq,
                    object: waiter,
                });
                arrived.push(waiter_id);
            }
        }
        Ok(PutOutcome::Stored { seq })
    }

    fn missing_references(&self, object: &SignedObject) -> Result<Vec<ObjectId>, StoreError> {
        let mut missing = Vec::new();
        for r in object.body().references() {
            if !self.db.contains_key(keys::object(&r))? {
                missing.push(r);
            }
        }
        Ok(missing)
    }

    /// Writes the object, every index entry and its kind's count in one
    /// atomic batch.
    fn store_one(&self, object: &SignedObject) -> Result<u64, StoreError> {
        let kind = object.kind();
        let seq = self.counters.next_seq.fetch_add(1, Ordering::Relaxed);
        let mut batch = sled::Batch::default();
        index_entries(&mut batch, object, seq);
        let index = keys::kind_byte(kind) as usize;
        let count = self.counters.counts[index].load(Ordering::Relaxed) + 1;
        batch.insert(count_key(kind), &count.to_be_bytes());
        self.db.apply_batch(batch)?;
        self.counters.counts[index].store(count, Ordering::Relaxed);
        Ok(seq)
    }
}

/// The object and its index entries (not the count).
fn index_entries(batch: &mut sled::Batch, object: &SignedObject, seq: u64) {
    let id = object.id();
    let at = object.created_at();
    let kind = object.kind();
    batch.insert(keys::object(&id), object.bytes());
    batch.insert(keys::seq(seq), id.as_bytes());
    batch.insert(keys::time(at, &id), &[]);
    batch.insert(keys::kind(kind, at, &id), &[]);
    batch.insert(keys::author(&object.author(), at, &id), &[]);
    for r in object.body().references() {
        batch.insert(keys::referrer(&r, kind, at, &id), &[]);
    }
    match object.body() {
        Body::Comment(c) => batch.insert(keys::section(&c.charter, &c.section, kind, at, &id), &[]),
        Body::Draft(d) => batch.insert(keys::section(&d.charter, &d.section, kind, at, &id), &[]),
        Body::Revocation(r) => batch.insert(keys::revoked(&r.key, &id), &[]),
        _ => {}
    }
}
