//! What each fuzz target asserts about one input. Shared with the
//! workspace's corpus replay test (`tests/tests/fuzz_corpus.rs`), which
//! includes this file by path: keep it to `baraza_protocol` and `sha2`.

use baraza_protocol::audit::{audit, read_bundle, AuditOptions};
use baraza_protocol::sync::wire::{SyncRequest, SyncResponse};
use baraza_protocol::{decode_batch, split_sequence, SignedObject, UnverifiedObject};
use sha2::{Digest, Sha256};

/// Most items of one bulk body the HTTP check splits (the node's default
/// is 100,000; a fuzz input is far smaller).
const MAX_ITEMS: usize = 4096;

/// One object: decoding (strict parse + signature) accepts exactly the
/// bytes it re-encodes to, the id is their SHA-256, and the batch path
/// reaches the same verdict (same error code) as the single one.
pub fn object(data: &[u8]) {
    let single = SignedObject::decode(data);
    if let Ok(object) = &single {
        assert_eq!(
            object.bytes(),
            data,
            "accepted bytes must re-encode to themselves"
        );
        assert_eq!(
            object.id().as_bytes()[..],
            Sha256::digest(data)[..],
            "the id is the SHA-256 of the bytes"
        );
        let again = SignedObject::decode(object.bytes()).expect("its own bytes decode");
        assert_eq!(again.id(), object.id());
    }
    if let Ok(parsed) = UnverifiedObject::parse(data) {
        assert_eq!(parsed.id().as_bytes()[..], Sha256::digest(data)[..]);
    } else {
        assert!(single.is_err(), "what does not parse cannot decode");
    }
    let batch = decode_batch([data]);
    assert_eq!(batch.len(), 1);
    match (&single, &batch[0]) {
        (Ok(a), Ok(b)) => assert_eq!(a.id(), b.id()),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{a} / {b}"),
        (a, b) => panic!("single and batch verdicts differ: {a:?} / {b:?}"),
    }
    if let Err(e) = &single {
        assert!(!e.code().is_empty() && !e.to_string().is_empty());
    }
}

/// An audit bundle: what reads holds its target, is no larger than the
/// input, and audits the same way twice (the evaluator is deterministic).
pub fn bundle(data: &[u8]) {
    let Ok((target, objects)) = read_bundle(data) else {
        return;
    };
    assert!(objects.contains(&target), "the target is in its bundle");
    let total: usize = objects.iter().map(|o| o.bytes().len()).sum();
    assert!(total <= data.len(), "objects cannot outweigh the bundle");
    let options = AuditOptions { as_of: None };
    let first = audit(&objects, &target, &options);
    let second = audit(&objects, &target, &options);
    assert_eq!(first, second, "the audit is deterministic");
}

/// A sync frame (either direction): whatever decodes re-encodes to a frame
/// that decodes to the same value, and re-encoding is then stable.
pub fn sync_frame(data: &[u8]) {
    if let Ok(request) = SyncRequest::decode(data) {
        let encoded = request.encode();
        let again = SyncRequest::decode(&encoded).expect("a re-encoded request decodes");
        assert_eq!(again, request);
        assert_eq!(again.encode(), encoded);
    }
    if let Ok(response) = SyncResponse::decode(data) {
        let encoded = response.encode();
        let again = SyncResponse::decode(&encoded).expect("a re-encoded response decodes");
        assert_eq!(again, response);
        assert_eq!(again.encode(), encoded);
    }
}

/// A bulk submission body (`application/cbor-seq`), split and decoded the
/// way the node's API does: the items lie in order inside the body, do
/// not overlap, and each decodes exactly as it would on its own.
pub fn http_body(data: &[u8]) {
    let (ranges, error) = split_sequence(data, MAX_ITEMS);
    let mut end = 0;
    for range in &ranges {
        assert!(range.start >= end && range.start < range.end && range.end <= data.len());
        end = range.end;
    }
    if error.is_none() {
        assert_eq!(end, data.len(), "a clean split covers the whole body");
    }
    let items: Vec<&[u8]> = ranges.iter().map(|r| &data[r.clone()]).collect();
    let decoded = decode_batch(items.iter().copied());
    assert_eq!(decoded.len(), items.len());
    for (bytes, verdict) in items.iter().zip(&decoded) {
        match (verdict, SignedObject::decode(bytes)) {
            (Ok(a), Ok(b)) => assert_eq!(a.id(), b.id()),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
            (a, b) => panic!("batch and single verdicts differ: {a:?} / {b:?}"),
        }
    }
}
