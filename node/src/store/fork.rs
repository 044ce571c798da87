//! A test tool that forks a stopped node's transparency log: it rewrites
//! one entry (its time, one millisecond later) and rebuilds the tree from
//! the entries, as an operator who edits the data dir would. The log
//! stays well-formed, so the node runs on and signs checkpoints of the
//! rewritten tree; its witnesses must catch that (PROTOCOL.md §14). Never
//! run this on a node whose log matters.

use std::path::Path;

use baraza_protocol::tlog::{LogLeaf, MemoryLog};

use super::log::{log_error, Appended, LogEntry};
use super::sled_batch::LOG_SIZE_KEY;
use super::sled_log::{read_leaves, LogRun};
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
    let mut leaves = read_leaves(&db, 0, size)?;
    leaves[index as usize].time_ms += 1;
    let forked = leaves[index as usize];
    // The tree again, from the rewritten entries, as one run.
    for prefix in [keys::LOG_HASH, keys::LOG_LEAF] {
        for key in db.scan_prefix([prefix]).keys() {
            db.remove(key.map_err(engine)?).map_err(engine)?;
        }
    }
    let mut log = MemoryLog::new();
    let mut run = LogRun::default();
    for (n, leaf) in (0..).zip(&leaves) {
        let first = baraza_protocol::tlog::stored_hashes(n, leaf, &log).map_err(log_error)?;
        run.push(&Appended {
            entry: LogEntry {
                index: n,
                leaf: *leaf,
            },
            hashes: first,
        });
        log.append(*leaf).map_err(log_error)?;
    }
    let mut batch = sled::Batch::default();
    run.write(&mut batch);
    let entry = LogEntry {
        index,
        leaf: forked,
    };
    batch.insert(keys::log_entry(&forked.id), entry.value().as_slice());
    db.apply_batch(batch).map_err(engine)?;
    db.flush().map_err(engine)?;
    Ok(forked)
}
