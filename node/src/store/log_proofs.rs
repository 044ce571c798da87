//! Log proofs out of the store (PROTOCOL.md §14, Log proofs): for each
//! logged object, the first kept checkpoint that includes it and carries
//! at least one cosignature, with the object's inclusion proof into it.
//! The audit reads witnessed times from them; bundles carry them.

use std::collections::BTreeSet;

use baraza_protocol::limits::MAX_BUNDLE_OBJECTS;
use baraza_protocol::tlog::{LogProof, ProofHash, ProvedEntry, SignedCheckpoint};
use baraza_protocol::ObjectId;

use super::{LogEntry, LogQueryError, ObjectStore, StoreError};

/// Kept checkpoints looked at past an entry's first one for a cosigned
/// one. Witnesses cosign within seconds, so the first or second normally
/// is; a node whose witnesses were away for longer gives no proof for
/// those entries (they are reported unwitnessed), rather than scanning on.
pub const MAX_CHECKPOINT_SCAN: usize = 16;

/// Where the first cosigned checkpoint of an entry is.
enum Scan {
    /// This one: its size and note.
    Found(u64, String),
    /// None within [`MAX_CHECKPOINT_SCAN`]: nor for any entry below `size`
    /// (they have the same first checkpoint).
    NoneBelow(u64),
    /// No kept checkpoint includes the entry, nor any later one.
    End,
}

impl dyn ObjectStore {
    /// Log proofs of the logged objects among `ids`, grouped by
    /// checkpoint (at most [`MAX_BUNDLE_OBJECTS`] entries per proof), in
    /// increasing checkpoint size. Objects not in the log, or in no
    /// cosigned checkpoint yet, have none.
    pub fn log_proofs(&self, ids: &BTreeSet<ObjectId>) -> Result<Vec<LogProof>, StoreError> {
        let mut entries: Vec<LogEntry> = Vec::new();
        for id in ids {
            entries.extend(self.log_entry(id)?);
        }
        entries.sort_unstable_by_key(|e| e.index);
        let mut proofs = Vec::new();
        let mut current: Option<(u64, String)> = None;
        let mut group: Vec<ProvedEntry> = Vec::new();
        let mut skip_below = 0;
        for entry in entries {
            if entry.index < skip_below {
                continue;
            }
            if current
                .as_ref()
                .is_none_or(|(size, _)| entry.index >= *size)
            {
                push_proof(current.take(), &mut group, &mut proofs);
                match self.cosigned_from(entry.index + 1)? {
                    Scan::Found(size, note) => current = Some((size, note)),
                    Scan::NoneBelow(size) => {
                        skip_below = size;
                        continue;
                    }
                    Scan::End => break,
                }
            }
            let Some((size, note)) = &current else {
                continue;
            };
            let path = self
                .log_inclusion(entry.index, *size)
                .map_err(|e| query_error(e, entry.index, *size))?;
            group.push(ProvedEntry {
                id: entry.leaf.id,
                index: entry.index,
                time_ms: entry.leaf.time_ms,
                path: path.into_iter().map(ProofHash).collect(),
            });
            if group.len() == MAX_BUNDLE_OBJECTS {
                let full = Some((*size, note.clone()));
                push_proof(full, &mut group, &mut proofs);
            }
        }
        push_proof(current, &mut group, &mut proofs);
        Ok(proofs)
    }

    /// The first kept checkpoint of at least `size` entries with a
    /// cosignature, looking at most [`MAX_CHECKPOINT_SCAN`] of them.
    fn cosigned_from(&self, size: u64) -> Result<Scan, StoreError> {
        let mut from = size;
        let mut first = None;
        for _ in 0..MAX_CHECKPOINT_SCAN {
            let Some((size, note)) = self.checkpoint_from(from)? else {
                return Ok(first.map_or(Scan::End, Scan::NoneBelow));
            };
            first.get_or_insert(size);
            let cosigned = SignedCheckpoint::verify(&note)
                .map(|signed| !signed.cosignatures.is_empty())
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, size, "log proofs: a kept checkpoint does not verify");
                    false
                });
            if cosigned {
                let note = String::from_utf8(note).map_err(|_| StoreError::Corrupt {
                    id: format!("checkpoint {size}"),
                    detail: "the note is not UTF-8".into(),
                })?;
                return Ok(Scan::Found(size, note));
            }
            from = size + 1;
        }
        Ok(first.map_or(Scan::End, Scan::NoneBelow))
    }
}

/// Turns the entries gathered for `checkpoint` into a proof.
fn push_proof(
    checkpoint: Option<(u64, String)>,
    group: &mut Vec<ProvedEntry>,
    proofs: &mut Vec<LogProof>,
) {
    let Some((size, note)) = checkpoint else {
        return;
    };
    if group.is_empty() {
        return;
    }
    match LogProof::new(note, std::mem::take(group)) {
        Ok(proof) => proofs.push(proof),
        Err(error) => {
            tracing::warn!(%error, size, "log proofs: the store's own proof does not verify");
        }
    }
}

/// A proof the store should be able to give but cannot: its data is bad.
fn query_error(error: LogQueryError, index: u64, size: u64) -> StoreError {
    match error {
        LogQueryError::Store(e) => e,
        other => StoreError::Corrupt {
            id: format!("log entry {index}"),
            detail: format!(
                "no inclusion proof into the kept checkpoint of {size} entries: {other}"
            ),
        },
    }
}
