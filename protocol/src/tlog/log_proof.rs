//! Log proofs: one cosigned checkpoint and the inclusion proofs of some of
//! its entries. This is how an audit bundle carries the evidence of when
//! its objects were first witnessed (PROTOCOL.md §14, Log proofs).
//!
//! Encoding: deterministic CBOR, a map of two fields —
//! `checkpoint` (text: the whole signed note, log signature and
//! cosignatures) and `entries` (an array of maps `id` (32-byte byte
//! string), `index` and `time_ms` (unsigned), `path` (array of 32-byte byte
//! strings: the RFC 9162 inclusion proof)). Entries are in strictly
//! increasing `index` order, every index is below the checkpoint's size,
//! and every proof must verify against the checkpoint's root. A
//! [`LogProof`] exists only once all of that has been checked.

use std::collections::BTreeSet;

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::checkpoint::SignedCheckpoint;
use super::leaf::LogLeaf;
use super::proof::verify_inclusion;
use super::{hash_hex, parse_hash, Hash, LogError, MAX_NOTE_BYTES, MAX_PROOF_HASHES};
use crate::cbor::{from_canonical, to_canonical};
use crate::ids::{bytes32_serde, ObjectId};
use crate::limits::MAX_BUNDLE_OBJECTS;

/// One proved entry: log entry `index` is object `id`, stored at
/// `time_ms` by the log's clock, and `path` proves it into the checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvedEntry {
    /// The object.
    pub id: ObjectId,
    /// Its index in the log.
    pub index: u64,
    /// The log's time of storing it (the leaf's second half).
    pub time_ms: u64,
    /// The inclusion proof, leaf to root.
    pub path: Vec<ProofHash>,
}

impl ProvedEntry {
    /// Entry `index`, `leaf`, with its inclusion proof `path`.
    pub fn new(index: u64, leaf: LogLeaf, path: Vec<Hash>) -> ProvedEntry {
        ProvedEntry {
            id: leaf.id,
            index,
            time_ms: leaf.time_ms,
            path: path.into_iter().map(|h| ProofHash(h.0)).collect(),
        }
    }

    /// The entry as the log holds it.
    pub fn leaf(&self) -> LogLeaf {
        LogLeaf {
            id: self.id,
            time_ms: self.time_ms,
        }
    }
}

/// A 32-byte hash of an inclusion proof: a CBOR byte string (64 lowercase
/// hex digits in JSON).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProofHash(pub [u8; 32]);

impl fmt::Display for ProofHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hash_hex(&Hash(self.0)))
    }
}

impl FromStr for ProofHash {
    type Err = LogError;
    fn from_str(text: &str) -> Result<ProofHash, LogError> {
        parse_hash(text).map(|h| ProofHash(h.0))
    }
}

bytes32_serde!(ProofHash, "a 32-byte hash (64 hex digits in JSON)");

/// A note a reader will take: at most [`MAX_NOTE_BYTES`].
fn note_fits(note: &str) -> Result<(), LogError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(LogError::NoteTooLarge {
            len: note.len(),
            limit: MAX_NOTE_BYTES,
        });
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    checkpoint: String,
    entries: Vec<ProvedEntry>,
}

/// A verified log proof: a checkpoint signed by its log, cosignatures that
/// all verify, and entries proved into it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogProof {
    note: String,
    checkpoint: SignedCheckpoint,
    entries: Vec<ProvedEntry>,
}

impl LogProof {
    /// Checks `note` (a signed checkpoint) and `entries` against it.
    pub fn new(note: String, entries: Vec<ProvedEntry>) -> Result<LogProof, LogError> {
        note_fits(&note)?;
        let checkpoint = SignedCheckpoint::verify(note.as_bytes())?;
        LogProof::checked(note, checkpoint, entries)
    }

    /// Checks `entries` against a checkpoint already verified (as
    /// [`SignedCheckpoint::verify`] returns it, or as its log signed it):
    /// its signatures are not checked again. The note is the checkpoint's
    /// own (`to_note`).
    pub fn of_checkpoint(
        checkpoint: SignedCheckpoint,
        entries: Vec<ProvedEntry>,
    ) -> Result<LogProof, LogError> {
        let note = String::from_utf8(checkpoint.to_note())
            .map_err(|_| LogError::MalformedProof("the checkpoint note is not UTF-8".into()))?;
        note_fits(&note)?;
        LogProof::checked(note, checkpoint, entries)
    }

    /// Checks the entries: their number, order, and inclusion proofs.
    fn checked(
        note: String,
        checkpoint: SignedCheckpoint,
        entries: Vec<ProvedEntry>,
    ) -> Result<LogProof, LogError> {
        if entries.is_empty() || entries.len() > MAX_BUNDLE_OBJECTS {
            return Err(LogError::OutOfRange {
                what: "entries",
                detail: format!(
                    "a log proof holds 1 to {MAX_BUNDLE_OBJECTS} entries, got {}",
                    entries.len()
                ),
            });
        }
        let size = checkpoint.checkpoint.size;
        let root = checkpoint.checkpoint.root;
        let mut previous: Option<u64> = None;
        for entry in &entries {
            if previous.is_some_and(|p| p >= entry.index) {
                return Err(LogError::OutOfRange {
                    what: "index",
                    detail: format!(
                        "entry {} is not after the entry before it; entries are in increasing index order",
                        entry.index
                    ),
                });
            }
            previous = Some(entry.index);
            if entry.path.len() > MAX_PROOF_HASHES {
                return Err(LogError::ProofTooLong {
                    len: entry.path.len(),
                    limit: MAX_PROOF_HASHES,
                });
            }
            let path: Vec<Hash> = entry.path.iter().map(|h| Hash(h.0)).collect();
            verify_inclusion(entry.leaf().hash(), entry.index, size, root, &path)?;
        }
        Ok(LogProof {
            note,
            checkpoint,
            entries,
        })
    }

    /// Decodes and verifies a log proof from its deterministic CBOR.
    pub fn decode(bytes: &[u8]) -> Result<LogProof, LogError> {
        let wire: Wire = from_canonical(bytes)
            .map_err(|e| LogError::MalformedProof(format!("not a log proof: {e}")))?;
        LogProof::new(wire.checkpoint, wire.entries)
    }

    /// The deterministic CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        to_canonical(&Wire {
            checkpoint: self.note.clone(),
            entries: self.entries.clone(),
        })
    }

    /// The signed note, as carried.
    pub fn note(&self) -> &str {
        &self.note
    }

    /// The verified checkpoint and its cosignatures.
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }

    /// The proved entries, in index order.
    pub fn entries(&self) -> &[ProvedEntry] {
        &self.entries
    }

    /// This proof with only the entries of `ids`, or `None` when none is.
    pub fn restricted(&self, ids: &BTreeSet<ObjectId>) -> Option<LogProof> {
        let entries: Vec<ProvedEntry> = self
            .entries
            .iter()
            .filter(|e| ids.contains(&e.id))
            .cloned()
            .collect();
        (!entries.is_empty()).then(|| LogProof {
            note: self.note.clone(),
            checkpoint: self.checkpoint.clone(),
            entries,
        })
    }

    /// The order proofs take in a bundle: by origin, then size.
    pub fn sort_key(&self) -> (&str, u64) {
        (
            &self.checkpoint.checkpoint.origin,
            self.checkpoint.checkpoint.size,
        )
    }
}
