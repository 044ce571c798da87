//! Checkpoints: a log's signed tree head, C2SP tlog-checkpoint.
//!
//! The text is three lines, `origin`, `size` (decimal) and the root hash
//! (standard base64), with no extension lines; the note carries the log
//! key's signature under the origin's name and any number of witness
//! cosignatures (`cosignature.rs`).

use super::cosignature::Cosignature;
use super::note::{log_signature_line, note_bytes, parse_note, verify_log_signature};
use super::{key_of_origin, origin_of, Hash, LogError};
use crate::identity::Keypair;
use crate::ids::PublicKey;

/// A tree head: which log, how many entries, their root hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// The log's origin.
    pub origin: String,
    /// Entries in the tree.
    pub size: u64,
    /// The RFC 9162 root hash of those entries.
    pub root: Hash,
}

impl Checkpoint {
    /// The checkpoint's text (the note body the log signs).
    pub fn text(&self) -> Vec<u8> {
        format!("{}\n{}\n{}\n", self.origin, self.size, self.root).into_bytes()
    }

    /// Parses a checkpoint text strictly (C2SP: no leading zeros, standard
    /// padded base64, every line ending in a newline). Extension lines are
    /// refused: baraza's checkpoints have none.
    pub fn parse(text: &[u8]) -> Result<Checkpoint, LogError> {
        let parsed = tlog_tiles::Checkpoint::from_bytes(text)
            .map_err(|e| LogError::MalformedCheckpoint(e.to_string()))?;
        if !parsed.extension().is_empty() {
            return Err(LogError::MalformedCheckpoint(
                "extension lines are not used by baraza".into(),
            ));
        }
        key_of_origin(parsed.origin())?;
        Ok(Checkpoint {
            origin: parsed.origin().to_owned(),
            size: parsed.size(),
            root: *parsed.hash(),
        })
    }

    /// The node key that signs for this checkpoint's log.
    pub fn log_key(&self) -> Result<PublicKey, LogError> {
        key_of_origin(&self.origin)
    }
}

/// A checkpoint with the log's signature and the witnesses' cosignatures.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedCheckpoint {
    /// The tree head.
    pub checkpoint: Checkpoint,
    /// The log key's signature line bytes (key id || signature).
    log_signature: Vec<u8>,
    /// Verified cosignatures, in note order, at most one per witness.
    pub cosignatures: Vec<Cosignature>,
}

impl SignedCheckpoint {
    /// The node `keypair` signs the head of its log: `size` entries, `root`.
    pub fn sign(keypair: &Keypair, size: u64, root: Hash) -> SignedCheckpoint {
        let checkpoint = Checkpoint {
            origin: origin_of(&keypair.public()),
            size,
            root,
        };
        let log_signature = log_signature_line(&checkpoint.text(), &checkpoint.origin, keypair);
        SignedCheckpoint {
            checkpoint,
            log_signature,
            cosignatures: Vec::new(),
        }
    }

    /// Parses and verifies a signed checkpoint note: the log key (named by
    /// the origin) must have signed it, and every baraza witness
    /// cosignature on it must verify (one that does not is an error: a
    /// note that carries a forged cosignature is not passed on). Other
    /// signature lines are ignored. A witness that cosigned twice counts
    /// once, with its earliest time.
    pub fn verify(note: &[u8]) -> Result<SignedCheckpoint, LogError> {
        let parsed = parse_note(note)?;
        let checkpoint = Checkpoint::parse(&parsed.text)?;
        let key = checkpoint.log_key()?;
        verify_log_signature(&parsed, &checkpoint.origin, &key)?;
        let log_id = super::note::key_id(&checkpoint.origin, super::LOG_KEY_ALGORITHM, &key);
        let mut log_signature = Vec::new();
        let mut cosignatures: Vec<Cosignature> = Vec::new();
        for line in &parsed.signatures {
            if line.name == checkpoint.origin && line.id == log_id {
                if log_signature.is_empty() {
                    log_signature = line.id.to_be_bytes().to_vec();
                    log_signature.extend_from_slice(&line.bytes);
                }
                continue;
            }
            let Some(cosignature) = Cosignature::from_line(line)? else {
                continue;
            };
            if !cosignature.verifies(&parsed.text) {
                return Err(LogError::BadSignature(cosignature.witness.name));
            }
            match cosignatures
                .iter_mut()
                .find(|c| c.witness == cosignature.witness)
            {
                Some(seen) if seen.time_secs <= cosignature.time_secs => {}
                Some(seen) => *seen = cosignature,
                None => cosignatures.push(cosignature),
            }
        }
        Ok(SignedCheckpoint {
            checkpoint,
            log_signature,
            cosignatures,
        })
    }

    /// Adds a cosignature (replacing the same witness's earlier one).
    /// The caller has verified it, or made it.
    pub fn add_cosignature(&mut self, cosignature: Cosignature) {
        self.cosignatures
            .retain(|c| c.witness != cosignature.witness);
        self.cosignatures.push(cosignature);
    }

    /// The witness `keypair` cosigns this checkpoint at `time_secs`.
    pub fn cosign(&self, keypair: &Keypair, time_secs: u64) -> Cosignature {
        Cosignature::sign(keypair, time_secs, &self.checkpoint.text())
    }

    /// The complete note: text, the log's signature, then each
    /// cosignature.
    pub fn to_note(&self) -> Vec<u8> {
        let mut lines = vec![(self.checkpoint.origin.as_str(), self.log_signature.clone())];
        lines.extend(
            self.cosignatures
                .iter()
                .map(|c| (c.witness.name.as_str(), c.line_bytes())),
        );
        note_bytes(&self.checkpoint.text(), &lines)
    }
}
