//! Reading the transparency log: entries, checkpoints, inclusion and
//! consistency proofs (PROTOCOL.md §14), each off the async threads.

use baraza_api_types::{ConsistencyProof, InclusionProof, LogEntries, LogEntryInfo};
use baraza_protocol::tlog::{hash_hex, LogLeaf, SignedCheckpoint};
use baraza_protocol::ObjectId;

use super::{blocking, Service, ServiceError};
use crate::store::{LogQueryError, ObjectStore, MAX_PAGE};

fn info(index: u64, leaf: &LogLeaf) -> LogEntryInfo {
    LogEntryInfo {
        index,
        id: leaf.id,
        time_ms: leaf.time_ms,
    }
}

impl Service {
    /// Entries from `start` on, at most `limit` (capped at [`MAX_PAGE`]).
    pub async fn log_entries(&self, start: u64, limit: usize) -> Result<LogEntries, ServiceError> {
        let store = self.store.clone();
        blocking(move || {
            let limit = limit.clamp(1, MAX_PAGE);
            let leaves = store.log_leaves(start, limit)?;
            let entries: Vec<LogEntryInfo> = (start..)
                .zip(&leaves)
                .map(|(index, leaf)| info(index, leaf))
                .collect();
            let end = start.saturating_add(entries.len() as u64);
            Ok(LogEntries {
                next: (end < store.log_size() && !entries.is_empty()).then_some(end),
                entries,
            })
        })
        .await
    }

    /// The checkpoint kept for the tree of `size` entries, or the latest.
    pub async fn log_checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<(u64, Vec<u8>)>, ServiceError> {
        let store = self.store.clone();
        blocking(move || Ok(store.checkpoint(size)?)).await
    }

    /// The proof that object `id` is in the tree of `size` entries; by
    /// default the tree of the latest checkpoint (with `first`, of the
    /// first kept checkpoint that includes it: its cosignatures say how
    /// early it was witnessed), whose note comes with it.
    pub async fn log_inclusion(
        &self,
        id: ObjectId,
        size: Option<u64>,
        first: bool,
    ) -> Result<InclusionProof, ServiceError> {
        let store = self.store.clone();
        blocking(move || {
            let entry = store.log_entry(&id)?.ok_or(ServiceError::NotFound(id))?;
            let explicit = size.is_some();
            let (size, checkpoint) = match size {
                Some(size) => (size, store.checkpoint(Some(size))?.map(|(_, n)| n)),
                None if first => match store.checkpoint_from(entry.index + 1)? {
                    Some((size, note)) => (size, Some(note)),
                    None => (0, None),
                },
                None => match store.checkpoint(None)? {
                    Some((size, note)) => (size, Some(note)),
                    None => (0, None),
                },
            };
            if entry.index >= size {
                return Err(if explicit {
                    ServiceError::Log(format!(
                        "log entry {} is not in a tree of {size} entries",
                        entry.index
                    ))
                } else {
                    ServiceError::NotInCheckpoint {
                        index: entry.index,
                        size,
                    }
                });
            }
            let root = store.log_root(size).map_err(log_query)?;
            let proof = store.log_inclusion(entry.index, size).map_err(log_query)?;
            Ok(InclusionProof {
                entry: info(entry.index, &entry.leaf),
                leaf_hash: hash_hex(&entry.leaf.hash()),
                size,
                root: hash_hex(&root),
                proof: proof.iter().map(hash_hex).collect(),
                checkpoint: checkpoint.map(|n| String::from_utf8_lossy(&n).into_owned()),
            })
        })
        .await
    }

    /// The proof that the tree of `old` entries is a prefix of the tree
    /// of `new` entries.
    pub async fn log_consistency(
        &self,
        old: u64,
        new: u64,
    ) -> Result<ConsistencyProof, ServiceError> {
        let store = self.store.clone();
        blocking(move || {
            let proof = store.log_consistency(old, new).map_err(log_query)?;
            Ok(ConsistencyProof {
                old,
                old_root: hash_hex(&store.log_root(old).map_err(log_query)?),
                new,
                new_root: hash_hex(&store.log_root(new).map_err(log_query)?),
                proof: proof.iter().map(hash_hex).collect(),
            })
        })
        .await
    }
}

/// The latest checkpoint as this node keeps it: the note, and what it
/// says once checked.
pub(crate) struct LatestCheckpoint {
    /// The tree size it signs.
    pub(crate) size: u64,
    /// The signed note, as text.
    pub(crate) note: String,
    /// The note parsed and its signatures checked (`None` if it does not
    /// check: the pages still show the note, and say nothing it does not).
    pub(crate) signed: Option<SignedCheckpoint>,
}

/// The latest checkpoint, if one is signed yet. Blocking: call it inside
/// [`blocking`] (as the pages do).
pub(crate) fn latest_checkpoint(
    store: &dyn ObjectStore,
) -> Result<Option<LatestCheckpoint>, ServiceError> {
    kept_checkpoint(store.checkpoint(None)?)
}

/// The first checkpoint the node keeps that holds at least `size` entries
/// (for an entry at index i, `size` = i + 1: its cosignatures say when the
/// entry was first witnessed), checked.
pub(crate) fn first_checkpoint_from(
    store: &dyn ObjectStore,
    size: u64,
) -> Result<Option<LatestCheckpoint>, ServiceError> {
    kept_checkpoint(store.checkpoint_from(size)?)
}

fn kept_checkpoint(
    found: Option<(u64, Vec<u8>)>,
) -> Result<Option<LatestCheckpoint>, ServiceError> {
    let Some((size, note)) = found else {
        return Ok(None);
    };
    let signed = match SignedCheckpoint::verify(&note) {
        Ok(signed) => Some(signed),
        Err(error) => {
            tracing::error!(size, %error, "this node's latest checkpoint does not verify");
            None
        }
    };
    Ok(Some(LatestCheckpoint {
        size,
        note: String::from_utf8_lossy(&note).into_owned(),
        signed,
    }))
}

fn log_query(error: LogQueryError) -> ServiceError {
    match error {
        LogQueryError::Store(e) => ServiceError::Store(e),
        other => ServiceError::Log(other.to_string()),
    }
}
