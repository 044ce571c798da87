//! Throughput of signature verification, raw and through the protocol.
//!
//! Everything a node does with an incoming object is measured against the
//! one thing it cannot avoid, Ed25519 `verify_strict`, in the same run:
//!
//! - `raw_verify_strict`: ed25519-dalek alone, key already decompressed,
//!   over the object's exact `Sig_structure` bytes.
//! - `decode_verify_single`: [`SignedObject::decode`], one object at a time.
//! - `decode_verify_batch/N`: [`UnverifiedObject::parse`] of N distinct
//!   objects, then one [`verify_batch`] call.
//! - `parse_only` and `sign`, and under `verify/parts` the key
//!   decompression and id hash that the single path adds to the raw one,
//!   for context.
//!
//! Every group reports objects per second. `BENCHMARKS.md` at the repository
//! root records a run and the targets these numbers are held to.

use std::hint::black_box;
use std::time::Duration;

use baraza_protocol::kinds::Comment;
use baraza_protocol::{verify_batch, Body, Keypair, ObjectId, SignedObject, UnverifiedObject};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use ed25519_dalek::{Signature, VerifyingKey};

/// Distinct authors among the batch objects, as on a busy consultation.
const AUTHORS: usize = 16;
/// Batch sizes measured: one protocol chunk, and a large sync response.
const BATCH_SIZES: [usize; 2] = [64, 1024];
/// 2024-03-01T00:00:00Z, in ms.
const BASE_TIME_MS: u64 = 1_709_251_200_000;

/// Sentences that comment texts are assembled from (~400 bytes each text).
const SENTENCES: [&str; 8] = [
    "The draft target on rural connectivity should name a measurable baseline year.",
    "Community networks need licence exemptions for spectrum below 6 GHz.",
    "We support the indicator on affordability but ask that it use 1 GB of mobile data.",
    "Please add county-level disaggregation so that progress outside Nairobi is visible.",
    "Public access points in libraries and schools deserve their own target.",
    "Data protection obligations must apply equally to public and private operators.",
    "The timeline for the universal service fund review is too short for consultation.",
    "Women's participation in ICT careers should be reported every year, not every five.",
];

/// A deterministic key for author number `n`.
fn author(n: usize) -> Keypair {
    let mut seed = [0u8; 32];
    seed[0] = 0xba;
    seed[1] = n as u8;
    Keypair::from_seed(&seed)
}

/// Comment number `n`: about 400 bytes of text, a reply or a draft anchor on some.
fn comment(n: usize) -> Body {
    let text: String = (0..5)
        .map(|i| SENTENCES[(n + i * 3) % SENTENCES.len()])
        .collect::<Vec<_>>()
        .join(" ");
    let text = format!("{text} (ref {n})");
    let has_draft = n % 3 == 0;
    Body::Comment(Comment {
        created_at: BASE_TIME_MS + n as u64 * 60_000,
        charter: ObjectId([0x11; 32]),
        section: ["connectivity", "affordability", "data-protection", "skills"][n % 4].into(),
        draft: has_draft.then_some(ObjectId([0x22; 32])),
        anchor: has_draft.then(|| format!("p-{}", n % 17)),
        in_reply_to: (n % 5 == 1).then_some(ObjectId([(n % 256) as u8; 32])),
        language: ["en", "sw", "fr"][n % 3].into(),
        text,
    })
}

fn signed_comment(n: usize) -> SignedObject {
    SignedObject::sign(comment(n), &author(n % AUTHORS)).expect("bench comments are valid")
}

/// Reads one CBOR head at `at`: (major type, argument, head length).
fn cbor_head(bytes: &[u8], at: usize) -> (u8, usize, usize) {
    let major = bytes[at] >> 5;
    let info = bytes[at] & 0x1f;
    match info {
        0..=23 => (major, info as usize, 1),
        24 => (major, bytes[at + 1] as usize, 2),
        25 => (
            major,
            u16::from_be_bytes([bytes[at + 1], bytes[at + 2]]) as usize,
            3,
        ),
        _ => panic!("bench objects have no items of 64 KiB or more"),
    }
}

/// Reads the byte string at `at`: (contents, position after it).
fn cbor_bytes(bytes: &[u8], at: usize) -> (&[u8], usize) {
    let (major, len, head) = cbor_head(bytes, at);
    assert_eq!(major, 2, "expected a byte string at {at}");
    let start = at + head;
    (&bytes[start..start + len], start + len)
}

fn cbor_write_head(out: &mut Vec<u8>, major: u8, len: usize) {
    match len {
        0..=23 => out.push(major << 5 | len as u8),
        24..=0xff => out.extend([major << 5 | 24, len as u8]),
        _ => {
            out.push(major << 5 | 25);
            out.extend((len as u16).to_be_bytes());
        }
    }
}

/// The object's author key, signature and the exact message it signs (the
/// COSE `Sig_structure`), rebuilt here independently of the crate.
fn raw_parts(object: &SignedObject) -> (VerifyingKey, Signature, Vec<u8>) {
    let bytes = object.bytes();
    assert_eq!(&bytes[..2], &[0xd2, 0x84], "tag 18, array of 4");
    let (protected, at) = cbor_bytes(bytes, 2);
    assert_eq!(bytes[at], 0xa0, "empty unprotected header");
    let (payload, at) = cbor_bytes(bytes, at + 1);
    let (signature, _) = cbor_bytes(bytes, at);
    let mut message = vec![0x84];
    cbor_write_head(&mut message, 3, "Signature1".len());
    message.extend(b"Signature1");
    for part in [protected, &[], payload] {
        cbor_write_head(&mut message, 2, part.len());
        message.extend(part);
    }
    let key = VerifyingKey::from_bytes(object.author().as_bytes()).expect("a valid author key");
    let signature = Signature::from_slice(signature).expect("a 64-byte signature");
    key.verify_strict(&message, &signature)
        .expect("the rebuilt Sig_structure is what the object signs");
    (key, signature, message)
}

fn benches(c: &mut Criterion) {
    let object = signed_comment(0);
    let bytes = object.bytes().to_vec();
    let (key, signature, message) = raw_parts(&object);
    println!(
        "single object: {} bytes encoded, {} bytes signed, {} bytes of text",
        bytes.len(),
        message.len(),
        match object.body() {
            Body::Comment(c) => c.text.len(),
            _ => unreachable!("the bench object is a comment"),
        }
    );

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_verify_strict", |b| {
        b.iter(|| black_box(&key).verify_strict(black_box(&message), black_box(&signature)))
    });
    group.bench_function("decode_verify_single", |b| {
        b.iter(|| SignedObject::decode(black_box(&bytes)).expect("a valid object"))
    });
    group.bench_function("parse_only", |b| {
        b.iter(|| UnverifiedObject::parse(black_box(&bytes)).expect("a valid object"))
    });
    let signer = author(0);
    group.bench_function("sign", |b| {
        b.iter_batched(
            || comment(0),
            |body| SignedObject::sign(body, &signer).expect("a valid body"),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // Pieces of the single path that the raw benchmark does not pay for.
    let mut group = c.benchmark_group("verify/parts");
    group.throughput(Throughput::Elements(1));
    let author_bytes = *object.author().as_bytes();
    group.bench_function("key_decompress", |b| {
        b.iter(|| VerifyingKey::from_bytes(black_box(&author_bytes)).expect("a valid key"))
    });
    group.bench_function("object_id_sha256", |b| {
        b.iter(|| ObjectId::of_bytes(black_box(&bytes)))
    });
    group.finish();

    let largest = BATCH_SIZES.iter().copied().max().unwrap_or(0);
    let all: Vec<Vec<u8>> = (0..largest)
        .map(|n| signed_comment(n).bytes().to_vec())
        .collect();
    let mut group = c.benchmark_group("verify/decode_verify_batch");
    group.sampling_mode(SamplingMode::Flat);
    for n in BATCH_SIZES {
        let inputs = &all[..n];
        let checked = verify_batch(parse_all(inputs));
        assert!(
            checked.iter().all(Result::is_ok),
            "every bench object verifies"
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(n.to_string(), |b| {
            b.iter(|| verify_batch(parse_all(black_box(inputs))))
        });
    }
    group.finish();
}

fn parse_all(inputs: &[Vec<u8>]) -> Vec<UnverifiedObject> {
    inputs
        .iter()
        .map(|bytes| UnverifiedObject::parse(bytes).expect("a valid object"))
        .collect()
}

/// Short enough that the whole run stays under three minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(40)
}

criterion_group! {
    name = verify;
    config = config();
    targets = benches
}
criterion_main!(verify);
