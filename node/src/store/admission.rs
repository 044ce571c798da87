//! The admission rules every engine shares: what becomes of an offered
//! object (stored, known, pending on missing references, held until its
//! time comes, refused), which pending objects an arrival releases, and
//! when held objects are due. An engine supplies only the reads and
//! writes ([`Tables`]); [`Group`] decides.
//!
//! Most objects are plain: every reference is stored and no pending object
//! waits for them. An engine may stage those ([`Tables::stage`]) and write
//! a run of them at once ([`Tables::commit_staged`]; sled merges them into
//! one batch, see `sled_batch.rs`). Anything else (an object that must
//! wait, one that other objects wait for, one already pending) first
//! commits what is staged and then takes the one-object-at-a-time path, so
//! it sees every earlier write exactly as if each object had been applied
//! on its own.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use baraza_protocol::limits::MAX_CLOCK_SKEW_MS;
use baraza_protocol::{Kind, ObjectId, SignedObject, KINDS};

use super::{LogEntry, PutOutcome, StoreError, StoredEvent};

/// Most objects staged before a commit: bounds the staged writes' memory
/// and how much one failed commit takes down with it.
const MAX_STAGED: usize = 1024;
/// How far ahead of the node's clock an object may be dated and still be
/// held back until its time comes (7 days); beyond that it is refused.
pub(crate) const MAX_HOLD_MS: u64 = 7 * 24 * 3600 * 1000;

/// An engine's counters, kept by its writes, read by everyone without a
/// lock.
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
    /// Entries of the transparency log the engine holds (written, maybe
    /// not yet durable).
    pub(crate) log_written: AtomicU64,
    /// Of those, the entries known durable (after the writer's flush).
    pub(crate) log_durable: AtomicU64,
}

impl Counters {
    /// Fresh counters: the event log continues at `next_seq`.
    pub(crate) fn new(next_seq: u64, max_pending: usize) -> Counters {
        Counters {
            log_written: AtomicU64::new(0),
            log_durable: AtomicU64::new(0),
            next_seq: AtomicU64::new(next_seq),
            counts: Default::default(),
            pending: AtomicUsize::new(0),
            held: AtomicUsize::new(0),
            max_pending,
        }
    }

    /// Takes the next event-log position.
    pub(crate) fn take_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// The last event-log position taken (0 before the first object).
    pub(crate) fn last_seq(&self) -> u64 {
        self.next_seq.load(Ordering::Relaxed).saturating_sub(1)
    }

    /// Stored objects by kind, in [`KINDS`] order.
    pub(crate) fn by_kind(&self) -> Vec<(Kind, u64)> {
        KINDS
            .iter()
            .zip(&self.counts)
            .map(|(kind, count)| (*kind, count.load(Ordering::Relaxed)))
            .collect()
    }

    /// Objects in the pending set.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// Future-dated objects held until their time comes.
    pub(crate) fn held_len(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// A log of `size` entries is written and durable (at open).
    pub(crate) fn set_log(&self, size: u64) {
        self.log_written.store(size, Ordering::Release);
        self.log_durable.store(size, Ordering::Release);
    }

    /// Durable entries of the transparency log.
    pub(crate) fn log_size(&self) -> u64 {
        self.log_durable.load(Ordering::Acquire)
    }
}

/// Where a stored object went: its event-log position and its
/// transparency-log entry.
pub(crate) type Placed = (u64, Option<LogEntry>);

/// What becomes of a held object taken out of the held set.
pub(crate) enum Unheld<'a> {
    /// It is no longer pending (nothing to do but forget the hold).
    Gone,
    /// It was stored: it leaves the pending set too.
    Stored,
    /// It stays pending, now waiting for these references.
    Waiting(&'a [ObjectId]),
}

/// The reads and writes the admission rules need from an engine. Each
/// write is atomic on its own, and keeps the engine's pending and held
/// counts in step.
pub(crate) trait Tables {
    /// Whether `id` is stored (or staged to be).
    fn is_stored(&mut self, id: &ObjectId) -> Result<bool, StoreError>;
    /// Whether the referenced `id` is stored; an engine may cache the
    /// answer (objects are never deleted).
    fn reference_stored(&mut self, id: &ObjectId) -> Result<bool, StoreError> {
        self.is_stored(id)
    }
    /// Whether `id` is staged, not yet committed.
    fn is_staged(&self, _id: &ObjectId) -> bool {
        false
    }
    /// Whether `id` waits in the pending set.
    fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError>;
    /// Whether any pending object waits for `id`.
    fn has_waiters(&self, id: &ObjectId) -> Result<bool, StoreError>;
    /// The pending objects waiting for `id`, in id order.
    fn waiters(&self, id: &ObjectId) -> Result<Vec<ObjectId>, StoreError>;
    /// Forgets that `waiter` waits for `missing`.
    fn unwait(&mut self, missing: &ObjectId, waiter: &ObjectId) -> Result<(), StoreError>;
    /// The pending object `id`, if it is pending.
    fn pending_object(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError>;
    /// Objects in the pending set.
    fn pending_len(&self) -> usize;
    /// Of those, objects held until their time comes.
    fn held_len(&self) -> usize;
    /// The pending set's bound.
    fn max_pending(&self) -> usize;
    /// Puts `object` in the pending set, waiting for `missing`.
    fn park(&mut self, object: &SignedObject, missing: &[ObjectId]) -> Result<(), StoreError>;
    /// Puts a future-dated `object` in the pending set and the held set.
    fn hold(&mut self, object: &SignedObject) -> Result<(), StoreError>;
    /// The held objects dated at or before `horizon`, oldest first, as
    /// (created_at, id).
    fn held_due(&self, horizon: u64) -> Result<Vec<(u64, ObjectId)>, StoreError>;
    /// Takes a held object out of the held set, and does what `next` says.
    fn unhold(
        &mut self,
        created_at: u64,
        id: &ObjectId,
        next: Unheld<'_>,
    ) -> Result<(), StoreError>;
    /// Stores `object` with its index entries and count now; returns its
    /// event-log position and its transparency-log entry.
    fn store(&mut self, object: &SignedObject) -> Result<Placed, StoreError>;
    /// Takes a stored object out of the pending set.
    fn unpark(&mut self, id: &ObjectId) -> Result<(), StoreError>;
    /// Stages a plain object to be stored by the next
    /// [`Tables::commit_staged`]; returns where it goes. An engine
    /// without staging stores it at once.
    fn stage(&mut self, object: &SignedObject) -> Result<Placed, StoreError> {
        self.store(object)
    }
    /// Writes everything staged; on failure none of it is stored.
    fn commit_staged(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// One group of offered objects being applied, in order.
pub(crate) struct Group<T: Tables> {
    tables: T,
    /// The node's clock (ms since the epoch) for this group: objects dated
    /// more than [`MAX_CLOCK_SKEW_MS`] after it are held back.
    now_ms: u64,
    /// Positions in `outcomes` that depend on the staged writes.
    staged_slots: Vec<usize>,
    /// `events` up to here are committed.
    committed_events: usize,
    outcomes: Vec<Result<PutOutcome, StoreError>>,
    events: Vec<StoredEvent>,
}

/// What an object needs.
enum Check {
    /// Decided without writing anything (already stored).
    Known,
    /// Plain: it can be staged.
    Plain,
    /// Needs the one-at-a-time path.
    Special,
}

impl<T: Tables> Group<T> {
    /// A group applied through `tables` at the clock reading `now_ms`.
    pub(crate) fn new(tables: T, now_ms: u64) -> Group<T> {
        Group {
            tables,
            now_ms,
            staged_slots: Vec::new(),
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
                if self.tables.is_staged(&object.id()) {
                    self.staged_slots.push(slot);
                }
            }
            Ok(Check::Plain) => match self.tables.stage(object) {
                Ok((seq, log)) => {
                    self.events.push(StoredEvent {
                        seq,
                        object: object.clone(),
                    });
                    self.outcomes.push(Ok(PutOutcome::Stored { seq, log }));
                    self.staged_slots.push(slot);
                    if self.staged_slots.len() >= MAX_STAGED {
                        self.commit();
                    }
                }
                Err(e) => self.outcomes.push(Err(e)),
            },
            Ok(Check::Special) => {
                self.commit();
                let outcome = self.put_one(object);
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
        if self.tables.is_stored(&id)? {
            return Ok(Check::Known);
        }
        if self.future_dated(object) {
            return Ok(Check::Special);
        }
        for r in object.body().references() {
            if !self.tables.reference_stored(&r)? {
                return Ok(Check::Special);
            }
        }
        // Only the group's engine changes the pending set, so an empty one
        // stays empty here: nothing can be pending or waiting for this object.
        if self.tables.pending_len() == 0 {
            return Ok(Check::Plain);
        }
        if self.tables.is_pending(&id)? || self.tables.has_waiters(&id)? {
            return Ok(Check::Special);
        }
        Ok(Check::Plain)
    }

    /// Commits the staged writes; on failure every staged object gets the
    /// error and none of their events is sent.
    fn commit(&mut self) {
        if self.staged_slots.is_empty() {
            return;
        }
        if let Err(error) = self.tables.commit_staged() {
            for slot in &self.staged_slots {
                self.outcomes[*slot] = Err(error.clone());
            }
            self.events.truncate(self.committed_events);
        }
        self.staged_slots.clear();
        self.committed_events = self.events.len();
    }

    /// One object on its own: wait in the pending set (held back if it is
    /// future-dated), or store it and release the objects waiting for it.
    fn put_one(&mut self, object: &SignedObject) -> Result<PutOutcome, StoreError> {
        let id = object.id();
        if self.tables.is_stored(&id)? {
            return Ok(PutOutcome::Known);
        }
        if self.future_dated(object) {
            return self.hold(object);
        }
        let missing = self.missing_references(object)?;
        if self.tables.is_pending(&id)? {
            return Ok(PutOutcome::Pending { missing });
        }
        if !missing.is_empty() {
            self.check_room()?;
            self.tables.park(object, &missing)?;
            return Ok(PutOutcome::Pending { missing });
        }
        self.store_and_release(object)
    }

    /// Whether `object` is dated beyond this node's clock plus the allowed
    /// skew (design: only obvious future-dating is held back).
    fn future_dated(&self, object: &SignedObject) -> bool {
        object.created_at() > self.now_ms.saturating_add(MAX_CLOCK_SKEW_MS)
    }

    /// Parks a future-dated object in the pending set until its time comes
    /// (see [`Group::release_due`]); refuses one dated too far ahead.
    fn hold(&mut self, object: &SignedObject) -> Result<PutOutcome, StoreError> {
        let created_at = object.created_at();
        let ahead_ms = created_at.saturating_sub(self.now_ms);
        if ahead_ms > MAX_HOLD_MS {
            return Err(StoreError::TooFarAhead {
                ahead_secs: ahead_ms / 1000,
                limit_secs: MAX_HOLD_MS / 1000,
            });
        }
        let until = created_at.saturating_sub(MAX_CLOCK_SKEW_MS);
        if self.tables.is_pending(&object.id())? {
            return Ok(PutOutcome::Held { until });
        }
        self.check_room()?;
        self.tables.hold(object)?;
        Ok(PutOutcome::Held { until })
    }

    fn check_room(&self) -> Result<(), StoreError> {
        let limit = self.tables.max_pending();
        if self.tables.pending_len() >= limit {
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
        if self.tables.held_len() == 0 {
            return Ok(());
        }
        self.commit();
        let horizon = self.now_ms.saturating_add(MAX_CLOCK_SKEW_MS);
        for (created_at, id) in self.tables.held_due(horizon)? {
            let released = self.release_one(created_at, &id);
            self.committed_events = self.events.len();
            released?;
        }
        Ok(())
    }

    fn release_one(&mut self, created_at: u64, id: &ObjectId) -> Result<(), StoreError> {
        let Some(object) = self.tables.pending_object(id)? else {
            return self.tables.unhold(created_at, id, Unheld::Gone);
        };
        let missing = self.missing_references(&object)?;
        if missing.is_empty() {
            if !self.tables.is_stored(id)? {
                self.store_and_release(&object)?;
            }
            self.tables.unhold(created_at, id, Unheld::Stored)
        } else {
            self.tables
                .unhold(created_at, id, Unheld::Waiting(&missing))
        }
    }

    /// Stores `object` (every reference is stored) and releases the
    /// objects waiting for it, and theirs in turn.
    fn store_and_release(&mut self, object: &SignedObject) -> Result<PutOutcome, StoreError> {
        let (seq, log) = self.tables.store(object)?;
        self.events.push(StoredEvent {
            seq,
            object: object.clone(),
        });
        let mut arrived = vec![object.id()];
        while let Some(done) = arrived.pop() {
            for waiter_id in self.tables.waiters(&done)? {
                self.tables.unwait(&done, &waiter_id)?;
                let Some(waiter) = self.tables.pending_object(&waiter_id)? else {
                    continue;
                };
                if !self.missing_references(&waiter)?.is_empty() {
                    continue;
                }
                let (seq, _) = self.tables.store(&waiter)?;
                self.tables.unpark(&waiter_id)?;
                self.events.push(StoredEvent {
                    seq,
                    object: waiter,
                });
                arrived.push(waiter_id);
            }
        }
        Ok(PutOutcome::Stored { seq, log })
    }

    fn missing_references(&mut self, object: &SignedObject) -> Result<Vec<ObjectId>, StoreError> {
        let mut missing = Vec::new();
        for r in object.body().references() {
            if !self.tables.is_stored(&r)? {
                missing.push(r);
            }
        }
        Ok(missing)
    }
}

#[cfg(test)]
mod tests {
    //! The staging rules with an engine whose commits can fail (the
    //! engines' shared behaviour is in the conformance suite).

    use std::collections::{BTreeSet, HashMap, HashSet};

    use super::*;
    use crate::store::conformance::{charter, comment};

    /// Just enough of an engine: stored objects, a pending set without
    /// holds, staging that a flag makes fail.
    #[derive(Default)]
    struct Fake {
        counters: Option<Counters>,
        stored: HashSet<ObjectId>,
        staged: Vec<SignedObject>,
        pending: HashMap<ObjectId, SignedObject>,
        waiting: BTreeSet<(ObjectId, ObjectId)>,
        fail_commits: bool,
    }

    impl Fake {
        fn counters(&self) -> &Counters {
            self.counters.as_ref().expect("set by the test")
        }
    }

    impl Tables for &mut Fake {
        fn is_stored(&mut self, id: &ObjectId) -> Result<bool, StoreError> {
            Ok(self.stored.contains(id) || self.is_staged(id))
        }
        fn is_staged(&self, id: &ObjectId) -> bool {
            self.staged.iter().any(|o| o.id() == *id)
        }
        fn is_pending(&self, id: &ObjectId) -> Result<bool, StoreError> {
            Ok(self.pending.contains_key(id))
        }
        fn has_waiters(&self, id: &ObjectId) -> Result<bool, StoreError> {
            Ok(self.waiting.iter().any(|(m, _)| m == id))
        }
        fn waiters(&self, id: &ObjectId) -> Result<Vec<ObjectId>, StoreError> {
            Ok(self
                .waiting
                .iter()
                .filter(|(m, _)| m == id)
                .map(|(_, w)| *w)
                .collect())
        }
        fn unwait(&mut self, missing: &ObjectId, waiter: &ObjectId) -> Result<(), StoreError> {
            self.waiting.remove(&(*missing, *waiter));
            Ok(())
        }
        fn pending_object(&self, id: &ObjectId) -> Result<Option<SignedObject>, StoreError> {
            Ok(self.pending.get(id).cloned())
        }
        fn pending_len(&self) -> usize {
            self.pending.len()
        }
        fn held_len(&self) -> usize {
            0
        }
        fn max_pending(&self) -> usize {
            10
        }
        fn park(&mut self, object: &SignedObject, missing: &[ObjectId]) -> Result<(), StoreError> {
            self.pending.insert(object.id(), object.clone());
            self.waiting
                .extend(missing.iter().map(|m| (*m, object.id())));
            Ok(())
        }
        fn hold(&mut self, _object: &SignedObject) -> Result<(), StoreError> {
            unreachable!("the fixtures are not future-dated")
        }
        fn held_due(&self, _horizon: u64) -> Result<Vec<(u64, ObjectId)>, StoreError> {
            Ok(Vec::new())
        }
        fn unhold(&mut self, _: u64, _: &ObjectId, _: Unheld<'_>) -> Result<(), StoreError> {
            Ok(())
        }
        fn store(&mut self, object: &SignedObject) -> Result<Placed, StoreError> {
            self.stored.insert(object.id());
            Ok((self.counters().take_seq(), None))
        }
        fn unpark(&mut self, id: &ObjectId) -> Result<(), StoreError> {
            self.pending.remove(id);
            Ok(())
        }
        fn stage(&mut self, object: &SignedObject) -> Result<Placed, StoreError> {
            self.staged.push(object.clone());
            Ok((self.counters().take_seq(), None))
        }
        fn commit_staged(&mut self) -> Result<(), StoreError> {
            let staged = std::mem::take(&mut self.staged);
            if self.fail_commits {
                return Err(StoreError::Engine {
                    detail: "test failure".into(),
                });
            }
            self.stored.extend(staged.iter().map(|o| o.id()));
            Ok(())
        }
    }

    #[test]
    fn a_failed_commit_fails_every_staged_object_and_announces_none() {
        let mut fake = Fake {
            counters: Some(Counters::new(1, 10)),
            ..Fake::default()
        };
        let c = charter();
        fake.stored.insert(c.id());
        let (a, b) = (comment(c.id(), 1, None), comment(c.id(), 2, None));
        let orphan = comment(c.id(), 3, Some(ObjectId([7; 32])));
        fake.fail_commits = true;
        let mut group = Group::new(&mut fake, crate::store::now_ms());
        // a and b are staged; the orphan commits them first (and fails
        // them), then parks on its own; the duplicate of a was staged-known.
        for object in [&a, &a, &b, &orphan] {
            group.offer(object);
        }
        let (outcomes, events) = group.finish();
        assert!(matches!(outcomes[0], Err(StoreError::Engine { .. })));
        assert!(
            matches!(outcomes[1], Err(StoreError::Engine { .. })),
            "known only because staged: fails with the commit"
        );
        assert!(matches!(outcomes[2], Err(StoreError::Engine { .. })));
        assert_eq!(
            outcomes[3].as_ref().ok(),
            Some(&PutOutcome::Pending {
                missing: vec![ObjectId([7; 32])]
            })
        );
        assert!(events.is_empty(), "nothing stored, nothing announced");
        assert!(!fake.stored.contains(&a.id()));
    }

    #[test]
    fn staged_objects_are_announced_in_order_with_what_they_release() {
        let mut fake = Fake {
            counters: Some(Counters::new(1, 10)),
            ..Fake::default()
        };
        let c = charter();
        let a = comment(c.id(), 1, None);
        let reply = comment(c.id(), 2, Some(a.id()));
        let mut group = Group::new(&mut fake, crate::store::now_ms());
        for object in [&c, &reply, &a] {
            group.offer(object);
        }
        let (outcomes, events) = group.finish();
        assert_eq!(
            outcomes[0].as_ref().ok(),
            Some(&PutOutcome::Stored { seq: 1, log: None })
        );
        assert_eq!(
            outcomes[1].as_ref().ok(),
            Some(&PutOutcome::Pending {
                missing: vec![a.id()]
            })
        );
        assert_eq!(
            outcomes[2].as_ref().ok(),
            Some(&PutOutcome::Stored { seq: 2, log: None })
        );
        let order: Vec<(u64, ObjectId)> = events.iter().map(|e| (e.seq, e.object.id())).collect();
        assert_eq!(order, vec![(1, c.id()), (2, a.id()), (3, reply.id())]);
        assert!(fake.pending.is_empty() && fake.waiting.is_empty());
    }
}
