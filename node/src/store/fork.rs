//! A test tool that forks a stopped node's transparency log: it rewrites
//! one entry (its time, one millisecond later) and every stored hash that
//! depends on it, as an operator who edits the data dir would. The log
//! stays well-formed, so the node runs on and signs checkpoints of the
//! rewritten tree; its witnesses must catch that (PROTOCOL.md §14). Never
//! run this on a node whose log matters.

use std::path::Path;

use baraza_protocol::tlog::{self, LogLeaf};

use super::log::LogEntry;
use super::sled_batch::{SledHashes, LOG_SIZE_KEY};
use super::sled_store::engine;
use super::{keys, StoreError};

/// Rewrites entry `index` of the log in the store dir `dir` (the node must
/// be stopped); returns the entry as it is now.
pub fn fork_log(dir: &Path, index: u64) -> Result<LogLeaf, StoreError> {
    let db = sled::Config::new().path(dir).open().map_err(engine)?;
    let size = db
        .get(keys::meta(LOG_SIZE_KEY))
        .map_err(engine)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map_or(0, u64::from_be_bytes);
    if index >= size {
        return Err(StoreError::Corrupt {
            id: "transparency log".into(),
            detail: format!("entry {index} is not in a log of {size} entries"),
        });
    }
    let mut forked = None;
    for n in index..size {
        let bytes =
            db.get(keys::log_leaf(n))
                .map_err(engine)?
                .ok_or_else(|| StoreError::Corrupt {
                    id: "transparency log".into(),
                    detail: format!("entry {n} is missing"),
                })?;
        let mut leaf = LogLeaf::from_bytes(&bytes).ok_or_else(|| StoreError::Corrupt {
            id: "transparency log".into(),
            detail: format!("entry {n} does not decode"),
        })?;
        if n == index {
            leaf.time_ms += 1;
            db.insert(keys::log_leaf(n), leaf.to_bytes().as_slice())
                .map_err(engine)?;
            let entry = LogEntry { index: n, leaf };
            db.insert(keys::log_entry(&leaf.id), entry.value().as_slice())
                .map_err(engine)?;
            forked = Some(leaf);
        }
        let hashes =
            tlog::stored_hashes(n, &leaf, &SledHashes(&db)).map_err(super::log::log_error)?;
        for (at, hash) in hashes {
            db.insert(keys::log_hash(at), &hash.0).map_err(engine)?;
        }
    }
    db.flush().map_err(engine)?;
    forked.ok_or_else(|| StoreError::Corrupt {
        id: "transparency log".into(),
        detail: "nothing rewritten".into(),
    })
}
