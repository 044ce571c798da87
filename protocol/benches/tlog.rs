//! What the transparency log (issue 13, PROTOCOL.md §14) costs, over an
//! in-memory log: the stored hashes in a `Vec`, appended the way the node's
//! store appends them ([`stored_hashes`] for each entry, then pushed).
//!
//! ```sh
//! cargo bench -p baraza-protocol --bench tlog
//! TLOG_ENTRIES=100000 cargo bench -p baraza-protocol --bench tlog   # quick run
//! ```
//!
//! Measured, one thread, plain wall-clock timing (criterion cannot report
//! sizes, and the append is one long run rather than an iteration):
//!
//! - appending `TLOG_ENTRIES` (default 1,000,000) entries: entries/s,
//!   ns per entry, stored hashes and bytes per entry. The store's own
//!   reads (sled in the node) are not included; this is the tree's work.
//! - [`tree_hash`] of the whole tree;
//! - inclusion proofs of `TLOG_SAMPLES` (default 1,000) random entries
//!   in the whole tree: size, [`inclusion_proof`] and [`verify_inclusion`];
//! - consistency proofs from N − N/1000 and N/2 to N: size,
//!   [`consistency_proof`] and [`verify_consistency`];
//! - receipts, checkpoints and cosignatures: sign, encode and verify, with
//!   ed25519-dalek's raw `sign` and `verify_strict` over the same receipt
//!   text in the same run, to compare with.
//!
//! Times of the short operations are medians of individually timed calls
//! (`TLOG_SAMPLES` each). Nothing here asserts anything about time;
//! `BENCHMARKS.md` records a run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use baraza_protocol::tlog::{
    consistency_proof, inclusion_proof, stored_hashes, tree_hash, verify_consistency,
    verify_inclusion, Hash, LogLeaf, Receipt, SignedCheckpoint, StoredHashes, HASH_SIZE,
};
use baraza_protocol::{Keypair, ObjectId};
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

/// 2024-03-01T00:00:00Z, in ms.
const BASE_TIME_MS: u64 = 1_709_251_200_000;

/// The stored hashes of a log held in memory, by stored-hash index.
#[derive(Default)]
struct MemoryLog {
    hashes: Vec<Hash>,
}

impl StoredHashes for MemoryLog {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, String> {
        indexes
            .iter()
            .map(|i| {
                self.hashes
                    .get(*i as usize)
                    .copied()
                    .ok_or_else(|| format!("no stored hash {i}"))
            })
            .collect()
    }
}

/// SplitMix64, seeded: the same indexes on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Entry `i`: a distinct object id, one second after the previous entry.
fn leaf(i: u64) -> LogLeaf {
    LogLeaf {
        id: ObjectId(Sha256::digest(i.to_be_bytes()).into()),
        time_ms: BASE_TIME_MS + i * 1000,
    }
}

fn count_from_env(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a count")),
        Err(_) => default,
    }
}

/// The median of `samples` calls of `f`, each timed on its own.
fn median_of<T>(samples: u64, mut f: impl FnMut(u64) -> T) -> Duration {
    let mut times: Vec<Duration> = (0..samples)
        .map(|i| {
            let started = Instant::now();
            black_box(f(i));
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

fn per_sec(d: Duration) -> String {
    format!("{:.0}/s", 1.0 / d.as_secs_f64())
}

fn row(what: &str, result: String) {
    println!("| {what} | {result} |");
}

fn main() {
    let n = count_from_env("TLOG_ENTRIES", 1_000_000).max(4);
    let samples = count_from_env("TLOG_SAMPLES", 1_000).max(1);
    println!("## tlog: {n} entries, {samples} samples per median\n");
    println!("| measurement | result |\n|---|---|");

    // Appending: the leaves are made first, so only the tree's work is timed.
    let leaves: Vec<LogLeaf> = (0..n).map(leaf).collect();
    let mut log = MemoryLog::default();
    let started = Instant::now();
    for (index, leaf) in leaves.iter().enumerate() {
        let hashes = stored_hashes(index as u64, leaf, &log).expect("the log holds 0..index");
        log.hashes.extend(hashes.into_iter().map(|(_, hash)| hash));
    }
    let append = started.elapsed();
    let per_entry = append / n as u32;
    let hashes_per_entry = log.hashes.len() as f64 / n as f64;
    row(
        "append (stored_hashes + push), whole run",
        format!(
            "{:.2} s, **{:.0} entries/s**, {:.0} ns/entry",
            append.as_secs_f64(),
            n as f64 / append.as_secs_f64(),
            per_entry.as_nanos()
        ),
    );
    row(
        "stored hashes per entry",
        format!(
            "{} hashes for {n} entries = {hashes_per_entry:.4}/entry, {:.1} B/entry (hashes only, no keys)",
            log.hashes.len(),
            hashes_per_entry * HASH_SIZE as f64
        ),
    );

    // The root.
    let root = tree_hash(n, &log).expect("the whole tree");
    let tree = median_of(samples.min(101), |_| tree_hash(n, &log));
    row(&format!("tree_hash({n})"), micros(tree));

    // Inclusion proofs of random entries in the whole tree.
    let mut rng = Rng(13);
    let indexes: Vec<u64> = (0..samples).map(|_| rng.next() % n).collect();
    let proofs: Vec<Vec<Hash>> = indexes
        .iter()
        .map(|i| inclusion_proof(*i, n, &log).expect("entry in the tree"))
        .collect();
    let mut lengths: Vec<usize> = proofs.iter().map(Vec::len).collect();
    lengths.sort_unstable();
    let (min, median, max) = (
        lengths[0],
        lengths[lengths.len() / 2],
        lengths[lengths.len() - 1],
    );
    row(
        "inclusion proof size (min / median / max)",
        format!(
            "{min} / {median} / {max} hashes = {} / {} / {} B",
            min * HASH_SIZE,
            median * HASH_SIZE,
            max * HASH_SIZE
        ),
    );
    let prove = median_of(samples, |s| inclusion_proof(indexes[s as usize], n, &log));
    row("inclusion_proof (median)", micros(prove));
    let check = median_of(samples, |s| {
        let i = indexes[s as usize];
        verify_inclusion(leaves[i as usize].hash(), i, n, root, &proofs[s as usize])
            .expect("a valid proof")
    });
    row(
        "verify_inclusion (median, incl. the leaf hash)",
        micros(check),
    );

    // Consistency proofs to the whole tree.
    for old in [n - n / 1000, n / 2] {
        let old_root = tree_hash(old, &log).expect("a prefix");
        let proof = consistency_proof(old, n, &log).expect("a prefix");
        verify_consistency(old, old_root, n, root, &proof).expect("a valid proof");
        let prove = median_of(samples, |_| consistency_proof(old, n, &log));
        let check = median_of(samples, |_| {
            verify_consistency(old, old_root, n, root, &proof).expect("a valid proof")
        });
        row(
            &format!("consistency {old} → {n}"),
            format!(
                "{} hashes = {} B; prove {}, verify {}",
                proof.len(),
                proof.len() * HASH_SIZE,
                micros(prove),
                micros(check)
            ),
        );
    }

    signatures(samples, n, root);
}

/// Receipts, checkpoints and cosignatures, against raw Ed25519.
fn signatures(samples: u64, n: u64, root: Hash) {
    let node = Keypair::from_seed(&[1; 32]);
    let witness = Keypair::from_seed(&[2; 32]);
    let receipt = Receipt::new(&node.public(), n - 1, leaf(n - 1));
    let note = receipt.sign(&node);
    assert_eq!(
        Receipt::verify(&note).expect("a receipt just signed"),
        receipt
    );

    let raw = SigningKey::from_bytes(&[1; 32]);
    let text = receipt.text();
    let signature = raw.sign(&text);
    let raw_key = raw.verifying_key();
    let raw_sign = median_of(samples, |_| raw.sign(&text));
    let raw_verify = median_of(samples, |_| {
        raw_key.verify_strict(&text, &signature).expect("valid")
    });
    row(
        "raw ed25519 sign / verify_strict of the receipt text",
        format!(
            "{} ({}) / {} ({})",
            micros(raw_sign),
            per_sec(raw_sign),
            micros(raw_verify),
            per_sec(raw_verify)
        ),
    );

    let sign = median_of(samples, |i| {
        Receipt::new(&node.public(), i, leaf(i)).sign(&node)
    });
    let verify = median_of(samples, |_| Receipt::verify(&note).expect("valid"));
    row(
        "receipt: note size",
        format!("{} B (text {} B)", note.len(), text.len()),
    );
    row(
        "receipt: Receipt::new + sign / Receipt::verify",
        format!(
            "{} ({}, ×{:.2} raw sign) / {} ({}, ×{:.2} raw verify)",
            micros(sign),
            per_sec(sign),
            sign.as_secs_f64() / raw_sign.as_secs_f64(),
            micros(verify),
            per_sec(verify),
            verify.as_secs_f64() / raw_verify.as_secs_f64()
        ),
    );

    let checkpoint = SignedCheckpoint::sign(&node, n, root);
    let plain = checkpoint.to_note();
    let sign = median_of(samples, |_| {
        SignedCheckpoint::sign(&node, n, root).to_note()
    });
    let verify = median_of(samples, |_| {
        SignedCheckpoint::verify(&plain).expect("valid")
    });
    row(
        "checkpoint: note size; sign + to_note / verify",
        format!("{} B; {} / {}", plain.len(), micros(sign), micros(verify)),
    );

    let cosignature = checkpoint.cosign(&witness, 1_709_251_200);
    let text = checkpoint.checkpoint.text();
    assert!(cosignature.verifies(&text));
    let mut cosigned = checkpoint.clone();
    cosigned.add_cosignature(cosignature.clone());
    let cosigned_note = cosigned.to_note();
    assert_eq!(
        SignedCheckpoint::verify(&cosigned_note)
            .expect("valid")
            .cosignatures
            .len(),
        1
    );
    let cosign = median_of(samples, |_| checkpoint.cosign(&witness, 1_709_251_200));
    let cosig_verify = median_of(samples, |_| cosignature.verifies(&text));
    let both = median_of(samples, |_| {
        SignedCheckpoint::verify(&cosigned_note).expect("valid")
    });
    row(
        "cosignature: cosign / Cosignature::verifies",
        format!("{} / {}", micros(cosign), micros(cosig_verify)),
    );
    row(
        "checkpoint with 1 cosignature: note size; SignedCheckpoint::verify",
        format!("{} B; {}", cosigned_note.len(), micros(both)),
    );
}
