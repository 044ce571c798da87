//! The log key's side of C2SP signed notes: signing receipts and
//! checkpoints with the node key, and verifying them strictly.

use ed25519_dalek::{Signature, VerifyingKey};
use signed_note::Note;

use super::{LogError, MAX_NOTE_BYTES};
use crate::identity::Keypair;
use crate::ids::PublicKey;

/// The signed-note signature type of a log's own signatures: Ed25519
/// (C2SP signed-note, type 0x01).
pub const LOG_KEY_ALGORITHM: u8 = 0x01;

/// The key id of `key` signing as `name` with the signature type `alg`:
/// the first four bytes of SHA-256(name || 0x0A || alg || key), big-endian.
pub(super) fn key_id(name: &str, alg: u8, key: &PublicKey) -> u32 {
    let mut encoded = Vec::with_capacity(33);
    encoded.push(alg);
    encoded.extend_from_slice(key.as_bytes());
    signed_note::key_id(name, &encoded)
}

/// The verifier key of the log `origin` signed by `key`, in the signed-note
/// text form `<name>+<key id, 8 hex digits>+<base64(0x01 || key)>`.
pub fn log_verifier_key(origin: &str, key: &PublicKey) -> String {
    use base64::Engine as _;
    let mut encoded = vec![LOG_KEY_ALGORITHM];
    encoded.extend_from_slice(key.as_bytes());
    format!(
        "{origin}+{:08x}+{}",
        key_id(origin, LOG_KEY_ALGORITHM, key),
        base64::engine::general_purpose::STANDARD.encode(encoded)
    )
}

/// The log key `keypair`'s signature line bytes for `text` under `name`:
/// key id (type 0x01) || Ed25519 signature.
pub(super) fn log_signature_line(text: &[u8], name: &str, keypair: &Keypair) -> Vec<u8> {
    let id = key_id(name, LOG_KEY_ALGORITHM, &keypair.public());
    let mut line = Vec::with_capacity(68);
    line.extend_from_slice(&id.to_be_bytes());
    line.extend_from_slice(&keypair.sign_raw(text));
    line
}

/// `text` signed by the log key `keypair` under `name` (a complete note).
pub(super) fn sign_note(text: &[u8], name: &str, keypair: &Keypair) -> Vec<u8> {
    note_bytes(text, &[(name, log_signature_line(text, name, keypair))])
}

/// A note of `text` with the signature lines `(name, key id || signature)`.
pub(super) fn note_bytes(text: &[u8], lines: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use base64::Engine as _;
    let mut out = text.to_vec();
    out.push(b'\n');
    for (name, bytes) in lines {
        out.extend_from_slice("— ".as_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(b' ');
        out.extend_from_slice(
            base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .as_bytes(),
        );
        out.push(b'\n');
    }
    out
}

/// One signature line of a note.
pub(super) struct NoteSignature {
    /// The key name.
    pub(super) name: String,
    /// The key id.
    pub(super) id: u32,
    /// The signature bytes after the key id.
    pub(super) bytes: Vec<u8>,
}

/// A parsed note: its text and its signature lines, none verified yet.
pub(super) struct ParsedNote {
    pub(super) text: Vec<u8>,
    pub(super) signatures: Vec<NoteSignature>,
}

/// Parses a C2SP signed note (bounded by [`MAX_NOTE_BYTES`]).
pub(super) fn parse_note(bytes: &[u8]) -> Result<ParsedNote, LogError> {
    if bytes.len() > MAX_NOTE_BYTES {
        return Err(LogError::NoteTooLarge {
            len: bytes.len(),
            limit: MAX_NOTE_BYTES,
        });
    }
    // signed_note checks the format (text lines, the blank line, each
    // signature line's name and base64); it verifies nothing here, since
    // no verifier is known to it: every signature comes back unverified.
    let note = Note::from_bytes(bytes).map_err(|e| LogError::MalformedNote(e.to_string()))?;
    let signatures = match note.verify(&signed_note::VerifierList::new(Vec::new())) {
        Err(signed_note::NoteError::UnverifiedNote) => unverified_lines(bytes, note.text())?,
        Err(e) => return Err(LogError::MalformedNote(e.to_string())),
        Ok(_) => Vec::new(),
    };
    Ok(ParsedNote {
        text: note.text().to_vec(),
        signatures,
    })
}

/// The signature lines after `text` (already checked well-formed by
/// `signed_note`), in order, duplicates kept.
fn unverified_lines(bytes: &[u8], text: &[u8]) -> Result<Vec<NoteSignature>, LogError> {
    let rest = bytes
        .get(text.len() + 1..)
        .ok_or_else(|| LogError::MalformedNote("no signature lines".into()))?;
    let rest = std::str::from_utf8(rest)
        .map_err(|_| LogError::MalformedNote("signature lines are not UTF-8".into()))?;
    rest.lines()
        .map(|line| {
            let sig = signed_note::Signature::from_bytes(line.as_bytes())
                .map_err(|e| LogError::MalformedNote(e.to_string()))?;
            Ok(NoteSignature {
                name: sig.name().to_owned(),
                id: sig.id(),
                bytes: sig.signature().to_vec(),
            })
        })
        .collect()
}

/// Whether `signature` is `key`'s Ed25519 signature of `message`, with
/// RFC 8032's strict checks (canonical S, no small-order points).
pub(super) fn verify_strict(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(key.as_bytes()) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(&signature))
        .is_ok()
}

/// Checks that `note` carries a valid signature of the log key `key`
/// under `name`.
pub(super) fn verify_log_signature(
    note: &ParsedNote,
    name: &str,
    key: &PublicKey,
) -> Result<(), LogError> {
    let id = key_id(name, LOG_KEY_ALGORITHM, key);
    let mut mine = note
        .signatures
        .iter()
        .filter(|s| s.name == name && s.id == id)
        .peekable();
    if mine.peek().is_none() {
        return Err(LogError::NotSigned(name.to_owned()));
    }
    for signature in mine {
        if !verify_strict(key, &note.text, &signature.bytes) {
            return Err(LogError::BadSignature(name.to_owned()));
        }
    }
    Ok(())
}
