//! Log proofs out of the store (PROTOCOL.md §14, Log proofs): for each
//! logged object, the first kept checkpoint that includes it and carries
//! at least one cosignature, with the object's inclusion proof into it.
//! The audit reads witnessed times from them; bundles carry them.

use std::collections::BTreeSet;

use baraza_protocol::limits::MAX_BUNDLE_OBJECTS;
use baraza_protocol::tlog::{LogProof, ProvedEntry, SignedCheckpoint};
use baraza_protocol::ObjectId;

use super::{LogEntry, LogQueryError, ObjectStore, StoreError};

/// Kept checkpoints looked at past an entry's first one for a cosigned
/// one. Witnesses cosign within seconds, so the first or second normally
/// is; a node whose witnesses were away for longer gives no proof for
/// those entries (they are reported unwitnessed), rather than scanning on.
pub const MAX_CHECKPOINT_SCAN: usize = 16;

/// Where the first cosigned checkpoint of an entry is.
enum Scan {
    /// This one, verified.
    Found(SignedCheckpoint),
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
        let mut current: Option<SignedCheckpoint> = None;
        let mut group: Vec<ProvedEntry> = Vec::new();
        let mut skip_below = 0;
        for entry in entries {
            if entry.index < skip_below {
                continue;
            }
            if current
                .as_ref()
                .is_none_or(|c| entry.index >= c.checkpoint.size)
            {
                push_proof(current.take(), &mut group, &mut proofs);
                match self.cosigned_from(entry.index + 1)? {
                    Scan::Found(checkpoint) => current = Some(checkpoint),
                    Scan::NoneBelow(size) => {
                        skip_below = size;
                        continue;
                    }
                    Scan::End => break,
                }
            }
            let Some(checkpoint) = &current else {
                continue;
            };
            let size = checkpoint.checkpoint.size;
            let path = self
                .log_inclusion(entry.index, size)
                .map_err(|e| query_error(e, entry.index, size))?;
            group.push(ProvedEntry::new(entry.index, entry.leaf, path));
            if group.len() == MAX_BUNDLE_OBJECTS {
                push_proof(Some(checkpoint.clone()), &mut group, &mut proofs);
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
            match SignedCheckpoint::verify(&note) {
                Ok(signed) if !signed.cosignatures.is_empty() => return Ok(Scan::Found(signed)),
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, size, "log proofs: a kept checkpoint does not verify");
                }
            }
            from = size + 1;
        }
        Ok(first.map_or(Scan::End, Scan::NoneBelow))
    }
}

/// Turns the entries gathered for `checkpoint` into a proof.
fn push_proof(
    checkpoint: Option<SignedCheckpoint>,
    group: &mut Vec<ProvedEntry>,
    proofs: &mut Vec<LogProof>,
) {
    let Some(checkpoint) = checkpoint else {
        return;
    };
    if group.is_empty() {
        return;
    }
    let size = checkpoint.checkpoint.size;
    match LogProof::of_checkpoint(checkpoint, std::mem::take(group)) {
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

#[cfg(test)]
mod tests {
    use baraza_protocol::tlog::SignedCheckpoint;
    use baraza_protocol::SignedObject;

    use super::*;
    use crate::store::conformance::{charter, comment, key};
    use crate::store::MemoryStore;

    /// Keeps the checkpoint of the first `size` entries, signed by the
    /// node key `key(7)` and cosigned by `cosigners`.
    async fn keep(store: &dyn ObjectStore, size: u64, cosigners: &[u8]) {
        let root = store.log_root(size).expect("root");
        let mut signed = SignedCheckpoint::sign(&key(7), size, root);
        for &w in cosigners {
            let c = signed.cosign(&key(w), 1_709_251_200 + size);
            signed.add_cosignature(c);
        }
        store
            .put_checkpoint(size, &signed.to_note())
            .await
            .expect("keep");
    }

    /// Stores a charter and `n - 1` comments on it: `n` log entries.
    async fn logged(store: &dyn ObjectStore, n: u64) -> Vec<SignedObject> {
        let c = charter();
        let objects: Vec<SignedObject> = std::iter::once(c.clone())
            .chain((1..n).map(|i| comment(c.id(), i, None)))
            .collect();
        store.put(&objects).await.expect("put");
        objects
    }

    #[tokio::test]
    async fn each_entry_is_proved_into_its_first_cosigned_checkpoint() {
        let store = MemoryStore::new();
        let store: &dyn ObjectStore = &store;
        let objects = logged(store, 10).await;
        // 3: no cosignature; 6: cosigned; 10: not cosigned (yet).
        keep(store, 3, &[]).await;
        keep(store, 6, &[8, 9]).await;
        keep(store, 10, &[]).await;
        let ids: BTreeSet<ObjectId> = objects.iter().map(SignedObject::id).collect();
        let proofs = store.log_proofs(&ids).expect("proofs");
        assert_eq!(proofs.len(), 1, "{proofs:?}");
        let proof = &proofs[0];
        assert_eq!(proof.checkpoint().checkpoint.size, 6);
        assert_eq!(proof.checkpoint().cosignatures.len(), 2);
        let proved: Vec<ObjectId> = proof.entries().iter().map(|e| e.id).collect();
        let first_six: Vec<ObjectId> = objects[..6].iter().map(SignedObject::id).collect();
        assert_eq!(proved, first_six);
        // What a bundle carries reads back as the same proof.
        assert_eq!(&LogProof::decode(&proof.encode()).expect("decodes"), proof);
        // Only the objects asked for.
        let two: BTreeSet<ObjectId> = [objects[1].id(), objects[8].id()].into();
        let proofs = store.log_proofs(&two).expect("proofs");
        assert_eq!(proofs.len(), 1);
        assert_eq!(proofs[0].entries().len(), 1);
        assert_eq!(proofs[0].entries()[0].id, objects[1].id());
    }

    #[tokio::test]
    async fn no_cosigned_checkpoint_within_the_scan_gives_no_proof() {
        let store = MemoryStore::new();
        let store: &dyn ObjectStore = &store;
        let objects = logged(store, 20).await;
        // Checkpoints of 1..=17 entries without cosignatures, then a cosigned
        // one of 18: entry 0's scan stops 16 checkpoints on, entry 2's reaches it.
        for size in 1..=17 {
            keep(store, size, &[]).await;
        }
        keep(store, 18, &[8]).await;
        let ids: BTreeSet<ObjectId> = objects.iter().map(SignedObject::id).collect();
        let proofs = store.log_proofs(&ids).expect("proofs");
        assert_eq!(proofs.len(), 1);
        let indexes: Vec<u64> = proofs[0].entries().iter().map(|e| e.index).collect();
        assert_eq!(indexes, (2..18).collect::<Vec<u64>>());
        // Nothing kept at all: no proofs, no error.
        let empty = MemoryStore::new();
        let empty: &dyn ObjectStore = &empty;
        empty.put(&objects).await.expect("put");
        assert!(empty.log_proofs(&ids).expect("proofs").is_empty());
    }
}
