//! Witness cosignatures: C2SP tlog-cosignature v1.
//!
//! A cosignature says "at `time`, I (the witness) had verified that this
//! checkpoint is consistent with every earlier checkpoint of the log I
//! cosigned". The signed message is
//! `"cosignature/v1\ntime " || decimal(time) || "\n" || checkpoint text`,
//! and the signature line carries `key id || time (u64 big-endian) ||
//! Ed25519 signature`, with the key id of signature type 0x04.

use super::note::{key_id, verify_strict, NoteSignature};
use super::{key_of_witness_name, witness_name_of, LogError};
use crate::identity::Keypair;
use crate::ids::PublicKey;

/// The signed-note signature type of a cosignature (tlog-cosignature v1).
pub const COSIGNATURE_ALGORITHM: u8 = 0x04;

/// A witness's identity as a cosigner: its key and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureKey {
    /// The witness node's key.
    pub key: PublicKey,
    /// Its cosigner name, `baraza/witness/<did:key>`.
    pub name: String,
}

impl CosignatureKey {
    /// The cosigner identity of the witness with key `key`.
    pub fn of(key: PublicKey) -> CosignatureKey {
        CosignatureKey {
            name: witness_name_of(&key),
            key,
        }
    }

    /// Its signed-note key id (signature type 0x04).
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, COSIGNATURE_ALGORITHM, &self.key)
    }
}

/// One witness's cosignature of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosignature {
    /// Who cosigned.
    pub witness: CosignatureKey,
    /// When, in seconds since the Unix epoch by the witness's clock.
    pub time_secs: u64,
    /// The Ed25519 signature of the cosigned message.
    pub signature: [u8; 64],
}

impl Cosignature {
    /// `witness` cosigns the checkpoint `text` at `time_secs`.
    pub fn sign(witness: &Keypair, time_secs: u64, text: &[u8]) -> Cosignature {
        Cosignature {
            witness: CosignatureKey::of(witness.public()),
            time_secs,
            signature: witness.sign_raw(&message(time_secs, text)),
        }
    }

    /// Whether this is a valid cosignature of the checkpoint `text`.
    pub fn verifies(&self, text: &[u8]) -> bool {
        verify_strict(
            &self.witness.key,
            &message(self.time_secs, text),
            &self.signature,
        )
    }

    /// The bytes of its signature line after the key id: time || signature.
    pub(super) fn line_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(76);
        out.extend_from_slice(&self.witness.key_id().to_be_bytes());
        out.extend_from_slice(&self.time_secs.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }

    /// The cosignature a note's signature line carries, if the line is a
    /// baraza witness's (its name `baraza/witness/<did:key>` and its key id
    /// of type 0x04); `Ok(None)` for any other line. Not verified here.
    pub(super) fn from_line(line: &NoteSignature) -> Result<Option<Cosignature>, LogError> {
        if !line.name.starts_with(super::WITNESS_PREFIX) {
            return Ok(None);
        }
        let witness = CosignatureKey::of(key_of_witness_name(&line.name)?);
        if line.id != witness.key_id() {
            return Ok(None);
        }
        let bytes: &[u8; 72] = line.bytes.as_slice().try_into().map_err(|_| {
            LogError::MalformedCosignature(format!(
                "{} carries {} bytes after its key id, expected 72 (time and signature)",
                line.name,
                line.bytes.len()
            ))
        })?;
        let mut time = [0u8; 8];
        time.copy_from_slice(&bytes[..8]);
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[8..]);
        Ok(Some(Cosignature {
            witness,
            time_secs: u64::from_be_bytes(time),
            signature,
        }))
    }
}

/// The message a cosignature signs.
fn message(time_secs: u64, text: &[u8]) -> Vec<u8> {
    let mut out = format!("cosignature/v1\ntime {time_secs}\n").into_bytes();
    out.extend_from_slice(text);
    out
}
