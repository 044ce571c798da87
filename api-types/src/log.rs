//! `GET /v1/log…`: a node's transparency log (PROTOCOL.md §14). Hashes are
//! lowercase hex of their 32 bytes; checkpoints and receipts are C2SP
//! signed notes, as text.

use baraza_protocol::{ObjectId, PublicKey};
use serde::{Deserialize, Serialize};

/// `GET /v1/log`: which log this is, how large, its latest checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogInfo {
    /// The log's origin, `baraza/log/<node did:key>`.
    pub origin: String,
    /// The signed-note verifier key of the log (`name+id+base64 key`).
    pub verifier_key: String,
    /// Durable entries now.
    pub size: u64,
    /// The latest signed checkpoint (a note), if any yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// Its tree size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_size: Option<u64>,
    /// Seconds between checkpoints while the log grows.
    pub checkpoint_interval_secs: u64,
    /// The witnesses' cosignatures on the latest checkpoint.
    #[serde(default)]
    pub cosignatures: Vec<CosignatureInfo>,
}

/// One witness's cosignature of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosignatureInfo {
    /// The witness node's key.
    pub witness: PublicKey,
    /// When it cosigned (Unix seconds, the witness's clock).
    pub time: u64,
}

/// `GET /v1/log/evidence`: logs this node holds equivocation evidence
/// against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Equivocations {
    /// One per equivocating log.
    pub equivocations: Vec<EquivocationInfo>,
}

/// Checked evidence that a node's log signed two trees that cannot both
/// be true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquivocationInfo {
    /// The node whose log it is.
    pub node: PublicKey,
    /// The log's origin.
    pub origin: String,
    /// The sizes of the two checkpoints.
    pub sizes: [u64; 2],
    /// The evidence (PROTOCOL.md §14), checkable on its own.
    pub evidence: baraza_protocol::tlog::Evidence,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryInfo {
    /// Its position, from 0.
    pub index: u64,
    /// The object.
    pub id: ObjectId,
    /// When the node stored it (ms since the Unix epoch, the node's clock).
    pub time_ms: u64,
}

/// `GET /v1/log/entries`: a run of entries in log order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntries {
    /// The entries, from `start` on.
    pub entries: Vec<LogEntryInfo>,
    /// The `start` of the next page; absent at the end of the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

/// `GET /v1/log/inclusion`: the proof that an object's entry is in a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The entry.
    #[serde(flatten)]
    pub entry: LogEntryInfo,
    /// The RFC 9162 leaf hash of the entry, hex.
    pub leaf_hash: String,
    /// The tree's size.
    pub size: u64,
    /// The tree's root hash, hex.
    pub root: String,
    /// The audit path, hex, in RFC 9162 order.
    pub proof: Vec<String>,
    /// The signed checkpoint of that tree, when the node kept one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

/// `GET /v1/log/consistency`: the proof that one tree extends another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The smaller tree's size.
    pub old: u64,
    /// Its root hash, hex.
    pub old_root: String,
    /// The larger tree's size.
    pub new: u64,
    /// Its root hash, hex.
    pub new_root: String,
    /// The consistency proof, hex, in RFC 9162 order.
    pub proof: Vec<String>,
}
