//! Verifying many objects at once.
//!
//! Every object first passes the same cheap checks as the single path
//! (canonical key, not weak, canonical S, R not of small order); only then
//! are the survivors verified together with ed25519-dalek's batch equation,
//! in chunks. When a chunk fails, its objects are verified one by one so each
//! gets its own verdict: one bad object never costs good ones their place.
//! See `docs/PROTOCOL.md` §Signatures for how the batch and the single
//! equations relate.

use crate::error::ObjectError;
use crate::object::{SignedObject, UnverifiedObject};
use crate::signature::{self, Prepared};

/// Objects verified together by one batch equation. Larger chunks amortise
/// more but cost more to redo one by one when a chunk holds a bad signature.
pub const BATCH_CHUNK: usize = 64;

/// Decodes every encoding (all the checks of [`SignedObject::decode`]) with
/// the signatures verified in batches: one result per input, in order.
pub fn decode_batch<'a>(
    encodings: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Result<SignedObject, ObjectError>> {
    let mut out: Vec<Option<Result<SignedObject, ObjectError>>> = Vec::new();
    let mut parsed = Vec::new();
    let mut positions = Vec::new();
    for bytes in encodings {
        match UnverifiedObject::parse(bytes) {
            Ok(object) => {
                positions.push(out.len());
                out.push(None);
                parsed.push(object);
            }
            Err(e) => out.push(Some(Err(e))),
        }
    }
    for (position, verdict) in positions.into_iter().zip(verify_batch(parsed)) {
        out[position] = Some(verdict);
    }
    out.into_iter()
        .map(|v| v.expect("verify_batch gives one verdict per input"))
        .collect()
}

/// Verifies every object, returning one result per input in input order.
pub fn verify_batch(objects: Vec<UnverifiedObject>) -> Vec<Result<SignedObject, ObjectError>> {
    let mut results: Vec<Option<Result<SignedObject, ObjectError>>> =
        Vec::with_capacity(objects.len());
    let mut pending: Vec<(usize, UnverifiedObject, Prepared, Vec<u8>)> =
        Vec::with_capacity(objects.len());
    for (index, object) in objects.into_iter().enumerate() {
        match signature::prepare(&object.author(), object.signature()) {
            Ok(prepared) => {
                let message = object.signed_message();
                pending.push((index, object, prepared, message));
                results.push(None);
            }
            Err(e) => results.push(Some(Err(e))),
        }
    }
    let mut pending = pending.into_iter();
    loop {
        let chunk: Vec<_> = pending.by_ref().take(BATCH_CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let messages: Vec<&[u8]> = chunk.iter().map(|(_, _, _, m)| m.as_slice()).collect();
        let signatures: Vec<_> = chunk.iter().map(|(_, _, p, _)| p.signature).collect();
        let keys: Vec<_> = chunk.iter().map(|(_, _, p, _)| p.key).collect();
        let all_good = ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
        for (index, object, prepared, message) in chunk {
            let verdict = if all_good {
                Ok(object.into_verified())
            } else {
                signature::verify_one(&prepared, &message).map(|()| object.into_verified())
            };
            results[index] = Some(verdict);
        }
    }
    results
        .into_iter()
        .map(|r| r.expect("every index receives a verdict"))
        .collect()
}
