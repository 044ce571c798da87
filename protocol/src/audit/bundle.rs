//! Audit bundles: a self-contained file holding a target and every object
//! its audit report depends on, so that anyone can audit it offline.
//!
//! Format: an RFC 8742 CBOR sequence — signed objects, then log proofs —
//! their encodings concatenated, nothing between or around them. The first
//! object is the target; the other objects follow sorted by
//! (`created_at`, id), each once. Then come zero or more log proofs
//! ([`LogProof`], a CBOR map where an object is a tagged array), sorted
//! by (origin, size), each checkpoint once, whose entries name objects of
//! the bundle. Readers delimit items by walking CBOR heads (no length
//! prefixes), reject anything beyond [`MAX_BUNDLE_BYTES`],
//! [`MAX_BUNDLE_OBJECTS`] or [`MAX_BUNDLE_PROOFS`], decode every object
//! strictly and verify every signature (in batches), and verify every
//! proof (log signature, cosignatures, inclusion). The order is checked
//! too, so one set of objects and proofs has one bundle.
//!
//! A bundle that lacks a dependency is still readable: its report says
//! `complete: false` and the verdict is `incomplete`, never a pass.

use super::gather::gather;
use super::source::{AuditSource, ObjectSet};
use crate::cbor::sequence::{self, SequenceError};
use crate::cbor::CborError;
use crate::error::ObjectError;
use crate::ids::ObjectId;
use crate::limits::{MAX_BUNDLE_BYTES, MAX_BUNDLE_OBJECTS, MAX_BUNDLE_PROOFS};
use crate::object::{SignedObject, UnverifiedObject};
use crate::tlog::{LogError, LogProof};
use crate::verify_batch;

/// Objects handed to [`verify_batch`] per call: whole batch chunks, and a
/// bounded amount of parsed-but-unverified state at a time.
const VERIFY_SLICE: usize = 16 * crate::BATCH_CHUNK;

/// Why a bundle cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The source does not have the target.
    #[error("the target {0} is not available, so there is nothing to bundle")]
    TargetMissing(ObjectId),
    /// Over [`MAX_BUNDLE_BYTES`].
    #[error("bundle is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Over [`MAX_BUNDLE_OBJECTS`].
    #[error("bundle holds more than {limit} objects")]
    TooManyObjects {
        /// The limit.
        limit: usize,
    },
    /// No objects at all.
    #[error("bundle is empty; it must start with the target object")]
    Empty,
    /// Item `index` cannot even be delimited.
    #[error("object {index} of the bundle is not well-formed CBOR: {source}")]
    Malformed {
        /// 0-based position in the bundle.
        index: usize,
        /// What is wrong (offsets are within the whole bundle).
        source: CborError,
    },
    /// Item `index` is not a valid signed object.
    #[error("object {index} of the bundle is invalid: {source}")]
    InvalidObject {
        /// 0-based position in the bundle.
        index: usize,
        /// Why.
        source: ObjectError,
    },
    /// Item `index` repeats an earlier object.
    #[error("object {index} of the bundle repeats object {id}")]
    Duplicate {
        /// 0-based position in the bundle.
        index: usize,
        /// The repeated id.
        id: ObjectId,
    },
    /// Item `index` is not after the previous one in (created_at, id) order.
    #[error("object {index} of the bundle is out of (created_at, id) order")]
    OutOfOrder {
        /// 0-based position in the bundle.
        index: usize,
    },
    /// Item `index` is a log proof that does not verify or is misplaced.
    #[error("item {index} of the bundle is not a valid log proof: {source}")]
    InvalidProof {
        /// 0-based position in the bundle.
        index: usize,
        /// Why.
        source: LogError,
    },
    /// Item `index` is a signed object after the first log proof.
    #[error("item {index} of the bundle is an object after the log proofs; objects come first")]
    ObjectAfterProof {
        /// 0-based position in the bundle.
        index: usize,
    },
    /// Over [`MAX_BUNDLE_PROOFS`].
    #[error("bundle holds more than {limit} log proofs")]
    TooManyProofs {
        /// The limit.
        limit: usize,
    },
}

/// Builds the bundle of `target`: the target, then every object its audit
/// report depends on, sorted by (created_at, id), then the source's log
/// proofs of those objects.
///
/// Objects the source lacks are simply absent: auditing the bundle then
/// reports them as missing.
pub fn build_bundle<S: AuditSource + ?Sized>(
    source: &S,
    target: &ObjectId,
) -> Result<Vec<u8>, BundleError> {
    let gathered = gather(source, target);
    let first = gathered
        .objects
        .get(target)
        .ok_or(BundleError::TargetMissing(*target))?;
    if gathered.objects.len() > MAX_BUNDLE_OBJECTS {
        return Err(BundleError::TooManyObjects {
            limit: MAX_BUNDLE_OBJECTS,
        });
    }
    let mut rest: Vec<&SignedObject> = gathered
        .objects
        .values()
        .filter(|o| o.id() != *target)
        .collect();
    rest.sort_unstable_by_key(|o| (o.created_at(), o.id()));
    let ids = gathered.objects.keys().copied().collect();
    let mut proofs = source.log_proofs(&ids);
    proofs.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    proofs.dedup_by(|a, b| a.sort_key() == b.sort_key());
    proofs.truncate(MAX_BUNDLE_PROOFS);
    let proofs: Vec<Vec<u8>> = proofs.iter().map(LogProof::encode).collect();
    let size: usize = gathered
        .objects
        .values()
        .map(|o| o.bytes().len())
        .sum::<usize>()
        + proofs.iter().map(Vec::len).sum::<usize>();
    if size > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge {
            size,
            limit: MAX_BUNDLE_BYTES,
        });
    }
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(first.bytes());
    for object in rest {
        out.extend_from_slice(object.bytes());
    }
    for proof in &proofs {
        out.extend_from_slice(proof);
    }
    Ok(out)
}

/// Whether a sequence item is a log proof (a CBOR map) rather than a
/// signed object (a tagged COSE_Sign1 array).
fn is_proof(item: &[u8]) -> bool {
    item.first().is_some_and(|b| b >> 5 == 5)
}

/// Reads a bundle: splits it, decodes and verifies every object, checks the
/// order. Returns the target's id and the objects (target included).
pub fn read_bundle(bytes: &[u8]) -> Result<(ObjectId, ObjectSet), BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge {
            size: bytes.len(),
            limit: MAX_BUNDLE_BYTES,
        });
    }
    let items = sequence::split(bytes, MAX_BUNDLE_OBJECTS).map_err(|e| match e {
        SequenceError::TooManyItems { limit } => BundleError::TooManyObjects { limit },
        SequenceError::Item { index, source } => BundleError::Malformed { index, source },
    })?;
    if items.is_empty() {
        return Err(BundleError::Empty);
    }
    let first_proof = items
        .iter()
        .position(|r| is_proof(&bytes[r.clone()]))
        .unwrap_or(items.len());
    if first_proof == 0 {
        return Err(BundleError::Empty);
    }
    if let Some(index) = items[first_proof..]
        .iter()
        .position(|r| !is_proof(&bytes[r.clone()]))
    {
        return Err(BundleError::ObjectAfterProof {
            index: first_proof + index,
        });
    }
    if items.len() - first_proof > MAX_BUNDLE_PROOFS {
        return Err(BundleError::TooManyProofs {
            limit: MAX_BUNDLE_PROOFS,
        });
    }
    let (items, proof_items) = items.split_at(first_proof);
    // Parse up to the first malformed object; an earlier bad signature
    // still wins, so the error always names the first invalid object.
    let mut parsed = Vec::with_capacity(items.len());
    let mut parse_error = None;
    for (index, range) in items.iter().cloned().enumerate() {
        match UnverifiedObject::parse(&bytes[range]) {
            Ok(object) => parsed.push(object),
            Err(source) => {
                parse_error = Some(BundleError::InvalidObject { index, source });
                break;
            }
        }
    }
    let mut objects = Vec::with_capacity(parsed.len());
    let mut parsed = parsed.into_iter().peekable();
    while parsed.peek().is_some() {
        let slice: Vec<UnverifiedObject> = parsed.by_ref().take(VERIFY_SLICE).collect();
        for verdict in verify_batch(slice) {
            let index = objects.len();
            objects.push(verdict.map_err(|source| BundleError::InvalidObject { index, source })?);
        }
    }
    if let Some(error) = parse_error {
        return Err(error);
    }
    let target = objects[0].id();
    let mut previous: Option<(u64, ObjectId)> = None;
    for (index, object) in objects.iter().enumerate().skip(1) {
        let key = (object.created_at(), object.id());
        if key.1 == target || previous.is_some_and(|p| p.1 == key.1) {
            return Err(BundleError::Duplicate { index, id: key.1 });
        }
        if previous.is_some_and(|p| p >= key) {
            return Err(BundleError::OutOfOrder { index });
        }
        previous = Some(key);
    }
    let mut set: ObjectSet = objects.into_iter().collect();
    let mut previous: Option<(String, u64)> = None;
    for (offset, range) in proof_items.iter().cloned().enumerate() {
        let index = first_proof + offset;
        let invalid = |source| BundleError::InvalidProof { index, source };
        let proof = LogProof::decode(&bytes[range]).map_err(invalid)?;
        let (origin, size) = proof.sort_key();
        if previous
            .as_ref()
            .is_some_and(|(o, s)| (o.as_str(), *s) >= (origin, size))
        {
            return Err(invalid(LogError::MalformedProof(
                "log proofs must be in increasing (origin, size) order, each checkpoint once"
                    .into(),
            )));
        }
        previous = Some((origin.to_owned(), size));
        if let Some(stray) = proof.entries().iter().find(|e| !set.contains(&e.id)) {
            return Err(invalid(LogError::MalformedProof(format!(
                "entry {} proves object {}, which is not in the bundle",
                stray.index, stray.id
            ))));
        }
        set.insert_proof(proof);
    }
    Ok((target, set))
}
