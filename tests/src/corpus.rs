//! The hostile-input corpus: crafted inputs, each with the answer a node
//! must give. Fed through the HTTP API and through gossip by
//! `tests/hostile_input.rs`.
//!
//! It holds every invalid protocol vector (`protocol/tests/vectors/invalid`,
//! each with its error code), plus what those cannot carry: each of the
//! eight small-order points as the author key, objects truncated at
//! several lengths, a 10 MB body, 10,000-deep nesting, a dangling reference
//! and future-dated objects.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use baraza_protocol::limits::{MAX_CLOCK_SKEW_MS, MAX_OBJECT_BYTES};
use baraza_protocol::{Keypair, ObjectId, SignedObject};

use crate::{charter, comment, comment_by};

/// What a node must answer to a [`Case`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// 400, with this protocol error code.
    Invalid(String),
    /// 413: over the object size limit.
    TooLarge,
    /// 202 `pending`: valid, waiting for a reference that never comes.
    Pending,
    /// 202 `held`: valid, dated ahead of the node's clock; stored when its
    /// time comes.
    Held,
    /// 422 `too_far_ahead`: dated too far ahead to be held.
    TooFarAhead,
}

/// One crafted input.
#[derive(Debug, Clone)]
pub struct Case {
    /// What it is.
    pub name: String,
    /// The bytes sent.
    pub bytes: Vec<u8>,
    /// The answer expected.
    pub expect: Expect,
}

/// The canonical encodings of the eight points of small order on
/// edwards25519 (the torsion subgroup): the identity, the point of order
/// 2, two of order 4 and four of order 8.
pub const SMALL_ORDER_POINTS: [[u8; 32]; 8] = [
    point("0100000000000000000000000000000000000000000000000000000000000000"),
    point("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    point("0000000000000000000000000000000000000000000000000000000000000000"),
    point("0000000000000000000000000000000000000000000000000000000000000080"),
    point("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    point("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
    point("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    point("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
];

const fn point(hex: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not lower-case hex"),
        }
    }
    let hex = hex.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]);
        i += 1;
    }
    out
}

/// Every case. Reads the protocol's invalid vectors from the source tree.
pub fn hostile_corpus() -> Vec<Case> {
    let mut cases = protocol_vectors();
    let c = charter();
    let valid = comment(c.id(), 1);

    // Each small-order point in place of the author key.
    let author = valid.author();
    let key = author.as_bytes();
    let at = find(valid.bytes(), key).expect("the kid is in the object");
    for (n, p) in SMALL_ORDER_POINTS.iter().enumerate() {
        let mut bytes = valid.bytes().to_vec();
        bytes[at..at + 32].copy_from_slice(p);
        cases.push(Case {
            name: format!("small-order point {n} as the author key"),
            bytes,
            expect: Expect::Invalid("weak_key".into()),
        });
    }

    let len = valid.bytes().len();
    for cut in [1, 2, 3, 40, len / 2, len - 65, len - 1] {
        cases.push(Case {
            name: format!("truncated to {cut} of {len} bytes"),
            bytes: valid.bytes()[..cut].to_vec(),
            expect: Expect::Invalid("truncated".into()),
        });
    }

    cases.push(Case {
        name: "a 10 MB body".into(),
        bytes: [&valid.bytes()[..2], &vec![0x41; 10 * 1024 * 1024][..]].concat(),
        expect: Expect::TooLarge,
    });
    cases.push(Case {
        name: "one byte over the object size limit".into(),
        bytes: vec![0xd2; MAX_OBJECT_BYTES + 1],
        expect: Expect::TooLarge,
    });
    cases.push(Case {
        name: "a payload nested 10,000 arrays deep".into(),
        bytes: deep_object(&valid, 10_000),
        expect: Expect::Invalid("too_deep".into()),
    });

    // Valid objects that cannot be stored now.
    let stranger = Keypair::from_seed(&[9; 32]);
    cases.push(Case {
        name: "a comment on a charter nobody has (dangling reference)".into(),
        bytes: sign_comment(ObjectId([7; 32]), crate::T0 + 1, &stranger),
        expect: Expect::Pending,
    });
    let now = now_ms();
    cases.push(Case {
        name: "a comment dated a day ahead of the node's clock".into(),
        bytes: sign_comment(c.id(), now + 86_400_000, &stranger),
        expect: Expect::Held,
    });
    cases.push(Case {
        name: "a comment dated 30 days ahead".into(),
        bytes: sign_comment(c.id(), now + 30 * 86_400_000, &stranger),
        expect: Expect::TooFarAhead,
    });
    const { assert!(86_400_000 > MAX_CLOCK_SKEW_MS) };
    cases
}

/// The invalid vectors of `protocol/tests/vectors/invalid`, each `.cbor`
/// with the `error` of its `.json`.
fn protocol_vectors() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../protocol/tests/vectors/invalid");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cbor"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|path| {
            let meta: serde_json::Value = serde_json::from_slice(
                &std::fs::read(path.with_extension("json")).expect("vector json"),
            )
            .expect("vector json parses");
            Case {
                name: format!(
                    "vector {}",
                    path.file_stem().expect("stem").to_string_lossy()
                ),
                bytes: std::fs::read(&path).expect("vector bytes"),
                expect: Expect::Invalid(meta["error"].as_str().expect("error code").to_owned()),
            }
        })
        .collect()
}

/// `valid`'s envelope with its payload replaced by `depth` nested
/// one-element arrays (the signature no longer matters: nesting is
/// refused while decoding, before any signature check).
fn deep_object(valid: &SignedObject, depth: usize) -> Vec<u8> {
    let bytes = valid.bytes();
    // d2 84, then the protected header bstr (58 len …), then a0.
    let protected_len = usize::from(bytes[3]);
    let head = &bytes[..4 + protected_len + 1];
    let mut payload = vec![0x81; depth];
    payload.push(0x00);
    let mut out = head.to_vec();
    out.push(0x59);
    out.extend_from_slice(&u16::try_from(payload.len()).expect("fits").to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&[0x58, 0x40]);
    out.extend_from_slice(&[0u8; 64]);
    out
}

fn sign_comment(charter: ObjectId, created_at: u64, key: &Keypair) -> Vec<u8> {
    let text = "A hostile test's valid comment.".to_owned();
    comment_by(charter, created_at, key, text).bytes().to_vec()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
