//! The one way objects come in: decode and verify a batch of encodings (in
//! one batch signature check, on a blocking thread), offer the valid ones
//! to the store, and say what became of each — for `POST /v1/objects` and
//! for objects from peers alike.

use baraza_protocol::{decode_batch, ObjectError, ObjectId, SignedObject};

use super::{blocking, ServiceError};
use crate::store::{LogEntry, ObjectStore, PutOutcome, StoreError};

/// What became of one encoding.
#[derive(Debug, Clone)]
pub struct Admission {
    /// The object's id; for an invalid encoding, the SHA-256 of its bytes
    /// (the id it would have).
    pub id: ObjectId,
    /// The verdict.
    pub verdict: Verdict,
}

/// What the store (or the decoder) made of one encoding.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Verdict {
    /// Newly stored, at this position of the event log.
    Stored {
        /// Position in this node's event log.
        seq: u64,
        /// Its entry in this node's transparency log.
        log: Option<LogEntry>,
    },
    /// Already stored before.
    Known,
    /// Valid, waiting for the referenced objects it lacks.
    Pending {
        /// The references not yet stored.
        missing: Vec<ObjectId>,
    },
    /// Valid, dated ahead of the node's clock: stored when its time comes.
    Held {
        /// When it is offered again (ms since the epoch).
        until: u64,
    },
    /// Not a valid signed object: the sender's fault.
    Invalid {
        /// The stable error code (PROTOCOL.md §7).
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Valid, but the store could not take it (or was not asked, after it
    /// failed on an earlier batch: [`Refusal::NotAttempted`]).
    Refused {
        /// Why.
        error: Refusal,
    },
}

/// Why a valid object was not stored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Refusal {
    /// The store refused this object (full pending set, too far ahead).
    Item(StoreError),
    /// The store failed on the whole batch (disk full, IO error): nothing
    /// of it was stored.
    Batch(StoreError),
    /// The store was not asked: it had failed on an earlier batch of the
    /// same submission.
    NotAttempted,
}

impl Verdict {
    /// The verdict for an invalid encoding.
    fn invalid(error: &ObjectError) -> Verdict {
        Verdict::Invalid {
            code: error.code(),
            message: error.to_string(),
        }
    }

    /// The verdict for one store outcome.
    fn of(outcome: Result<PutOutcome, StoreError>) -> Verdict {
        match outcome {
            Ok(PutOutcome::Stored { seq, log }) => Verdict::Stored { seq, log },
            Ok(PutOutcome::Known) => Verdict::Known,
            Ok(PutOutcome::Pending { missing }) => Verdict::Pending { missing },
            Ok(PutOutcome::Held { until }) => Verdict::Held { until },
            Err(error) => Verdict::Refused {
                error: Refusal::Item(error),
            },
        }
    }
}

/// Decodes and verifies every encoding on a blocking thread, offers the
/// valid objects to the store in one batch (answered once every write is
/// durable), and returns one [`Admission`] per encoding, in input order.
/// Fails only if the verification task itself failed (a bug).
pub(crate) async fn ingest<E>(
    store: &dyn ObjectStore,
    encodings: Vec<E>,
) -> Result<Vec<Admission>, ServiceError>
where
    E: AsRef<[u8]> + Send + 'static,
{
    let Decoded {
        mut admissions,
        slots,
        objects,
    } = decode(encodings).await?;
    if objects.is_empty() {
        return Ok(admissions);
    }
    match store.put(&objects).await {
        Ok(outcomes) => {
            for (slot, outcome) in slots.into_iter().zip(outcomes) {
                admissions[slot].verdict = Verdict::of(outcome);
            }
        }
        Err(error) => {
            for slot in slots {
                admissions[slot].verdict = Verdict::Refused {
                    error: Refusal::Batch(error.clone()),
                };
            }
        }
    }
    Ok(admissions)
}

/// Like [`ingest`], without asking the store: the valid objects come back
/// [`Refusal::NotAttempted`] (for a bulk submission whose store failed on
/// an earlier batch, which still reports its later invalid items).
pub(crate) async fn verify_only<E>(encodings: Vec<E>) -> Result<Vec<Admission>, ServiceError>
where
    E: AsRef<[u8]> + Send + 'static,
{
    let Decoded {
        mut admissions,
        slots,
        ..
    } = decode(encodings).await?;
    for slot in slots {
        admissions[slot].verdict = Verdict::Refused {
            error: Refusal::NotAttempted,
        };
    }
    Ok(admissions)
}

/// A decoded batch.
struct Decoded {
    /// One per encoding; the valid ones provisionally `Known`.
    admissions: Vec<Admission>,
    /// Where each valid object's admission is.
    slots: Vec<usize>,
    /// The valid objects.
    objects: Vec<SignedObject>,
}

/// Decodes and verifies `encodings`. One encoding (a single submission,
/// ~45-130 µs) is decoded where it is: a hop to a blocking thread cost
/// single submissions ~10 % of their rate (BENCHMARKS.md, "Architecture").
/// Batches go to a blocking thread and are verified together.
async fn decode<E>(encodings: Vec<E>) -> Result<Decoded, ServiceError>
where
    E: AsRef<[u8]> + Send + 'static,
{
    if encodings.len() == 1 {
        return Ok(decode_now(&encodings));
    }
    blocking(move || Ok(decode_now(&encodings))).await
}

/// Parses every encoding, verifies the signatures in batches, and sorts
/// the verdicts into admissions (blocking work).
fn decode_now<E: AsRef<[u8]>>(encodings: &[E]) -> Decoded {
    let verdicts = decode_batch(encodings.iter().map(AsRef::as_ref));
    let mut admissions = Vec::with_capacity(encodings.len());
    let mut slots = Vec::with_capacity(encodings.len());
    let mut objects = Vec::with_capacity(encodings.len());
    for (bytes, verdict) in encodings.iter().zip(verdicts) {
        match verdict {
            Ok(object) => {
                slots.push(admissions.len());
                admissions.push(Admission {
                    id: object.id(),
                    verdict: Verdict::Known,
                });
                objects.push(object);
            }
            // An object's id is the hash of its encoding, valid or not.
            Err(error) => admissions.push(Admission {
                id: ObjectId::of_bytes(bytes.as_ref()),
                verdict: Verdict::invalid(&error),
            }),
        }
    }
    Decoded {
        admissions,
        slots,
        objects,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use baraza_protocol::kinds::{Profile, StakeholderGroup};
    use baraza_protocol::{Body, Keypair};

    use super::*;
    use crate::store::{MemoryStore, SharedStore};

    fn profile(i: u64) -> SignedObject {
        let body = Profile {
            created_at: 1_706_745_600_000 + i,
            name: format!("Participant {i}"),
            group: StakeholderGroup::CivilSociety,
            organisation: None,
            country: None,
            languages: vec![],
        };
        SignedObject::sign(Body::Profile(body), &Keypair::from_seed(&[9; 32])).expect("valid")
    }

    #[tokio::test]
    async fn one_admission_per_encoding_in_input_order() {
        // The seam's in-memory engine: ingest knows only `ObjectStore`.
        let store: SharedStore = Arc::new(MemoryStore::new());
        let (a, b) = (profile(1), profile(2));
        let garbage = b"not cbor".to_vec();

        let first = ingest(&store, vec![a.bytes().to_vec(), garbage.clone()])
            .await
            .expect("task ran");
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].id, a.id());
        assert!(matches!(first[0].verdict, Verdict::Stored { seq: 1, .. }));
        assert_eq!(
            first[1].id,
            ObjectId::of_bytes(&garbage),
            "an invalid item's content id"
        );
        assert!(
            matches!(&first[1].verdict, Verdict::Invalid { code, .. } if !code.is_empty()),
            "{:?}",
            first[1].verdict
        );

        let second = ingest(&store, vec![b.bytes().to_vec(), a.bytes().to_vec()])
            .await
            .expect("task ran");
        assert_eq!(second[0].id, b.id());
        assert!(matches!(second[0].verdict, Verdict::Stored { seq: 2, .. }));
        assert!(matches!(second[1].verdict, Verdict::Known));
        assert!(store.contains(&b.id()).expect("readable"));
    }

    #[tokio::test]
    async fn verify_only_stores_nothing() {
        let a = profile(3);
        let out = verify_only(vec![a.bytes().to_vec(), vec![0xff]])
            .await
            .expect("task ran");
        assert_eq!(out[0].id, a.id());
        assert!(matches!(
            out[0].verdict,
            Verdict::Refused {
                error: Refusal::NotAttempted
            }
        ));
        assert!(matches!(out[1].verdict, Verdict::Invalid { .. }));
    }
}
