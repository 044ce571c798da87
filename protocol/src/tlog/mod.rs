//! The node's transparency log (PROTOCOL.md §14): an append-only Merkle
//! tree (RFC 9162 hashing) of every object a node stores, in the order it
//! stored them, with the signed statements around it.
//!
//! - [`LogLeaf`]: one entry, the object id and the node's time of storing
//!   it; its record hash is RFC 9162's leaf hash of the 40 entry bytes.
//! - [`Receipt`]: the node's signed word that an object is entry `index`
//!   of its log (a C2SP signed note).
//! - [`Checkpoint`]s: the node's signed tree head, in the C2SP
//!   tlog-checkpoint format, and [`Cosignature`]s on it by witnesses
//!   (C2SP tlog-cosignature v1).
//! - [`verify_inclusion`] and [`verify_consistency`]: the proofs' checks.
//!
//! The tree arithmetic (stored-hash layout, tree hashes, proofs) is
//! Cloudflare's `tlog_tiles` (a port of Go's `golang.org/x/mod/sumdb/tlog`)
//! and the note format `signed_note`; this module adds baraza's entry,
//! origin and receipt formats, strict Ed25519 verification, and limits, so
//! that nothing a peer or a file controls can make the checks panic.

mod checkpoint;
mod cosignature;
mod error;
mod leaf;
mod log_proof;
mod memory;
mod note;
mod proof;
mod receipt;
mod witness;

pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use cosignature::{Cosignature, CosignatureKey, COSIGNATURE_ALGORITHM};
pub use error::LogError;
pub use leaf::{LogLeaf, LEAF_BYTES};
pub use log_proof::{LogProof, ProofHash, ProvedEntry};
pub use memory::MemoryLog;
pub use note::{log_verifier_key, LOG_KEY_ALGORITHM};
pub use proof::{
    consistency_proof, inclusion_proof, stored_hashes, tree_hash, verify_consistency,
    verify_inclusion, StoredHashes, MAX_PROOF_HASHES,
};
pub use receipt::Receipt;
pub use tlog_tiles::{Hash, EMPTY_HASH, HASH_SIZE};
pub use witness::{
    check_cosignature, decide, decide_verified, hash_hex, parse_hash, Decision, Equivocation,
    Evidence, WitnessRequest, WitnessResponse, Witnessed,
};

use crate::ids::PublicKey;

/// Every baraza log's origin starts with this; the rest is the node key
/// as a did:key, so the origin names the key that signs for the log.
pub const ORIGIN_PREFIX: &str = "baraza/log/";
/// Every witness's cosigner name starts with this; the rest is the
/// witness node's key as a did:key.
pub const WITNESS_PREFIX: &str = "baraza/witness/";
/// Most bytes of a signed note (receipt or checkpoint with its
/// cosignatures) that this module parses.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

/// The origin of the log kept by the node with key `node`.
pub fn origin_of(node: &PublicKey) -> String {
    format!("{ORIGIN_PREFIX}{node}")
}

/// The node key a log origin names.
pub fn key_of_origin(origin: &str) -> Result<PublicKey, LogError> {
    key_after(origin, ORIGIN_PREFIX).ok_or_else(|| LogError::BadOrigin(clip(origin)))
}

/// The cosigner name of the witness with key `witness`.
pub fn witness_name_of(witness: &PublicKey) -> String {
    format!("{WITNESS_PREFIX}{witness}")
}

/// The witness key a cosigner name names.
pub fn key_of_witness_name(name: &str) -> Result<PublicKey, LogError> {
    key_after(name, WITNESS_PREFIX).ok_or_else(|| LogError::BadWitnessName(clip(name)))
}

fn key_after(text: &str, prefix: &str) -> Option<PublicKey> {
    text.strip_prefix(prefix)?.parse().ok()
}

/// At most 100 characters of untrusted text, for an error message.
fn clip(text: &str) -> String {
    text.chars().take(100).collect()
}
