//! [`MemoryLog`]: a log's tree held in memory, for verifiers that rebuild
//! a log from its entries (an auditor's `baraza log verify`, tests).

use super::proof::{stored_hashes, tree_hash, StoredHashes};
use super::{Hash, LogError, LogLeaf};

/// A log's entries and stored hashes, appended one entry at a time.
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    hashes: Vec<Hash>,
    leaves: Vec<LogLeaf>,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> MemoryLog {
        MemoryLog::default()
    }

    /// Appends the next entry.
    pub fn append(&mut self, leaf: LogLeaf) -> Result<(), LogError> {
        let hashes = stored_hashes(self.size(), &leaf, self)?;
        self.hashes.extend(hashes.into_iter().map(|(_, hash)| hash));
        self.leaves.push(leaf);
        Ok(())
    }

    /// Entries so far.
    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The entries, in order.
    pub fn leaves(&self) -> &[LogLeaf] {
        &self.leaves
    }

    /// The root of the first `size` entries (`size` at most [`MemoryLog::size`]).
    pub fn root(&self, size: u64) -> Result<Hash, LogError> {
        if size > self.size() {
            return Err(LogError::OutOfRange {
                what: "size",
                detail: format!("{size} is more than the {} entries held", self.size()),
            });
        }
        tree_hash(size, self)
    }
}

impl StoredHashes for MemoryLog {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or_else(|| format!("no stored hash {i}"))
            })
            .collect()
    }
}
