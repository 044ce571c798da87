//! Objects from peers: decoded, verified (in batches, off the async
//! threads) and offered to the store — the same checks as the HTTP API.

use baraza_protocol::{decode_batch, ObjectId, SignedObject};
use sha2::{Digest, Sha256};

use crate::store::{PutOutcome, SharedStore};

/// What offering a batch of peer objects came to.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Newly stored.
    pub(crate) stored: Vec<ObjectId>,
    /// Already held.
    pub(crate) known: u64,
    /// Kept pending: waiting for missing references, or future-dated and
    /// held until their time.
    pub(crate) pending: u64,
    /// References the pending objects wait for.
    pub(crate) missing: Vec<ObjectId>,
    /// Ids (SHA-256 of the bytes) of invalid objects, with why.
    pub(crate) invalid: Vec<Invalid>,
    /// Valid objects the store could not take (full pending set, IO error).
    pub(crate) failed: u64,
}

/// Decodes and verifies every encoding, then stores the valid objects.
pub(crate) async fn apply(store: &SharedStore, encodings: Vec<Vec<u8>>) -> Applied {
    let mut applied = Applied::default();
    let checked = tokio::task::spawn_blocking(move || check(encodings)).await;
    let (valid, invalid) = match checked {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "verification task failed");
            return applied;
        }
    };
    applied.invalid = invalid;
    if valid.is_empty() {
        return applied;
    }
    match store.put(&valid).await {
        Ok(outcomes) => {
            for (object, outcome) in valid.iter().zip(outcomes) {
                match outcome {
                    Ok(PutOutcome::Stored { .. }) => applied.stored.push(object.id()),
                    Ok(PutOutcome::Known) => applied.known += 1,
                    Ok(PutOutcome::Pending { missing }) => {
                        applied.pending += 1;
                        applied.missing.extend(missing);
                    }
                    // Valid, and stored when its time comes.
                    Ok(PutOutcome::Held { .. }) => applied.pending += 1,
                    Err(e) => {
                        tracing::warn!(id = %object.id(), error = %e, "store refused a peer object");
                        applied.failed += 1;
                    }
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "store refused a batch of peer objects");
            applied.failed += valid.len() as u64;
        }
    }
    applied
}

/// An object refused as invalid.
#[derive(Debug)]
pub(crate) struct Invalid {
    /// SHA-256 of its bytes.
    pub(crate) id: ObjectId,
    /// The stable error code (PROTOCOL.md §7).
    pub(crate) code: &'static str,
    /// The error, for a log line.
    pub(crate) message: String,
}

impl Invalid {
    fn new(id: ObjectId, error: &baraza_protocol::ObjectError) -> Invalid {
        Invalid {
            id,
            code: error.code(),
            message: error.to_string(),
        }
    }
}

type Checked = (Vec<SignedObject>, Vec<Invalid>);

fn check(encodings: Vec<Vec<u8>>) -> Checked {
    let mut valid = Vec::with_capacity(encodings.len());
    let mut invalid = Vec::new();
    let verdicts = decode_batch(encodings.iter().map(Vec::as_slice));
    for (bytes, verdict) in encodings.iter().zip(verdicts) {
        match verdict {
            Ok(object) => valid.push(object),
            // An object's id is the hash of its encoding, valid or not.
            Err(e) => invalid.push(Invalid::new(content_id(bytes), &e)),
        }
    }
    (valid, invalid)
}

/// The id an encoding would have: SHA-256 of its bytes.
pub(crate) fn content_id(bytes: &[u8]) -> ObjectId {
    ObjectId(Sha256::digest(bytes).into())
}
