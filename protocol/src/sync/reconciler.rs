//! The reconciliation state machine: messages in, a reply and the found
//! differences out. No IO, no clock, no randomness; the same code serves
//! both peers, whichever of them initiates.
//!
//! Rules, per incoming range `[lower, upper)` (lower is where the previous
//! range ended):
//!
//! - `Skip`: nothing to do.
//! - `Fingerprint`: equal to ours → settled; different → split our keys in
//!   the range into `branching` buckets of equal count, each sent as a
//!   `Fingerprint`, or — when we hold fewer than `id_list_threshold` keys
//!   there — send all our ids as one `IdList`.
//! - `IdList`: we now know both sides of the range. Report our keys missing
//!   from the list (`have`) and the listed ids we lack (`need`), and answer
//!   with a `Difference` so the peer learns the same. If that answer would
//!   not fit in a frame we fall back to our own `IdList` (we hold few keys)
//!   or to splitting (we hold many).
//! - `Difference`: report its ids (`need`, and ours it names as `have`);
//!   the range is settled.
//!
//! A reply never exceeds the frame limit: when the next range's answer does
//! not fit, the reply ends with one `Fingerprint` of everything from that
//! range's lower bound up to `Infinity`, and the peer continues from there in
//! the next round. The session is over when a reply would only skip.

use std::collections::HashSet;
use std::ops::Range;

use super::builder::Builder;
use super::error::SyncError;
use super::item::{Bound, SyncKey};
use super::message::{Mode, SyncMessage, SyncRange};
use super::storage::SyncStore;
use crate::limits::{MAX_SYNC_IDS, MAX_SYNC_MESSAGE_BYTES};
use crate::ObjectId;

/// Default number of sub-ranges a differing range is split into.
pub const DEFAULT_BRANCHING: usize = 16;
/// Default key count below which a range is sent as an id list.
pub const DEFAULT_ID_LIST_THRESHOLD: usize = 2 * DEFAULT_BRANCHING;
/// Smallest frame limit a [`Reconciler`] accepts, in bytes.
pub const MIN_FRAME_BYTES: usize = 16 * 1024;
/// Largest branching a [`Reconciler`] accepts.
pub const MAX_BRANCHING: usize = 64;
/// Largest id-list threshold a [`Reconciler`] accepts.
pub const MAX_ID_LIST_THRESHOLD: usize = 256;

/// The parameters of the reconciliation; see the module docs for its rules.
///
/// Peers need not use the same parameters: every message is answered on its
/// own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconciler {
    /// Sub-ranges per split: more means fewer rounds but more bytes per round.
    branching: usize,
    /// Ranges with fewer keys than this are sent as id lists, not split.
    id_list_threshold: usize,
    /// Most bytes of one outgoing message.
    frame_limit: usize,
}

impl Default for Reconciler {
    fn default() -> Reconciler {
        Reconciler {
            branching: DEFAULT_BRANCHING,
            id_list_threshold: DEFAULT_ID_LIST_THRESHOLD,
            frame_limit: MAX_SYNC_MESSAGE_BYTES,
        }
    }
}

/// What one incoming message taught us, and what to send back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The message to send, or `None` when the session is complete.
    pub reply: Option<SyncMessage>,
    /// Keys we hold that the peer lacks.
    pub have: Vec<SyncKey>,
    /// Ids the peer holds that we lack.
    pub need: Vec<ObjectId>,
}

impl Reconciler {
    /// A reconciler with the default parameters and the largest frame.
    pub fn new() -> Reconciler {
        Reconciler::default()
    }

    /// Sets the branching factor (clamped to `2..=MAX_BRANCHING`).
    pub fn with_branching(mut self, branching: usize) -> Reconciler {
        self.branching = branching.clamp(2, MAX_BRANCHING);
        self
    }

    /// Sets the id-list threshold (clamped to `1..=MAX_ID_LIST_THRESHOLD`).
    pub fn with_id_list_threshold(mut self, threshold: usize) -> Reconciler {
        self.id_list_threshold = threshold.clamp(1, MAX_ID_LIST_THRESHOLD);
        self
    }

    /// Sets the frame limit (clamped to `MIN_FRAME_BYTES..=MAX_SYNC_MESSAGE_BYTES`).
    pub fn with_frame_limit(mut self, bytes: usize) -> Reconciler {
        self.frame_limit = bytes.clamp(MIN_FRAME_BYTES, MAX_SYNC_MESSAGE_BYTES);
        self
    }

    /// The first message of a session: our whole store, split.
    pub fn initiate<S: SyncStore + ?Sized>(&self, store: &S) -> SyncMessage {
        let mut out = Builder::new(self.frame_limit);
        match self.split(store, 0..store.len(), Bound::Infinity, &mut out) {
            Ok(()) => out.finish().unwrap_or_default(),
            Err(at) => out.cut(Mode::Fingerprint(store.fingerprint(at..store.len()))),
        }
    }

    /// Answers one message of the peer. Fails, without a reply, only if the
    /// message breaks a limit or its bounds do not increase.
    ///
    /// `have` and `need` may repeat keys reported in earlier rounds of the
    /// same session when a frame was cut; callers collect them in sets.
    pub fn reconcile<S: SyncStore + ?Sized>(
        &self,
        store: &S,
        incoming: &SyncMessage,
    ) -> Result<Outcome, SyncError> {
        incoming.validate()?;
        let len = store.len();
        let mut out = Builder::new(self.frame_limit);
        let mut outcome = Outcome::default();
        let mut lower = 0;
        for range in &incoming.ranges {
            let upper = store.lower_bound(&range.upper).clamp(lower, len);
            let keys = lower..upper;
            let done = match &range.mode {
                Mode::Skip => {
                    out.skip(range.upper);
                    Ok(())
                }
                Mode::Fingerprint(theirs) => {
                    if store.fingerprint(keys.clone()) == *theirs {
                        out.skip(range.upper);
                        Ok(())
                    } else {
                        self.split(store, keys, range.upper, &mut out)
                    }
                }
                Mode::IdList(theirs) => {
                    self.answer_id_list(store, keys, range.upper, theirs, &mut out, &mut outcome)
                }
                Mode::Difference {
                    sender_only,
                    receiver_only,
                } => {
                    take_difference(store, keys, sender_only, receiver_only, &mut outcome);
                    out.skip(range.upper);
                    Ok(())
                }
            };
            if let Err(at) = done {
                let rest = Mode::Fingerprint(store.fingerprint(at..len));
                outcome.reply = Some(out.cut(rest));
                return Ok(outcome);
            }
            lower = upper;
        }
        outcome.reply = out.finish();
        Ok(outcome)
    }

    /// Sends our keys at `keys` (ending at `upper`) as an id list or as
    /// bucket fingerprints. `Err(i)`: the frame is full from key `i` on.
    fn split<S: SyncStore + ?Sized>(
        &self,
        store: &S,
        keys: Range<usize>,
        upper: Bound,
        out: &mut Builder,
    ) -> Result<(), usize> {
        let count = keys.len();
        if count < self.id_list_threshold {
            let ids = store.keys(keys.clone()).into_iter().map(|k| k.id).collect();
            let range = SyncRange {
                upper,
                mode: Mode::IdList(ids),
            };
            return if out.try_push(range) {
                Ok(())
            } else {
                Err(keys.start)
            };
        }
        let buckets = self.branching.min(count);
        let (per, extra) = (count / buckets, count % buckets);
        let mut start = keys.start;
        for i in 0..buckets {
            let end = start + per + usize::from(i < extra);
            let bucket_upper = if i + 1 == buckets {
                upper
            } else {
                match (store.key_at(end - 1), store.key_at(end)) {
                    (Some(prev), Some(next)) if prev < next => Bound::between(&prev, &next),
                    // A store that changed under us: cover the rest at once.
                    _ => upper,
                }
            };
            let range = SyncRange {
                upper: bucket_upper,
                mode: Mode::Fingerprint(store.fingerprint(start..end)),
            };
            if !out.try_push(range) {
                return Err(start);
            }
            if bucket_upper == upper {
                break;
            }
            start = end;
        }
        Ok(())
    }

    /// Answers the peer's full id list of the range `keys` (ending at `upper`).
    fn answer_id_list<S: SyncStore + ?Sized>(
        &self,
        store: &S,
        keys: Range<usize>,
        upper: Bound,
        theirs: &[ObjectId],
        out: &mut Builder,
        outcome: &mut Outcome,
    ) -> Result<(), usize> {
        if keys.len() > MAX_SYNC_IDS {
            return self.split(store, keys, upper, out);
        }
        let ours = store.keys(keys.clone());
        let our_ids: HashSet<ObjectId> = ours.iter().map(|k| k.id).collect();
        let their_ids: HashSet<ObjectId> = theirs.iter().copied().collect();
        let have: Vec<SyncKey> = ours
            .iter()
            .filter(|k| !their_ids.contains(&k.id))
            .copied()
            .collect();
        let mut listed = HashSet::new();
        let need: Vec<ObjectId> = theirs
            .iter()
            .filter(|id| !our_ids.contains(id) && listed.insert(**id))
            .copied()
            .collect();
        if have.is_empty() && need.is_empty() {
            out.skip(upper);
            return Ok(());
        }
        let answer = SyncRange {
            upper,
            mode: Mode::Difference {
                sender_only: have.iter().map(|k| k.id).collect(),
                receiver_only: need.clone(),
            },
        };
        if !out.fits_empty_frame(&answer) {
            return if ours.len() < self.id_list_threshold {
                let ids = ours.iter().map(|k| k.id).collect();
                let range = SyncRange {
                    upper,
                    mode: Mode::IdList(ids),
                };
                if out.try_push(range) {
                    Ok(())
                } else {
                    Err(keys.start)
                }
            } else {
                self.split(store, keys, upper, out)
            };
        }
        if !out.try_push(answer) {
            return Err(keys.start);
        }
        outcome.have.extend(have);
        outcome.need.extend(need);
        Ok(())
    }
}

/// Records a `Difference` for our keys at `keys`. Ids we hold are not
/// reported as needed; the keys it names are looked up only in small ranges
/// (an honest peer sends a `Difference` only for a range we listed).
fn take_difference<S: SyncStore + ?Sized>(
    store: &S,
    keys: Range<usize>,
    sender_only: &[ObjectId],
    receiver_only: &[ObjectId],
    outcome: &mut Outcome,
) {
    if keys.len() > MAX_SYNC_IDS {
        return;
    }
    let ours = store.keys(keys);
    let our_ids: HashSet<ObjectId> = ours.iter().map(|k| k.id).collect();
    let mut seen = HashSet::new();
    outcome.need.extend(
        sender_only
            .iter()
            .filter(|id| !our_ids.contains(id) && seen.insert(**id)),
    );
    let wanted: HashSet<&ObjectId> = receiver_only.iter().collect();
    outcome
        .have
        .extend(ours.iter().filter(|k| wanted.contains(&k.id)));
}
