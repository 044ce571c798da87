//! The node's transparency log in the store (PROTOCOL.md §14): every
//! stored object's id, with the node's time of storing it, appended in
//! event-log order to an RFC 9162 Merkle tree.
//!
//! The writer appends inside the same atomic write as the object (sled:
//! the same batch, so the same group commit): an object is stored if and
//! only if it is in the log, also across kill -9. The tree is kept as
//! `tlog_tiles`' stored hashes (about two per entry, each written once and
//! never changed), from which any tree hash or proof of a size up to the
//! log's is read with O(log n) lookups.

use std::collections::BTreeMap;

use baraza_protocol::tlog::{self, Hash, LogLeaf, StoredHashes};
use baraza_protocol::ObjectId;

use super::{ObjectStore, StoreError};

/// Where an object is in this node's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogEntry {
    /// Its position, from 0.
    pub index: u64,
    /// The entry: the id and the node's time of storing it.
    pub leaf: LogLeaf,
}

impl LogEntry {
    /// The value the engines keep per object: index || time (both u64 BE).
    pub(crate) fn value(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.index.to_be_bytes());
        out[8..].copy_from_slice(&self.leaf.time_ms.to_be_bytes());
        out
    }

    /// The entry of object `id` from its [`LogEntry::value`].
    pub(crate) fn from_value(id: ObjectId, value: &[u8]) -> Option<LogEntry> {
        let value: &[u8; 16] = value.try_into().ok()?;
        let (index, time) = value.split_at(8);
        Some(LogEntry {
            index: u64::from_be_bytes(index.try_into().ok()?),
            leaf: LogLeaf {
                id,
                time_ms: u64::from_be_bytes(time.try_into().ok()?),
            },
        })
    }
}

/// The writes one append makes: the stored hashes, and the entry.
pub(crate) struct Appended {
    /// The new entry.
    pub(crate) entry: LogEntry,
    /// `(stored-hash index, hash)` to write with it.
    pub(crate) hashes: Vec<(u64, Hash)>,
}

/// The writer's side of the log: its size including appends not yet
/// applied, and their hashes, which later appends of the same write read.
#[derive(Debug, Default)]
pub(crate) struct LogAppender {
    /// Entries, including the staged ones.
    size: u64,
    /// Entries the engine holds.
    committed: u64,
    /// Stored hashes of the staged entries.
    staged: BTreeMap<u64, Hash>,
    /// The latest entry's time: entries' times never go backwards, even
    /// when the node's clock is set back.
    last_time: u64,
    /// That of the engine's (committed) latest entry.
    committed_time: u64,
    /// The latest committed stored hashes (at most [`RECENT_HASHES`]): an
    /// append reads the left siblings of its new subtrees, which were
    /// written one, two, four, … appends before, so nearly every read is
    /// served here instead of by the engine.
    recent: BTreeMap<u64, Hash>,
}

/// Committed stored hashes the appender keeps in memory (256 KiB).
const RECENT_HASHES: usize = 8192;

impl LogAppender {
    /// The appender of a log of `size` entries, the latest stored at `last_time`.
    pub(crate) fn new(size: u64, last_time: u64) -> LogAppender {
        LogAppender {
            size,
            committed: size,
            staged: BTreeMap::new(),
            last_time,
            committed_time: last_time,
            recent: BTreeMap::new(),
        }
    }

    /// Entries, the staged ones included.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Appends `id`, stored at `time_ms` (or the latest entry's time, if
    /// later: the clock was set back), as the next entry; the caller
    /// writes [`Appended::hashes`] and the entry with the object, then
    /// calls [`LogAppender::committed`] or [`LogAppender::rolled_back`].
    pub(crate) fn append(
        &mut self,
        id: ObjectId,
        time_ms: u64,
        engine: &dyn StoredHashes,
    ) -> Result<Appended, StoreError> {
        let time_ms = time_ms.max(self.last_time);
        let leaf = LogLeaf { id, time_ms };
        let index = self.size;
        let overlay = Overlay {
            staged: &self.staged,
            recent: &self.recent,
            engine,
        };
        let hashes = tlog::stored_hashes(index, &leaf, &overlay).map_err(log_error)?;
        self.staged.extend(hashes.iter().copied());
        self.size += 1;
        self.last_time = time_ms;
        Ok(Appended {
            entry: LogEntry { index, leaf },
            hashes,
        })
    }

    /// The staged appends were written: the engine holds them now.
    pub(crate) fn committed(&mut self) -> u64 {
        self.committed = self.size;
        self.committed_time = self.last_time;
        self.recent.append(&mut self.staged);
        while self.recent.len() > RECENT_HASHES {
            self.recent.pop_first();
        }
        self.size
    }

    /// The staged appends' write failed: forget them.
    pub(crate) fn rolled_back(&mut self) {
        self.size = self.committed;
        self.last_time = self.committed_time;
        self.staged.clear();
    }
}

/// Staged and recent hashes over the engine's.
struct Overlay<'a> {
    staged: &'a BTreeMap<u64, Hash>,
    recent: &'a BTreeMap<u64, Hash>,
    engine: &'a dyn StoredHashes,
}

impl Overlay<'_> {
    fn held(&self, i: &u64) -> Option<Hash> {
        self.staged.get(i).or_else(|| self.recent.get(i)).copied()
    }
}

impl StoredHashes for Overlay<'_> {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
        let missing: Vec<u64> = indexes
            .iter()
            .copied()
            .filter(|i| self.held(i).is_none())
            .collect();
        let mut read = if missing.is_empty() {
            Vec::new().into_iter()
        } else {
            self.engine.read(&missing)?.into_iter()
        };
        indexes
            .iter()
            .map(|i| match self.held(i) {
                Some(hash) => Ok(hash),
                None => read.next().ok_or_else(|| format!("hash {i} not read")),
            })
            .collect()
    }
}

/// A store's hashes, as the proofs read them.
struct Engine<'a>(&'a dyn ObjectStore);

impl StoredHashes for Engine<'_> {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
        self.0.log_hashes(indexes).map_err(|e| e.to_string())
    }
}

/// An error of the log's arithmetic or reads, as a store error.
pub(crate) fn log_error(error: tlog::LogError) -> StoreError {
    StoreError::Engine {
        detail: format!("transparency log: {error}"),
    }
}

/// Why a log query was refused.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LogQueryError {
    /// The size asked for is larger than the log.
    #[error("the log has {size} entries; asked for a tree of {asked}")]
    BeyondLog {
        /// Entries in the log.
        size: u64,
        /// The size asked for.
        asked: u64,
    },
    /// The proof asked for does not exist (an index not below the size,
    /// an old size above the new).
    #[error(transparent)]
    Range(#[from] tlog::LogError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl dyn ObjectStore {
    fn within_log(&self, size: u64) -> Result<(), LogQueryError> {
        let have = self.log_size();
        if size > have {
            return Err(LogQueryError::BeyondLog {
                size: have,
                asked: size,
            });
        }
        Ok(())
    }

    /// The root hash of the first `size` entries of the log.
    pub fn log_root(&self, size: u64) -> Result<Hash, LogQueryError> {
        self.within_log(size)?;
        Ok(tlog::tree_hash(size, &Engine(self))?)
    }

    /// The proof that entry `index` is in the tree of `size` entries.
    pub fn log_inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogQueryError> {
        self.within_log(size)?;
        Ok(tlog::inclusion_proof(index, size, &Engine(self))?)
    }

    /// The proof that the tree of `old` entries is a prefix of the tree
    /// of `new` entries.
    pub fn log_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, LogQueryError> {
        self.within_log(new)?;
        Ok(tlog::consistency_proof(old, new, &Engine(self))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored hashes in a Vec, as an engine holds them.
    #[derive(Default)]
    struct Hashes(Vec<Hash>);

    impl StoredHashes for Hashes {
        fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
            indexes
                .iter()
                .map(|i| {
                    self.0
                        .get(*i as usize)
                        .copied()
                        .ok_or_else(|| format!("no {i}"))
                })
                .collect()
        }
    }

    #[test]
    fn entry_times_never_go_backwards_and_a_rollback_forgets_the_staged() {
        let mut engine = Hashes::default();
        let mut log = LogAppender::new(0, 0);
        let first = log.append(ObjectId([1; 32]), 100, &engine).expect("append");
        engine.0.extend(first.hashes.iter().map(|(_, h)| *h));
        log.committed();
        // The clock was set back: the entry keeps the latest time.
        let second = log.append(ObjectId([2; 32]), 50, &engine).expect("append");
        assert_eq!((second.entry.index, second.entry.leaf.time_ms), (1, 100));
        let third = log.append(ObjectId([3; 32]), 200, &engine).expect("append");
        assert_eq!(third.entry.index, 2);
        log.rolled_back();
        assert_eq!(log.size(), 1);
        // After the rollback the next entry is index 1 again, and its time
        // follows the committed entry's, not the forgotten one's.
        let again = log.append(ObjectId([4; 32]), 150, &engine).expect("append");
        assert_eq!((again.entry.index, again.entry.leaf.time_ms), (1, 150));
        assert_eq!(again.hashes, {
            let mut fresh = LogAppender::new(1, 100);
            fresh
                .append(ObjectId([4; 32]), 150, &engine)
                .expect("append")
                .hashes
        });
    }
}
