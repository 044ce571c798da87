//! Objects from peers, through the node's one ingest path
//! (`crate::service::ingest`: decoded, verified in batches off the async
//! threads, offered to the store — the same checks as the HTTP API),
//! summarised for the peer protocol, which decides what a peer's invalid
//! objects cost it.

use baraza_protocol::ObjectId;

use crate::service::ingest::{self, Admission, Refusal, Verdict};
use crate::store::SharedStore;

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
    match ingest::ingest(store, encodings).await {
        Ok(admissions) => Applied::from_admissions(admissions),
        Err(e) => {
            tracing::error!(error = %e, "verification task failed");
            Applied::default()
        }
    }
}

impl Applied {
    /// The summary of a batch's admissions.
    fn from_admissions(admissions: Vec<Admission>) -> Applied {
        let mut applied = Applied::default();
        let mut batch_failed = false;
        for Admission { id, verdict } in admissions {
            match verdict {
                Verdict::Stored { .. } => applied.stored.push(id),
                Verdict::Known => applied.known += 1,
                Verdict::Pending { missing } => {
                    applied.pending += 1;
                    applied.missing.extend(missing);
                }
                // Valid, and stored when its time comes.
                Verdict::Held { .. } => applied.pending += 1,
                Verdict::Invalid { code, message } => {
                    applied.invalid.push(Invalid { id, code, message })
                }
                Verdict::Refused { error } => {
                    match error {
                        Refusal::Batch(e) if !batch_failed => {
                            tracing::warn!(error = %e, "store refused a batch of peer objects");
                            batch_failed = true;
                        }
                        Refusal::Item(e) => {
                            tracing::warn!(id = %id, error = %e, "store refused a peer object");
                        }
                        _ => {}
                    }
                    applied.failed += 1;
                }
            }
        }
        applied
    }
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
