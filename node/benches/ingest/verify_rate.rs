//! The yardstick, measured in the same run as the ingest numbers: how many
//! Ed25519 `verify_strict` calls per second one core does right now, and
//! the protocol's single and batch verification of the same comments the
//! node is sent. (`protocol/benches/verify.rs` measures these carefully
//! with criterion; this is a quick loop, to compare under the same load.)

use std::hint::black_box;
use std::time::Instant;

use baraza_protocol::{verify_batch, SignedObject, UnverifiedObject};
use ed25519_dalek::{Signer, SigningKey};

use crate::fixtures::{self, TextSize};

/// Verifications per second on one thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VerifyRates {
    /// ed25519-dalek `verify_strict`, key already decompressed.
    pub(crate) raw: f64,
    /// `SignedObject::decode`: parse, checks, key decompression, verify.
    pub(crate) decode_single: f64,
    /// `UnverifiedObject::parse` of each, then one `verify_batch`.
    pub(crate) decode_batch: f64,
}

/// Runs each loop over `n` items (3,000 take about four seconds in all).
pub(crate) fn measure(n: usize) -> VerifyRates {
    let objects = fixtures::sign_comments(fixtures::charter().id(), 0..n as u64, TextSize::Typical);
    let encoded: Vec<Vec<u8>> = objects.iter().map(|o| o.bytes().to_vec()).collect();
    VerifyRates {
        raw: raw_rate(n, encoded[0].len()),
        decode_single: per_second(n, || {
            for bytes in &encoded {
                black_box(SignedObject::decode(bytes).expect("bench objects verify"));
            }
        }),
        decode_batch: per_second(n, || {
            let parsed: Vec<UnverifiedObject> = encoded
                .iter()
                .map(|b| UnverifiedObject::parse(b).expect("bench objects parse"))
                .collect();
            for verdict in verify_batch(parsed) {
                black_box(verdict.expect("bench objects verify"));
            }
        }),
    }
}

/// `verify_strict` over a message the size of a comment's `Sig_structure`.
fn raw_rate(n: usize, message_len: usize) -> f64 {
    let key = SigningKey::from_bytes(&[0x5e; 32]);
    let public = key.verifying_key();
    let message: Vec<u8> = (0..message_len).map(|i| i as u8).collect();
    let signature = key.sign(&message);
    per_second(n, || {
        for _ in 0..n {
            black_box(public.verify_strict(black_box(&message), &signature)).expect("verifies");
        }
    })
}

/// Items per second of `run` (which handles `n` items): the best of three
/// timed runs after a warm-up, since on a shared machine the other
/// processes only ever make a run slower.
fn per_second(n: usize, run: impl Fn()) -> f64 {
    run();
    (0..3)
        .map(|_| {
            let started = Instant::now();
            run();
            n as f64 / started.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}
