//! Building one outgoing message within a frame budget.

use super::item::Bound;
use super::message::{bound_len, Mode, SyncMessage, SyncRange, MAX_BOUND_BYTES};
use crate::limits::{MAX_SYNC_IDS, MAX_SYNC_RANGES};

/// Bytes kept free for closing a cut message: a pending `Skip` plus a
/// `Fingerprint` range up to `Infinity`.
pub(crate) const CUT_RESERVE: usize = MAX_BOUND_BYTES + 1 + 16;

/// An outgoing message under construction. Consecutive `Skip`s are merged
/// and trailing ones dropped (everything above the last range is settled).
#[derive(Debug)]
pub(crate) struct Builder {
    /// Ranges so far.
    ranges: Vec<SyncRange>,
    /// A `Skip` not yet written: its upper bound.
    pending_skip: Option<Bound>,
    /// Encoded bytes of `ranges`.
    bytes: usize,
    /// Ids in `ranges`.
    ids: usize,
    /// Timestamp of the last `Key` bound in `ranges` (for delta encoding).
    last_ts: u64,
    /// Most bytes the finished message may have.
    frame_limit: usize,
}

impl Builder {
    pub(crate) fn new(frame_limit: usize) -> Builder {
        Builder {
            ranges: Vec::new(),
            pending_skip: None,
            bytes: 0,
            ids: 0,
            last_ts: 0,
            frame_limit,
        }
    }

    /// Notes that everything below `upper` needs nothing.
    pub(crate) fn skip(&mut self, upper: Bound) {
        self.pending_skip = Some(upper);
    }

    /// Bytes that `range` would add, with a pending skip written first.
    fn cost(&self, range: &SyncRange) -> (usize, u64) {
        let mut ts = self.last_ts;
        let mut cost = 0;
        if let Some(skip) = &self.pending_skip {
            cost += bound_len(ts, skip);
            if let Bound::Key(k) = skip {
                ts = k.created_at;
            }
        }
        cost += bound_len(ts, &range.upper) + range.mode.payload_len();
        if let Bound::Key(k) = range.upper {
            ts = k.created_at;
        }
        (cost, ts)
    }

    /// Whether `range` fits in an otherwise empty frame (with the cut reserve).
    pub(crate) fn fits_empty_frame(&self, range: &SyncRange) -> bool {
        MAX_BOUND_BYTES + range.mode.payload_len() + CUT_RESERVE <= self.frame_limit
            && range.mode.id_count() <= MAX_SYNC_IDS
    }

    /// Appends `range` if it fits the budget (keeping room for a cut), else
    /// leaves the message unchanged and returns `false`.
    pub(crate) fn try_push(&mut self, range: SyncRange) -> bool {
        let (cost, ts) = self.cost(&range);
        let ids = range.mode.id_count();
        if self.bytes + cost + CUT_RESERVE > self.frame_limit
            || self.ids + ids > MAX_SYNC_IDS
            || self.ranges.len() + 4 > MAX_SYNC_RANGES
        {
            return false;
        }
        if let Some(skip) = self.pending_skip.take() {
            self.ranges.push(SyncRange {
                upper: skip,
                mode: Mode::Skip,
            });
        }
        self.ranges.push(range);
        self.bytes += cost;
        self.ids += ids;
        self.last_ts = ts;
        true
    }

    /// Closes a cut message: writes the pending skip and a last range up to
    /// `Infinity` (always fits: its room was reserved).
    pub(crate) fn cut(mut self, rest: Mode) -> SyncMessage {
        if let Some(skip) = self.pending_skip.take() {
            self.ranges.push(SyncRange {
                upper: skip,
                mode: Mode::Skip,
            });
        }
        self.ranges.push(SyncRange {
            upper: Bound::Infinity,
            mode: rest,
        });
        SyncMessage {
            ranges: self.ranges,
        }
    }

    /// The message, or `None` if it would only skip (the session is done).
    pub(crate) fn finish(self) -> Option<SyncMessage> {
        (!self.ranges.is_empty()).then_some(SyncMessage {
            ranges: self.ranges,
        })
    }
}
