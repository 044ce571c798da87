//! Sync messages and their compact binary encoding.
//!
//! A message is a list of ranges that together cover the key space from the
//! bottom up to the last range's upper bound; each range starts where the one
//! before it ends (the first at the bottom). Everything above the last bound
//! is settled, as if it were skipped. The format is specified in
//! `docs/PROTOCOL.md`, "Sync messages (/baraza/sync/1)":
//!
//! ```text
//! message = *range
//! range   = header [bound] payload
//! header  = mode | 0x04 if the bound is Infinity (then no bound follows)
//! bound   = varint(created_at - previous created_at) varint(len) id[..len]
//! payload = Skip: -  | Fingerprint: 16 bytes | IdList: varint(n) n×32 bytes
//!         | Difference: varint(n) n×32 bytes varint(m) m×32 bytes
//! ```

use super::error::SyncError;
use super::fingerprint::{Fingerprint, FINGERPRINT_BYTES};
use super::item::{Bound, SyncKey};
use super::varint;
use crate::limits::{MAX_SYNC_IDS, MAX_SYNC_MESSAGE_BYTES, MAX_SYNC_RANGES};
use crate::ObjectId;

/// Header flag: the range's upper bound is [`Bound::Infinity`].
const INFINITY_FLAG: u8 = 0x04;
/// Largest encoding of a range without its payload: header, a 10-byte
/// timestamp delta, prefix length, 32-byte prefix.
pub(crate) const MAX_BOUND_BYTES: usize = 1 + 10 + 1 + 32;

/// One message of a reconciliation session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncMessage {
    /// Consecutive ranges, by increasing upper bound.
    pub ranges: Vec<SyncRange>,
}

/// A range of keys: from the previous range's upper bound (or the bottom) up
/// to, not including, `upper`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRange {
    /// Exclusive upper bound.
    pub upper: Bound,
    /// What the sender says about its keys in the range.
    pub mode: Mode,
}

/// What a range carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Nothing to do here (wire mode 0).
    Skip,
    /// The sender's fingerprint of the range: compare, split if different (mode 1).
    Fingerprint(Fingerprint),
    /// All ids the sender holds in the range, in key order: answer with a
    /// `Difference` (mode 2).
    IdList(Vec<ObjectId>),
    /// The answer to an `IdList` of the same range (mode 3): the ids only the
    /// sender of this answer holds, and the ids of the receiver's list that
    /// the sender lacks. After it the range is settled on both sides.
    Difference {
        /// Ids the sender holds and the receiver lacks (receiver needs them).
        sender_only: Vec<ObjectId>,
        /// Ids the receiver listed and the sender lacks (sender needs them).
        receiver_only: Vec<ObjectId>,
    },
}

impl Mode {
    fn code(&self) -> u8 {
        match self {
            Mode::Skip => 0,
            Mode::Fingerprint(_) => 1,
            Mode::IdList(_) => 2,
            Mode::Difference { .. } => 3,
        }
    }

    /// Ids the mode carries.
    pub(crate) fn id_count(&self) -> usize {
        match self {
            Mode::Skip | Mode::Fingerprint(_) => 0,
            Mode::IdList(ids) => ids.len(),
            Mode::Difference {
                sender_only,
                receiver_only,
            } => sender_only.len() + receiver_only.len(),
        }
    }

    /// Bytes of the encoded payload.
    pub(crate) fn payload_len(&self) -> usize {
        let list = |n: usize| varint::len(n as u64) + 32 * n;
        match self {
            Mode::Skip => 0,
            Mode::Fingerprint(_) => FINGERPRINT_BYTES,
            Mode::IdList(ids) => list(ids.len()),
            Mode::Difference {
                sender_only,
                receiver_only,
            } => list(sender_only.len()) + list(receiver_only.len()),
        }
    }
}

/// The id prefix sent for a bound: the id without its trailing zero bytes.
fn prefix(key: &SyncKey) -> &[u8] {
    let len = key.id.0.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &key.id.0[..len]
}

/// Bytes of header and bound, after a bound with timestamp `prev_ts`.
pub(crate) fn bound_len(prev_ts: u64, upper: &Bound) -> usize {
    match upper {
        Bound::Infinity => 1,
        Bound::Key(key) => {
            let p = prefix(key).len();
            1 + varint::len(key.created_at.saturating_sub(prev_ts)) + varint::len(p as u64) + p
        }
    }
}

impl SyncMessage {
    /// Checks the limits and that bounds increase, as [`SyncMessage::decode`] does.
    pub fn validate(&self) -> Result<(), SyncError> {
        if self.ranges.len() > MAX_SYNC_RANGES {
            return Err(SyncError::TooManyRanges {
                limit: MAX_SYNC_RANGES,
            });
        }
        let ids: usize = self.ranges.iter().map(|r| r.mode.id_count()).sum();
        if ids > MAX_SYNC_IDS {
            return Err(SyncError::TooManyIds {
                limit: MAX_SYNC_IDS,
            });
        }
        for (index, pair) in self.ranges.windows(2).enumerate() {
            if pair[1].upper <= pair[0].upper {
                return Err(SyncError::BoundsNotIncreasing { index: index + 1 });
            }
        }
        let bytes = self.encoded_len();
        if bytes > MAX_SYNC_MESSAGE_BYTES {
            return Err(SyncError::TooLarge {
                bytes,
                limit: MAX_SYNC_MESSAGE_BYTES,
            });
        }
        Ok(())
    }

    /// Length of [`SyncMessage::encode`]'s output, without encoding.
    pub fn encoded_len(&self) -> usize {
        let mut prev_ts = 0;
        let mut total = 0;
        for range in &self.ranges {
            total += bound_len(prev_ts, &range.upper) + range.mode.payload_len();
            if let Bound::Key(key) = range.upper {
                prev_ts = key.created_at;
            }
        }
        total
    }

    /// The message's bytes. Bounds must increase (see [`SyncMessage::validate`]);
    /// limits are not checked here.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        let mut prev_ts = 0;
        for range in &self.ranges {
            let code = range.mode.code();
            match &range.upper {
                Bound::Infinity => out.push(code | INFINITY_FLAG),
                Bound::Key(key) => {
                    out.push(code);
                    varint::put(&mut out, key.created_at.saturating_sub(prev_ts));
                    let p = prefix(key);
                    varint::put(&mut out, p.len() as u64);
                    out.extend_from_slice(p);
                    prev_ts = key.created_at;
                }
            }
            match &range.mode {
                Mode::Skip => {}
                Mode::Fingerprint(fp) => out.extend_from_slice(&fp.0),
                Mode::IdList(ids) => put_ids(&mut out, ids),
                Mode::Difference {
                    sender_only,
                    receiver_only,
                } => {
                    put_ids(&mut out, sender_only);
                    put_ids(&mut out, receiver_only);
                }
            }
        }
        out
    }

    /// Parses and validates a message from a peer. Accepts exactly the bytes
    /// [`SyncMessage::encode`] produces for a valid message; never panics.
    pub fn decode(bytes: &[u8]) -> Result<SyncMessage, SyncError> {
        if bytes.len() > MAX_SYNC_MESSAGE_BYTES {
            return Err(SyncError::TooLarge {
                bytes: bytes.len(),
                limit: MAX_SYNC_MESSAGE_BYTES,
            });
        }
        let mut reader = Reader { bytes, rest: bytes };
        let mut ranges = Vec::new();
        let mut ids_left = MAX_SYNC_IDS;
        let mut prev_ts = 0u64;
        while !reader.rest.is_empty() {
            if ranges.len() == MAX_SYNC_RANGES {
                return Err(SyncError::TooManyRanges {
                    limit: MAX_SYNC_RANGES,
                });
            }
            let offset = reader.offset();
            let header = reader.take(1)?[0];
            if header & !(INFINITY_FLAG | 3) != 0 {
                return Err(SyncError::BadHeader { offset, header });
            }
            let upper = if header & INFINITY_FLAG != 0 {
                Bound::Infinity
            } else {
                let at = reader.offset();
                let delta = reader.varint()?;
                let created_at = prev_ts
                    .checked_add(delta)
                    .ok_or(SyncError::TimestampOverflow { offset: at })?;
                prev_ts = created_at;
                let at = reader.offset();
                let len = reader.varint()?;
                if len > 32 {
                    return Err(SyncError::BadPrefix { offset: at });
                }
                let p = reader.take(len as usize)?;
                if p.last() == Some(&0) {
                    return Err(SyncError::BadPrefix { offset: at });
                }
                let mut id = [0u8; 32];
                id[..p.len()].copy_from_slice(p);
                Bound::Key(SyncKey::new(created_at, ObjectId(id)))
            };
            let mode = match header & 3 {
                0 => Mode::Skip,
                1 => {
                    let mut fp = [0u8; FINGERPRINT_BYTES];
                    fp.copy_from_slice(reader.take(FINGERPRINT_BYTES)?);
                    Mode::Fingerprint(Fingerprint(fp))
                }
                2 => Mode::IdList(reader.ids(&mut ids_left)?),
                _ => Mode::Difference {
                    sender_only: reader.ids(&mut ids_left)?,
                    receiver_only: reader.ids(&mut ids_left)?,
                },
            };
            if ranges.last().is_some_and(|r: &SyncRange| r.upper >= upper) {
                return Err(SyncError::BoundsNotIncreasing {
                    index: ranges.len(),
                });
            }
            ranges.push(SyncRange { upper, mode });
        }
        Ok(SyncMessage { ranges })
    }
}

fn put_ids(out: &mut Vec<u8>, ids: &[ObjectId]) {
    varint::put(out, ids.len() as u64);
    ids.iter().for_each(|id| out.extend_from_slice(&id.0));
}

/// A cursor over the input that reports offsets in its errors.
struct Reader<'a> {
    /// The whole input (for offsets).
    bytes: &'a [u8],
    /// What is left to read.
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn offset(&self) -> usize {
        self.bytes.len() - self.rest.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], SyncError> {
        if self.rest.len() < n {
            return Err(SyncError::Truncated {
                offset: self.bytes.len(),
            });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn varint(&mut self) -> Result<u64, SyncError> {
        let offset = self.offset();
        varint::take(&mut self.rest).ok_or(SyncError::BadVarint { offset })
    }

    /// A counted id list; the count is checked against the ids left in the
    /// message's budget and the bytes left before anything is allocated.
    fn ids(&mut self, ids_left: &mut usize) -> Result<Vec<ObjectId>, SyncError> {
        let n = self.varint()?;
        if n > *ids_left as u64 {
            return Err(SyncError::TooManyIds {
                limit: MAX_SYNC_IDS,
            });
        }
        let n = n as usize;
        let bytes = self.take(n * 32)?;
        *ids_left -= n;
        Ok(bytes
            .chunks_exact(32)
            .map(|c| {
                let mut id = [0u8; 32];
                id.copy_from_slice(c);
                ObjectId(id)
            })
            .collect())
    }
}
