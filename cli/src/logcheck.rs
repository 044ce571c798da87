//! Checks of a node's transparency log (PROTOCOL.md §14) that the
//! `receipt` and `log` commands share: reading a receipt file, checking an
//! inclusion proof (from the node or a saved file) against the signed
//! checkpoint it comes with, and recomputing a tree's root in memory.
//!
//! Nothing the node sends is taken on its word: the leaf hash is computed
//! from the entry, the proof is checked against the root the *signed
//! checkpoint* names (not the `root` field beside it), and the checkpoint's
//! signature is verified by the key its origin names.

use std::path::Path;

use anyhow::{anyhow, bail};
use baraza_api_types::InclusionProof;
use baraza_protocol::tlog::{
    self, verify_inclusion, Hash, LogError, Receipt, SignedCheckpoint, MAX_NOTE_BYTES,
    ORIGIN_PREFIX,
};

use crate::cmd::{read_bounded, Bounded, Input};

/// Reads the receipt note in `path` and verifies its signature by the key
/// its origin names.
pub(crate) fn read_receipt(path: &Path) -> anyhow::Result<Receipt> {
    let input = Input::from_arg(path);
    let note = match read_bounded(&input, MAX_NOTE_BYTES)? {
        Bounded::Complete(bytes) => bytes,
        Bounded::TooLarge { .. } => bail!(
            "{} is too large for a receipt: the limit is {MAX_NOTE_BYTES} bytes",
            input.name()
        ),
    };
    Receipt::verify(&note).map_err(|e| receipt_error(&input.name(), &e))
}

/// A receipt's verification error, saying which part failed.
pub(crate) fn receipt_error(name: &str, error: &LogError) -> anyhow::Error {
    match error {
        LogError::BadSignature(_) | LogError::NotSigned(_) => anyhow!(
            "{name}: the receipt's signature does not verify ({error}): \
             the file was changed, or was not signed by the node its origin names [{}]",
            error.code()
        ),
        _ => anyhow!("{name} is not a baraza receipt: {error} [{}]", error.code()),
    }
}

/// `origin` with its did:key shortened, for human output.
pub(crate) fn short_origin(receipt: &Receipt) -> String {
    match receipt.node() {
        Ok(key) => format!("{ORIGIN_PREFIX}{}", key.short()),
        Err(_) => receipt.origin.clone(),
    }
}

/// Parses a hash written as 64 lowercase hex digits (as the API writes
/// them, `tlog::hash_hex`); `what` names it in the error.
pub(crate) fn parse_hash(text: &str, what: &str) -> anyhow::Result<Hash> {
    tlog::parse_hash(text)
        .map_err(|_| anyhow!("{what} is not a hash (64 hex digits): {:.80?}", text))
}

/// Checks that `proof` proves the receipt's entry is in the tree of the
/// signed checkpoint it carries; returns that checkpoint. Each failure
/// names the check that failed.
pub(crate) fn check_inclusion(
    receipt: &Receipt,
    proof: &InclusionProof,
) -> anyhow::Result<SignedCheckpoint> {
    let note = proof.checkpoint.as_deref().ok_or_else(|| {
        anyhow!(
            "the inclusion proof carries no signed checkpoint, so it proves nothing \
             (save proofs with `baraza receipt prove`)"
        )
    })?;
    let signed = SignedCheckpoint::verify(note.as_bytes()).map_err(|e| {
        anyhow!(
            "the checkpoint's signature does not verify: {e} [{}]",
            e.code()
        )
    })?;
    let checkpoint = &signed.checkpoint;
    if checkpoint.origin != receipt.origin {
        bail!(
            "this receipt is from another node's log: the receipt names {}, \
             the checkpoint is of {}",
            receipt.origin,
            checkpoint.origin
        );
    }
    let entry = &proof.entry;
    let mut differs = Vec::new();
    if entry.index != receipt.index {
        differs.push(format!(
            "index {} (receipt: {})",
            entry.index, receipt.index
        ));
    }
    if entry.id != receipt.leaf.id {
        differs.push(format!(
            "object {} (receipt: {})",
            entry.id, receipt.leaf.id
        ));
    }
    if entry.time_ms != receipt.leaf.time_ms {
        differs.push(format!(
            "time {} (receipt: {})",
            entry.time_ms, receipt.leaf.time_ms
        ));
    }
    if !differs.is_empty() {
        bail!(
            "the log's entry differs from the receipt: {}",
            differs.join(", ")
        );
    }
    if proof.size != checkpoint.size {
        bail!(
            "the inclusion proof is for a tree of {} entries, the checkpoint is of {}",
            proof.size,
            checkpoint.size
        );
    }
    let hashes = proof
        .proof
        .iter()
        .enumerate()
        .map(|(i, h)| parse_hash(h, &format!("proof hash {i}")))
        .collect::<anyhow::Result<Vec<Hash>>>()?;
    verify_inclusion(
        receipt.leaf.hash(),
        receipt.index,
        checkpoint.size,
        checkpoint.root,
        &hashes,
    )
    .map_err(|e| {
        anyhow!(
            "the inclusion proof does not verify against the checkpoint's root: {e} [{}]",
            e.code()
        )
    })?;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use baraza_protocol::tlog::{LogLeaf, MemoryLog};
    use baraza_protocol::{Keypair, ObjectId};

    use super::*;

    fn leaf(i: u8) -> LogLeaf {
        LogLeaf {
            id: ObjectId([i; 32]),
            time_ms: 1_700_000_000_000 + u64::from(i),
        }
    }

    #[test]
    fn memory_log_proves_what_the_protocol_verifies() {
        let key = Keypair::generate();
        let mut log = MemoryLog::new();
        (0..7)
            .try_for_each(|i| log.append(leaf(i)))
            .expect("append");
        let root = log.root(7).expect("root");
        let checkpoint = SignedCheckpoint::sign(&key, 7, root);
        let path = baraza_protocol::tlog::inclusion_proof(3, 7, &log).expect("proof");
        let receipt = Receipt::new(&key.public(), 3, leaf(3));
        let mut proof = InclusionProof {
            entry: baraza_api_types::LogEntryInfo {
                index: 3,
                id: leaf(3).id,
                time_ms: leaf(3).time_ms,
            },
            leaf_hash: tlog::hash_hex(&leaf(3).hash()),
            size: 7,
            root: tlog::hash_hex(&root),
            proof: path.iter().map(tlog::hash_hex).collect(),
            checkpoint: Some(
                String::from_utf8(checkpoint.to_note()).expect("checkpoints are text"),
            ),
        };
        check_inclusion(&receipt, &proof).expect("a true proof verifies");

        let good = proof.proof[0].clone();
        proof.proof[0] = tlog::hash_hex(&leaf(9).hash());
        let err = check_inclusion(&receipt, &proof).expect_err("a changed path fails");
        assert!(err.to_string().contains("does not verify"), "{err}");
        proof.proof[0] = good;

        let other = Receipt::new(&Keypair::generate().public(), 3, leaf(3));
        let err = check_inclusion(&other, &proof).expect_err("another log");
        assert!(err.to_string().contains("another node's log"), "{err}");

        proof.entry.time_ms += 1;
        let err = check_inclusion(&receipt, &proof).expect_err("another entry");
        assert!(err.to_string().contains("time"), "{err}");
    }

    #[test]
    fn hashes_must_be_64_hex_digits() {
        assert!(parse_hash(&"ab".repeat(32), "h").is_ok());
        for bad in ["", "zz", &"ab".repeat(31), &"ab".repeat(33)] {
            assert!(parse_hash(bad, "h").is_err(), "{bad}");
        }
    }
}
