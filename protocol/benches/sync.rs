//! Range-based set reconciliation of two 1,000,000-key stores (issue 5, 8a).
//!
//! For d ∈ {0, 10, 1,000, 10,000}, the stores share 1,000,000 − d/2 keys and
//! each holds d/2 keys of its own, so the symmetric difference is d. One
//! session with the default [`Reconciler`] (branching 16, id lists below 32
//! keys, 1 MiB frames), every message encoded and decoded. Criterion times
//! the whole session; the round trips and bytes, which criterion cannot
//! report, are printed once per d as a table on stderr.
//!
//! A second group, `sync_index_1m`, measures [`SyncIndex`], the store a node
//! keeps in memory, at the same size: inserts, bulk build, fingerprints.

use std::hint::black_box;
use std::ops::Range;
use std::time::{Duration, Instant};

use baraza_protocol::sync::{
    Reconciler, SortedVecStore, SyncIndex, SyncKey, SyncMessage, SyncStore,
};
use baraza_protocol::ObjectId;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const N: usize = 1_000_000;
const DIFFS: [usize; 4] = [0, 10, 1_000, 10_000];

/// SplitMix64, seeded: the same stores on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A key about a year of milliseconds after 2024-01-01.
    fn key(&mut self) -> SyncKey {
        let mut id = [0u8; 32];
        for chunk in id.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        SyncKey::new(
            1_704_067_200_000 + self.next() % 31_536_000_000,
            ObjectId(id),
        )
    }
}

fn stores(d: usize) -> (SortedVecStore, SortedVecStore) {
    let mut rng = Rng(d as u64 + 1);
    let shared: Vec<SyncKey> = (0..N - d / 2).map(|_| rng.key()).collect();
    let a_only: Vec<SyncKey> = (0..d / 2).map(|_| rng.key()).collect();
    let b_only: Vec<SyncKey> = (0..d - d / 2).map(|_| rng.key()).collect();
    (
        SortedVecStore::from_keys(shared.iter().chain(&a_only).copied()),
        SortedVecStore::from_keys(shared.iter().chain(&b_only).copied()),
    )
}

/// Messages, bytes, largest message, and ids found by both sides.
struct Stats {
    messages: usize,
    bytes: usize,
    largest: usize,
    found: usize,
}

fn session<S: SyncStore>(r: &Reconciler, a: &S, b: &S) -> Stats {
    let mut stats = Stats {
        messages: 0,
        bytes: 0,
        largest: 0,
        found: 0,
    };
    let mut next = Some(r.initiate(a));
    let mut at_b = true;
    while let Some(message) = next.take() {
        let bytes = message.encode();
        stats.messages += 1;
        stats.bytes += bytes.len();
        stats.largest = stats.largest.max(bytes.len());
        let message = SyncMessage::decode(&bytes).expect("own messages decode");
        let store = if at_b { b } else { a };
        let outcome = r.reconcile(store, &message).expect("honest messages");
        stats.found += outcome.need.len();
        next = outcome.reply;
        at_b = !at_b;
    }
    stats
}

fn bench(c: &mut Criterion) {
    let r = Reconciler::new();
    let mut group = c.benchmark_group("sync_1m");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    eprintln!(
        "| d | messages | round trips | bytes | bytes/d | largest message | ids found | time |"
    );
    eprintln!("|---|---|---|---|---|---|---|---|");
    for d in DIFFS {
        let (a, b) = stores(d);
        let start = Instant::now();
        let s = session(&r, &a, &b);
        let took = start.elapsed();
        let per_diff = s
            .bytes
            .checked_div(d)
            .map_or_else(|| "-".to_owned(), |b| b.to_string());
        eprintln!(
            "| {d} | {} | {} | {} | {per_diff} | {} | {} | {:.1} ms |",
            s.messages,
            s.messages.div_ceil(2),
            s.bytes,
            s.largest,
            s.found,
            took.as_secs_f64() * 1e3
        );
        group.bench_function(format!("d={d}"), |bench| {
            bench.iter(|| black_box(session(&r, &a, &b).bytes))
        });
    }
    group.finish();
}

/// Fingerprints timed per batch.
const RANGES: usize = 1_000;

/// [`SyncIndex`] at 1,000,000 keys: inserts in random order, a build from
/// sorted keys, fingerprints of long and short random ranges (beside
/// [`SortedVecStore`]'s, which are O(1)), and the d = 1,000 session of
/// `sync_1m` over two indexes. Throughput is per key inserted or
/// fingerprint taken; the index's bytes per key go to stderr.
fn index_bench(c: &mut Criterion) {
    let mut rng = Rng(1_000_001);
    let keys: Vec<SyncKey> = (0..N).map(|_| rng.key()).collect();
    let vec_store = SortedVecStore::from_keys(keys.iter().copied());
    // Ranges of 1,000 keys or more, as the first rounds of a session ask for.
    let ranges: Vec<Range<usize>> = (0..RANGES)
        .map(|_| {
            let start = (rng.next() % (N - 1_000) as u64) as usize;
            start..start + 1_000 + (rng.next() % (N - 1_000 - start) as u64) as usize
        })
        .collect();
    let insert_all = || {
        let mut index = SyncIndex::new();
        keys.iter().for_each(|k| {
            index.insert(*k);
        });
        index
    };
    let index = insert_all();
    eprintln!(
        "SyncIndex of {N} keys inserted in random order: {:.1} bytes/key",
        index.heap_bytes() as f64 / N as f64
    );

    let mut group = c.benchmark_group("sync_index_1m");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("insert_random_order", |bench| {
        bench.iter(|| black_box(insert_all().len()))
    });
    group.bench_function("build_from_sorted", |bench| {
        bench.iter(|| {
            let built: SyncIndex = vec_store.as_slice().iter().copied().collect();
            black_box(built.len())
        })
    });
    group.throughput(Throughput::Elements(RANGES as u64));
    group.bench_function("fingerprint_long", |bench| {
        bench.iter(|| {
            for range in &ranges {
                black_box(index.fingerprint(range.clone()));
            }
        })
    });
    group.bench_function("fingerprint_long_sorted_vec_store", |bench| {
        bench.iter(|| {
            for range in &ranges {
                black_box(vec_store.fingerprint(range.clone()));
            }
        })
    });
    group.bench_function("fingerprint_100_keys", |bench| {
        bench.iter(|| {
            for range in &ranges {
                black_box(index.fingerprint(range.start..range.start + 100));
            }
        })
    });
    let (a, b) = stores(1_000);
    let a: SyncIndex = a.as_slice().iter().copied().collect();
    let b: SyncIndex = b.as_slice().iter().copied().collect();
    let r = Reconciler::new();
    group.throughput(Throughput::Elements(1));
    group.bench_function("session_d=1000", |bench| {
        bench.iter(|| black_box(session(&r, &a, &b).bytes))
    });
    group.finish();
}

criterion_group!(benches, bench, index_bench);
criterion_main!(benches);
