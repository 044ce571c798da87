//! One entry of a node's log.

use tlog_tiles::{record_hash, Hash};

use crate::ids::ObjectId;

/// Bytes of an encoded entry: the object id (32) and the time (8).
pub const LEAF_BYTES: usize = 40;

/// Entry `index` of a node's log: which object the node stored, and when
/// by its own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLeaf {
    /// The object stored.
    pub id: ObjectId,
    /// When the node stored it, ms since the Unix epoch by the node's clock.
    pub time_ms: u64,
}

impl LogLeaf {
    /// The entry's bytes: `id || time_ms` (unsigned 64-bit, big-endian).
    pub fn to_bytes(&self) -> [u8; LEAF_BYTES] {
        let mut out = [0u8; LEAF_BYTES];
        out[..32].copy_from_slice(self.id.as_bytes());
        out[32..].copy_from_slice(&self.time_ms.to_be_bytes());
        out
    }

    /// The entry of exactly [`LEAF_BYTES`] bytes, or `None`.
    pub fn from_bytes(bytes: &[u8]) -> Option<LogLeaf> {
        let bytes: &[u8; LEAF_BYTES] = bytes.try_into().ok()?;
        let mut id = [0u8; 32];
        id.copy_from_slice(&bytes[..32]);
        let mut time = [0u8; 8];
        time.copy_from_slice(&bytes[32..]);
        Some(LogLeaf {
            id: ObjectId(id),
            time_ms: u64::from_be_bytes(time),
        })
    }

    /// The RFC 9162 leaf hash: SHA-256(0x00 || entry bytes).
    pub fn hash(&self) -> Hash {
        record_hash(&self.to_bytes())
    }
}
