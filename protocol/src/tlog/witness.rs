//! Witnessing (PROTOCOL.md §14, "Witnesses"): what a log sends a witness,
//! what the witness answers, what it remembers, and the evidence of a log
//! that signed two trees that cannot both be true.
//!
//! Modelled on C2SP tlog-witness: the log sends its new checkpoint with a
//! consistency proof from the size the witness last cosigned; the witness
//! checks it, remembers the new checkpoint and returns a tlog-cosignature
//! v1, or answers with its own size when the log's idea of it is wrong.
//! One addition makes a fork provable to anyone: the log also sends the
//! root of its tree at the old size. An honest log's is the root the
//! witness remembers; a forked log, proving consistency of its new tree
//! with the root of its *current* tree at that size, hands the witness a
//! valid proof that the log's new checkpoint extends a root other than the
//! one it signed before. Those two signed checkpoints, that root and that
//! proof are [`Evidence`] that every node can check on its own.
//!
//! Everything here is pure: [`decide`] takes the request, the witness's
//! memory of the log and the clock, and says what to do.

use serde::{Deserialize, Serialize};

use super::checkpoint::SignedCheckpoint;
use super::cosignature::Cosignature;
use super::note::{note_bytes, NoteSignature};
use super::proof::verify_consistency;
use super::{Hash, LogError, MAX_PROOF_HASHES};
use crate::identity::Keypair;
use crate::ids::PublicKey;

/// A log's request to a witness: cosign `checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessRequest {
    /// The log's signed checkpoint note (other cosignatures may be on it).
    pub checkpoint: String,
    /// The size of the checkpoint the log believes this witness last
    /// cosigned for it (0: none).
    pub old_size: u64,
    /// The root of the log's tree at `old_size`, hex (absent for 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_root: Option<String>,
    /// The consistency proof from `old_size` to the checkpoint's size, hex.
    pub proof: Vec<String>,
}

/// A witness's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum WitnessResponse {
    /// The cosignature, as its signature line (`— name base64\n`).
    Cosigned {
        /// The line to add to the checkpoint note.
        cosignature: String,
    },
    /// The witness last cosigned a checkpoint of another size than
    /// `old_size`: ask again from this one.
    Conflict {
        /// The size of the checkpoint it last cosigned for the log.
        size: u64,
    },
    /// Refused; `error` is one of the codes of PROTOCOL.md §14.
    Refused {
        /// The code.
        error: String,
        /// Why, in words.
        message: String,
    },
}

/// What a witness remembers of one log: the last checkpoint it cosigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witnessed {
    /// Its size.
    pub size: u64,
    /// Its root, hex.
    pub root: String,
    /// The checkpoint note as the witness received it.
    pub note: String,
}

/// Two checkpoints of one log that cannot both be true, with the proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The earlier checkpoint note (the smaller or equal size).
    pub earlier: String,
    /// The later checkpoint note.
    pub later: String,
    /// What the log itself gave as the root of the later tree at the
    /// earlier size, hex.
    pub root: String,
    /// The log's consistency proof from (earlier size, `root`) to the
    /// later checkpoint, hex (empty when the sizes are equal).
    pub proof: Vec<String>,
}

/// What checked evidence shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Equivocation {
    /// The log's origin.
    pub origin: String,
    /// Its key: the node that signed both.
    pub node: PublicKey,
    /// The two sizes.
    pub sizes: (u64, u64),
}

/// What a witness does with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Remember `state` (durably) first, then answer with the cosignature.
    Cosign {
        /// The new memory of the log.
        state: Witnessed,
        /// The cosignature.
        cosignature: Cosignature,
        /// Its signature line.
        line: String,
    },
    /// Answer with the witness's size.
    Conflict {
        /// The size it last cosigned.
        size: u64,
    },
    /// Refuse.
    Refuse {
        /// The code.
        error: &'static str,
        /// Why.
        message: String,
    },
    /// The log signed a fork: keep and publish the evidence, refuse.
    Equivocation {
        /// The evidence.
        evidence: Evidence,
    },
}

impl Decision {
    /// The answer to send.
    pub fn response(&self) -> WitnessResponse {
        match self {
            Decision::Cosign { line, .. } => WitnessResponse::Cosigned {
                cosignature: line.clone(),
            },
            Decision::Conflict { size } => WitnessResponse::Conflict { size: *size },
            Decision::Refuse { error, message } => WitnessResponse::Refused {
                error: (*error).to_owned(),
                message: message.clone(),
            },
            Decision::Equivocation { .. } => WitnessResponse::Refused {
                error: "equivocation".into(),
                message: "this checkpoint is inconsistent with one this witness cosigned \
                          before; the evidence is kept and published"
                    .into(),
            },
        }
    }
}

/// Parses lowercase hex of 32 bytes.
pub fn parse_hash(text: &str) -> Result<Hash, LogError> {
    let mut out = [0u8; 32];
    if text.len() != 64 || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(LogError::MalformedNote(format!(
            "{:?} is not 64 lowercase hex digits",
            text.chars().take(80).collect::<String>()
        )));
    }
    hex::decode_to_slice(text, &mut out).map_err(|e| LogError::MalformedNote(e.to_string()))?;
    Ok(Hash(out))
}

/// Lowercase hex of a hash.
pub fn hash_hex(hash: &Hash) -> String {
    hex::encode(hash.0)
}

fn parse_proof(proof: &[String]) -> Result<Vec<Hash>, LogError> {
    if proof.len() > MAX_PROOF_HASHES {
        return Err(LogError::ProofTooLong {
            len: proof.len(),
            limit: MAX_PROOF_HASHES,
        });
    }
    proof.iter().map(|h| parse_hash(h)).collect()
}

/// The witness `key` decides on `request`, remembering `state` of the
/// request's log (`None`: it never cosigned for it), at `now_secs`.
pub fn decide(
    request: &WitnessRequest,
    state: Option<&Witnessed>,
    key: &Keypair,
    now_secs: u64,
) -> Decision {
    match SignedCheckpoint::verify(request.checkpoint.as_bytes()) {
        Ok(signed) => decide_verified(request, &signed, state, key, now_secs),
        Err(e) => Decision::Refuse {
            error: "bad_checkpoint",
            message: e.to_string(),
        },
    }
}

/// [`decide`] for a caller that has already verified the request's
/// checkpoint note into `signed` (a witness that looks up its memory by
/// the checkpoint's origin first): the same steps after the first.
pub fn decide_verified(
    request: &WitnessRequest,
    signed: &SignedCheckpoint,
    state: Option<&Witnessed>,
    key: &Keypair,
    now_secs: u64,
) -> Decision {
    let refuse = |error: &'static str, message: String| Decision::Refuse { error, message };
    let checkpoint = &signed.checkpoint;
    // A memory of an empty tree is no memory: every tree extends it.
    let state = state.filter(|s| s.size > 0);
    let (old_size, old_root) = match state {
        Some(s) => match parse_hash(&s.root) {
            Ok(root) => (s.size, Some(root)),
            Err(e) => {
                return refuse(
                    "witness_state",
                    format!("this witness's memory of the log is unreadable: {e}"),
                )
            }
        },
        None => (0, None),
    };
    if request.old_size != old_size {
        return Decision::Conflict { size: old_size };
    }
    let cosign = || {
        let cosignature = signed.cosign(key, now_secs);
        let line = String::from_utf8_lossy(&cosignature_line(&cosignature)).into_owned();
        Decision::Cosign {
            state: Witnessed {
                size: checkpoint.size,
                root: hash_hex(&checkpoint.root),
                note: request.checkpoint.clone(),
            },
            cosignature,
            line,
        }
    };
    let (Some(old_root), Some(state)) = (old_root, state) else {
        return cosign();
    };
    if checkpoint.size < old_size {
        return refuse(
            "stale",
            format!(
                "this witness has cosigned a checkpoint of {old_size} entries; {} is older",
                checkpoint.size
            ),
        );
    }
    let proof = match parse_proof(&request.proof) {
        Ok(p) => p,
        Err(e) => return refuse("bad_request", e.to_string()),
    };
    let claimed = match (&request.old_root, checkpoint.size == old_size) {
        (Some(root), _) => match parse_hash(root) {
            Ok(root) => root,
            Err(e) => return refuse("bad_request", e.to_string()),
        },
        (None, true) => checkpoint.root,
        (None, false) => {
            return refuse(
                "bad_request",
                "old_root is required when old_size is not 0".into(),
            )
        }
    };
    if let Err(e) = verify_consistency(old_size, claimed, checkpoint.size, checkpoint.root, &proof)
    {
        return refuse(
            "not_consistent",
            format!("{e}: the checkpoint is not shown to extend the one of {old_size} entries this witness cosigned"),
        );
    }
    if claimed != old_root {
        return Decision::Equivocation {
            evidence: Evidence {
                earlier: state.note.clone(),
                later: request.checkpoint.clone(),
                root: hash_hex(&claimed),
                proof: request.proof.clone(),
            },
        };
    }
    cosign()
}

/// The signature line of a cosignature, as it appears in a note.
fn cosignature_line(cosignature: &Cosignature) -> Vec<u8> {
    // A note of no text and this one line, minus the text's blank line.
    let note = note_bytes(
        b"",
        &[(cosignature.witness.name.as_str(), cosignature.line_bytes())],
    );
    note[1..].to_vec()
}

/// Parses a witness's cosignature line and checks it is `witness`'s valid
/// cosignature of `checkpoint`.
pub fn check_cosignature(
    line: &str,
    checkpoint: &SignedCheckpoint,
    witness: &PublicKey,
) -> Result<Cosignature, LogError> {
    // Only the line is checked: the checkpoint is the caller's own, verified.
    let parsed = signed_note::Signature::from_bytes(line.trim_end_matches('\n').as_bytes())
        .map_err(|e| LogError::MalformedCosignature(e.to_string()))?;
    let line = NoteSignature {
        name: parsed.name().to_owned(),
        id: parsed.id(),
        bytes: parsed.signature().to_vec(),
    };
    let cosignature = Cosignature::from_line(&line)?
        .filter(|c| c.witness.key == *witness)
        .ok_or_else(|| {
            LogError::MalformedCosignature(format!("no cosignature by {witness} on the line"))
        })?;
    if !cosignature.verifies(&checkpoint.checkpoint.text()) {
        return Err(LogError::BadSignature(cosignature.witness.name));
    }
    Ok(cosignature)
}

impl Evidence {
    /// Checks the evidence on its own: both notes are checkpoints signed by
    /// the same log key, the proof is valid from (earlier size, `root`) to
    /// the later checkpoint, and `root` is not the earlier checkpoint's.
    pub fn verify(&self) -> Result<Equivocation, LogError> {
        let earlier = SignedCheckpoint::verify(self.earlier.as_bytes())?.checkpoint;
        let later = SignedCheckpoint::verify(self.later.as_bytes())?.checkpoint;
        if earlier.origin != later.origin {
            return Err(LogError::ProofInvalid("evidence (two different logs)"));
        }
        if earlier.size > later.size {
            return Err(LogError::ProofInvalid("evidence (earlier is larger)"));
        }
        // Every tree extends the empty one: a checkpoint of size 0 proves
        // nothing against any other (and a log never signs one).
        if earlier.size == 0 {
            return Err(LogError::ProofInvalid("evidence (earlier is empty)"));
        }
        let root = parse_hash(&self.root)?;
        let proof = parse_proof(&self.proof)?;
        verify_consistency(earlier.size, root, later.size, later.root, &proof)?;
        if root == earlier.root {
            return Err(LogError::ProofInvalid(
                "evidence (the checkpoints are consistent)",
            ));
        }
        Ok(Equivocation {
            node: earlier.log_key()?,
            origin: earlier.origin,
            sizes: (earlier.size, later.size),
        })
    }
}
