//! What can be wrong with a log statement or a proof.

/// Why a receipt, checkpoint, cosignature or proof was refused. Every
/// variant has a stable code ([`LogError::code`]) listed in PROTOCOL.md §14.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The note is not a well-formed C2SP signed note.
    #[error("malformed signed note: {0}")]
    MalformedNote(String),
    /// The note is larger than [`super::MAX_NOTE_BYTES`].
    #[error("signed note is {len} bytes, more than the {limit} allowed")]
    NoteTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The origin is not `baraza/log/<did:key>`.
    #[error("log origin {0:?} is not \"baraza/log/\" followed by a did:key")]
    BadOrigin(String),
    /// The cosigner name is not `baraza/witness/<did:key>`.
    #[error("witness name {0:?} is not \"baraza/witness/\" followed by a did:key")]
    BadWitnessName(String),
    /// The note carries no signature by the key its text names.
    #[error("not signed by the log's own key ({0})")]
    NotSigned(String),
    /// A signature by a named key does not verify.
    #[error("the signature of {0} does not verify")]
    BadSignature(String),
    /// The receipt text is not in the format of §14.
    #[error("malformed receipt: {0}")]
    MalformedReceipt(String),
    /// The checkpoint text is not in the C2SP format.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(String),
    /// A cosignature line is not a tlog-cosignature v1 signature.
    #[error("malformed cosignature: {0}")]
    MalformedCosignature(String),
    /// An index or size lies outside the tree it is asked of.
    #[error("{what} is out of range: {detail}")]
    OutOfRange {
        /// Which value.
        what: &'static str,
        /// How.
        detail: String,
    },
    /// A proof has more hashes than any tree of 2^64 entries needs.
    #[error("proof has {len} hashes, more than the {limit} any tree needs")]
    ProofTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The proof does not prove what it is offered for.
    #[error("the {0} proof does not verify")]
    ProofInvalid(&'static str),
    /// A log proof (in a bundle) is not in the format of §14.
    #[error("malformed log proof: {0}")]
    MalformedProof(String),
    /// The hashes behind the tree could not be read.
    #[error("cannot read the log's hashes: {0}")]
    Storage(String),
}

impl LogError {
    /// A stable snake_case name of the error, for APIs and test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            LogError::MalformedNote(_) => "malformed_note",
            LogError::NoteTooLarge { .. } => "note_too_large",
            LogError::BadOrigin(_) => "bad_origin",
            LogError::BadWitnessName(_) => "bad_witness_name",
            LogError::NotSigned(_) => "not_signed",
            LogError::BadSignature(_) => "bad_signature",
            LogError::MalformedReceipt(_) => "malformed_receipt",
            LogError::MalformedCheckpoint(_) => "malformed_checkpoint",
            LogError::MalformedCosignature(_) => "malformed_cosignature",
            LogError::OutOfRange { .. } => "out_of_range",
            LogError::ProofTooLong { .. } => "proof_too_long",
            LogError::ProofInvalid(_) => "proof_invalid",
            LogError::MalformedProof(_) => "malformed_proof",
            LogError::Storage(_) => "storage",
        }
    }
}
