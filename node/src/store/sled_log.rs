//! The transparency log's layout in sled: runs, not one key per hash.
//!
//! Each write of appends (one group commit's staged objects, or one object
//! on its own) stores its new stored hashes as one value under the first
//! one's index (`g` + index → 32-byte hashes, concatenated) and its
//! entries likewise (`n` + first log index → 40-byte entries). A run is
//! found by the last key at or below the index asked for. A group of 1,000
//! objects then costs two log keys instead of ~3,000, which is what the
//! log costs the writer (BENCHMARKS.md, "Transparency log"); runs are
//! written once and never changed, like the hashes in them.

use baraza_protocol::tlog::{Hash, LogLeaf, StoredHashes, LEAF_BYTES};

use super::log::Appended;
use super::sled_store::engine;
use super::{keys, StoreError};

const HASH: usize = 32;

/// Appends not yet written: the runs of one write.
#[derive(Debug, Default)]
pub(crate) struct LogRun {
    /// (first stored-hash index, hashes).
    hashes: Option<(u64, Vec<u8>)>,
    /// (first log index, entries).
    leaves: Option<(u64, Vec<u8>)>,
}

impl LogRun {
    /// Adds one append (appends come in order, so runs stay contiguous).
    pub(crate) fn push(&mut self, appended: &Appended) {
        for (index, hash) in &appended.hashes {
            let (_, bytes) = self
                .hashes
                .get_or_insert_with(|| (*index, Vec::with_capacity(64 * HASH)));
            bytes.extend_from_slice(&hash.0);
        }
        let entry = &appended.entry;
        let (_, bytes) = self
            .leaves
            .get_or_insert_with(|| (entry.index, Vec::with_capacity(32 * LEAF_BYTES)));
        bytes.extend_from_slice(&entry.leaf.to_bytes());
    }

    /// Writes the runs into `batch` and empties itself.
    pub(crate) fn write(&mut self, batch: &mut sled::Batch) {
        if let Some((first, bytes)) = self.hashes.take() {
            batch.insert(keys::log_hash(first), bytes);
        }
        if let Some((first, bytes)) = self.leaves.take() {
            batch.insert(keys::log_leaf(first), bytes);
        }
    }

    /// Forgets the runs (their write failed).
    pub(crate) fn clear(&mut self) {
        self.hashes = None;
        self.leaves = None;
    }
}

/// The run holding item `index` under `prefix` (items of `width` bytes):
/// its first index and bytes.
fn run_of(
    db: &sled::Db,
    prefix: u8,
    key: Vec<u8>,
    index: u64,
    width: usize,
) -> Result<Option<(u64, sled::IVec)>, StoreError> {
    let Some(found) = db.range(..=key).next_back() else {
        return Ok(None);
    };
    let (k, v) = found.map_err(engine)?;
    if k.first() != Some(&prefix) || k.len() != 9 {
        return Ok(None);
    }
    let first = u64::from_be_bytes(k[1..9].try_into().unwrap_or([0; 8]));
    let count = (v.len() / width) as u64;
    Ok((first <= index && index < first + count).then_some((first, v)))
}

/// The log tree's stored hashes in sled.
pub(crate) struct SledHashes<'a>(pub(crate) &'a sled::Db);

impl StoredHashes for SledHashes<'_> {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
        // Sorted indexes mostly fall in the same run as the one before.
        let mut run: Option<(u64, sled::IVec)> = None;
        let mut out = Vec::with_capacity(indexes.len());
        for &i in indexes {
            let hit = run
                .as_ref()
                .is_some_and(|(first, v)| *first <= i && i < first + (v.len() / HASH) as u64);
            if !hit {
                run = run_of(self.0, keys::LOG_HASH, keys::log_hash(i), i, HASH)
                    .map_err(|e| e.to_string())?;
            }
            let (first, bytes) = run
                .as_ref()
                .ok_or_else(|| format!("stored hash {i} is missing"))?;
            let at = ((i - first) as usize) * HASH;
            let hash: [u8; HASH] = bytes
                .get(at..at + HASH)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| format!("stored hash {i} is cut short"))?;
            out.push(Hash(hash));
        }
        Ok(out)
    }
}

/// The log's entries `start..end`.
pub(crate) fn read_leaves(db: &sled::Db, start: u64, end: u64) -> Result<Vec<LogLeaf>, StoreError> {
    let mut out = Vec::new();
    let mut next = start;
    while next < end {
        let Some((first, bytes)) =
            run_of(db, keys::LOG_LEAF, keys::log_leaf(next), next, LEAF_BYTES)?
        else {
            return Err(StoreError::Corrupt {
                id: format!("log entry {next}"),
                detail: "missing".into(),
            });
        };
        let count = (bytes.len() / LEAF_BYTES) as u64;
        for i in next..end.min(first + count) {
            let at = ((i - first) as usize) * LEAF_BYTES;
            let leaf = bytes
                .get(at..at + LEAF_BYTES)
                .and_then(LogLeaf::from_bytes)
                .ok_or_else(|| StoreError::Corrupt {
                    id: format!("log entry {i}"),
                    detail: "does not decode".into(),
                })?;
            out.push(leaf);
        }
        next = first + count;
    }
    Ok(out)
}
