//! [`SyncIndex`]: an in-memory [`SyncStore`] over a node's whole store, built
//! once at start-up and then kept current one insert at a time.
//!
//! [`SortedVecStore`](super::SortedVecStore) answers queries fast but pays
//! O(n) per insert; a node that holds a few million keys and takes objects as
//! they arrive needs inserts that cost little more than queries.
//!
//! # Layout
//!
//! The keys live in sorted *chunks* of at most `C` keys
//! ([`SyncIndex::DEFAULT_CHUNK_CAPACITY`] = 512 unless chosen otherwise),
//! each with the [`Accumulator`] of its keys. A full chunk splits into two
//! halves before it takes another key, so every chunk but the last holds
//! `C/2..=C` keys, and keys appended above all others fill chunks completely
//! (a sorted bulk load leaves every chunk full). Over the
//! chunks sit a contiguous array of each chunk's first key (binary search
//! without touching every chunk's heap block) and a Fenwick tree of the chunk
//! accumulators, which gives the sum and key count of any prefix of chunks in
//! O(log m) and stays current in O(log m) per insert (O(1) for appends).
//!
//! # Cost model
//!
//! With `n` keys in `m` chunks (about 2,600 for a million keys inserted in
//! random order, 2,000 when built from sorted keys):
//!
//! | operation | cost |
//! |---|---|
//! | [`insert`](SyncIndex::insert) | O(log n) search + shift of up to `C` keys in one chunk + O(log m) tree update; a split (at most once per `C/2` inserts into a chunk) adds O(C + m) |
//! | `insert` of a key above all others | O(1) amortised, no search |
//! | [`extend`](Extend::extend) / `collect` from sorted keys | O(n) total |
//! | [`contains`](SyncIndex::contains), `lower_bound` | O(log n) |
//! | `key_at` | O(log m) |
//! | `keys(range)` | O(log m + k) |
//! | `fingerprint(range)` | a range of at most `C/2` keys is summed directly; a longer one is two prefix sums of O(log m) tree nodes plus at most `C/2` ids each (whichever side of the position inside its chunk is shorter); then one SHA-256 |
//!
//! So a `fingerprint` never reads more than about `C` keys, whatever the
//! range. Compared with [`SortedVecStore`](super::SortedVecStore), whose
//! fingerprints are O(1) but whose inserts are O(n), that costs ~10x per
//! fingerprint of a long range (≈1.7 µs against ≈0.16 µs at a million keys)
//! and ~1.4x on a whole session (36 against 26 ms for d = 1,000), for inserts
//! of ≈2 µs in random order instead of milliseconds.
//!
//! The chunk size trades both ways: inserts shift up to `C` keys of 40 bytes
//! and a long range's fingerprint adds up to `C/2` ids per end, while more,
//! smaller chunks make each split's O(m) tree rebuild dearer and add per-chunk
//! memory. Measured on a million keys (`benches/sync.rs`, `sync_index_1m`, a
//! busy 2-core machine), `C` = 256, 512 and 1,024 gave inserts in random
//! order of 2.0, 2.1 and 2.7 µs, long-range fingerprints of 1.4, 1.8 and
//! 2.9 µs, and 100-key fingerprints of 1.3, 0.9 and 1.0 µs; 2,048 was worse
//! on all. Random inserts at this size are bound by cache misses more than by
//! the shift. 512 costs about what 256 does with half the chunks, which keeps
//! the split rebuild (≈13,000 chunks at five million keys) small beside the
//! inserts it is spread over.
//!
//! # Memory
//!
//! 40 bytes per key (8-byte `created_at`, 32-byte id) plus, per chunk: the
//! `Vec` and its [`Accumulator`] (64 bytes), its first key and its tree node
//! (80 bytes), and spare capacity of at most `C/16` keys (chunks grow in such
//! steps rather than doubling; only the last chunk, which appends fill, is
//! allocated whole). That is about 40.3 bytes per key when built
//! from sorted keys and 42.4 after a million inserts in random order;
//! [`SyncIndex::heap_bytes`] reports the figure.
//!
//! ```
//! use baraza_protocol::sync::{Bound, SyncIndex, SyncKey, SyncStore};
//! use baraza_protocol::ObjectId;
//!
//! // Start-up: keys come sorted from disk; collecting them is O(n).
//! let mut index: SyncIndex = (0..10u8)
//!     .map(|i| SyncKey::new(i.into(), ObjectId([i; 32])))
//!     .collect();
//! // Objects arrive one at a time.
//! assert!(index.insert(SyncKey::new(4, ObjectId([200; 32]))));
//! assert!(!index.insert(SyncKey::new(4, ObjectId([200; 32]))), "already held");
//! assert_eq!(index.len(), 11);
//! assert_eq!(index.lower_bound(&Bound::Key(SyncKey::new(5, ObjectId([0; 32])))), 6);
//! ```

use std::fmt;
use std::ops::Range;

use super::fenwick::ChunkSums;
use super::fingerprint::{Accumulator, Fingerprint};
use super::item::{Bound, SyncKey};
use super::storage::SyncStore;

/// A sorted set of [`SyncKey`]s in chunks with cached sums: a [`SyncStore`]
/// that takes inserts in O(log n + C). See the module docs for the layout
/// and the cost of each operation.
#[derive(Clone)]
pub struct SyncIndex {
    /// The keys in order, cut into non-empty sorted chunks.
    chunks: Vec<Chunk>,
    /// `firsts[c]` is the smallest key of `chunks[c]`: one contiguous array
    /// to binary-search instead of one heap block per chunk.
    firsts: Vec<SyncKey>,
    /// Sums and key counts of prefixes of `chunks`.
    sums: ChunkSums,
    /// Number of keys in all chunks.
    len: usize,
    /// Most keys a chunk holds; a full chunk splits before it takes another.
    chunk_capacity: usize,
}

/// A run of consecutive keys and their sum.
#[derive(Debug, Clone)]
struct Chunk {
    /// Sorted, non-empty, at most `chunk_capacity` long.
    keys: Vec<SyncKey>,
    /// The accumulator of `keys`.
    sum: Accumulator,
}

impl Default for SyncIndex {
    fn default() -> SyncIndex {
        SyncIndex::with_chunk_capacity(SyncIndex::DEFAULT_CHUNK_CAPACITY)
    }
}

impl fmt::Debug for SyncIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncIndex")
            .field("len", &self.len)
            .field("chunks", &self.chunks.len())
            .field("chunk_capacity", &self.chunk_capacity)
            .finish()
    }
}

impl SyncIndex {
    /// Most keys in a chunk unless chosen with
    /// [`with_chunk_capacity`](SyncIndex::with_chunk_capacity); see the
    /// module docs for the trade-off.
    pub const DEFAULT_CHUNK_CAPACITY: usize = 512;

    /// An empty index.
    pub fn new() -> SyncIndex {
        SyncIndex::default()
    }

    /// Largest chunk capacity [`with_chunk_capacity`](SyncIndex::with_chunk_capacity)
    /// accepts (2.5 MiB of keys per chunk, far past any useful size).
    pub const MAX_CHUNK_CAPACITY: usize = 1 << 16;

    /// An empty index whose chunks hold at most `keys` keys (clamped to
    /// `2..=MAX_CHUNK_CAPACITY`). Small chunks make inserts cheaper and long
    /// ranges' fingerprints dearer; tests use tiny ones to exercise splits.
    pub fn with_chunk_capacity(keys: usize) -> SyncIndex {
        SyncIndex {
            chunks: Vec::new(),
            firsts: Vec::new(),
            sums: ChunkSums::default(),
            len: 0,
            chunk_capacity: keys.clamp(2, SyncIndex::MAX_CHUNK_CAPACITY),
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the index holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a key; `false` if it was already present. A key above every other
    /// (the common case for new objects, and every key of a sorted bulk load)
    /// is appended without a search.
    pub fn insert(&mut self, key: SyncKey) -> bool {
        match self.chunks.last().and_then(|chunk| chunk.keys.last()) {
            Some(last) if key <= *last => self.insert_inside(key),
            _ => {
                self.append(key);
                true
            }
        }
    }

    /// Whether the index holds `key`.
    pub fn contains(&self, key: &SyncKey) -> bool {
        self.chunks
            .get(self.chunk_for(key))
            .is_some_and(|chunk| chunk.keys.binary_search(key).is_ok())
    }

    /// All keys, in order.
    pub fn iter(&self) -> impl Iterator<Item = &SyncKey> + '_ {
        self.chunks.iter().flat_map(|chunk| chunk.keys.iter())
    }

    /// Bytes this index holds on the heap (keys, spare capacity and the
    /// per-chunk overhead; not the allocator's own bookkeeping).
    pub fn heap_bytes(&self) -> usize {
        let keys: usize = self.chunks.iter().map(|c| c.keys.capacity()).sum();
        (keys + self.firsts.capacity()) * std::mem::size_of::<SyncKey>()
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self.sums.heap_bytes()
    }

    /// Spare keys a chunk grows by when full: small steps keep spare capacity
    /// near 1/32 of a chunk on average, where doubling would waste a third.
    fn growth_step(&self) -> usize {
        (self.chunk_capacity / 16).max(1)
    }

    /// The chunk that holds `key` if any does: the last one whose first key
    /// is not above it (0 for keys below all).
    fn chunk_for(&self, key: &SyncKey) -> usize {
        self.firsts
            .partition_point(|first| first <= key)
            .saturating_sub(1)
    }

    /// Adds a key above every other: to the last chunk, or a new one if that
    /// is full, so that appended chunks end up full.
    fn append(&mut self, key: SyncKey) {
        let growth = self.growth_step();
        let capacity = self.chunk_capacity;
        match self.chunks.last_mut() {
            Some(chunk) if chunk.keys.len() < capacity => {
                if chunk.keys.len() == chunk.keys.capacity() {
                    chunk.keys.reserve_exact(growth);
                }
                chunk.keys.push(key);
                let one = sum_of_one(&key);
                chunk.sum.add(&one);
                self.sums.add(self.chunks.len() - 1, &one);
            }
            _ => {
                let mut keys = Vec::with_capacity(capacity);
                keys.push(key);
                let sum = sum_of_one(&key);
                self.chunks.push(Chunk { keys, sum });
                self.firsts.push(key);
                self.sums.push(sum);
            }
        }
        self.len += 1;
    }

    /// Adds a key not above the last one, splitting its chunk if full.
    fn insert_inside(&mut self, key: SyncKey) -> bool {
        let mut c = self.chunk_for(&key);
        let Err(mut at) = self.chunks[c].keys.binary_search(&key) else {
            return false;
        };
        if self.chunks[c].keys.len() >= self.chunk_capacity {
            self.split(c);
            let left = self.chunks[c].keys.len();
            if at > left {
                at -= left;
                c += 1;
            }
            self.place(c, at, key);
            // Chunk positions after `c` moved: rebuild the tree, O(chunks).
            self.sums.rebuild(self.chunks.iter().map(|chunk| chunk.sum));
        } else {
            self.place(c, at, key);
            self.sums.add(c, &sum_of_one(&key));
        }
        self.len += 1;
        true
    }

    /// Puts `key` at position `at` of chunk `c` (which has room), keeping the
    /// chunk's sum and first key but not the tree.
    fn place(&mut self, c: usize, at: usize, key: SyncKey) {
        let growth = self.growth_step();
        let chunk = &mut self.chunks[c];
        if chunk.keys.len() == chunk.keys.capacity() {
            chunk.keys.reserve_exact(growth);
        }
        chunk.keys.insert(at, key);
        chunk.sum.add_id(&key.id);
        if at == 0 {
            self.firsts[c] = key;
        }
    }

    /// Cuts chunk `c` into two halves, the upper one becoming chunk `c + 1`.
    fn split(&mut self, c: usize) {
        let growth = self.growth_step();
        let chunk = &mut self.chunks[c];
        let upper = chunk.keys.split_off(chunk.keys.len() / 2);
        chunk.keys.shrink_to(chunk.keys.len() + growth);
        let upper_sum = sum_of(&upper);
        chunk.sum.sub(&upper_sum);
        let first = upper[0];
        self.chunks.insert(
            c + 1,
            Chunk {
                keys: upper,
                sum: upper_sum,
            },
        );
        self.firsts.insert(c + 1, first);
    }

    /// The accumulator of the keys at positions `0..at` (`at <= len`): the
    /// chunks before `at`'s chunk from the tree, then the shorter side of
    /// `at` inside its chunk.
    fn prefix_sum(&self, at: usize) -> Accumulator {
        let (c, offset, mut acc) = self.sums.locate_with_prefix(at);
        if let Some(chunk) = self.chunks.get(c) {
            if offset <= chunk.keys.len() / 2 {
                acc.add(&sum_of(&chunk.keys[..offset]));
            } else {
                acc.add(&chunk.sum);
                acc.sub(&sum_of(&chunk.keys[offset..]));
            }
        }
        acc
    }

    /// Calls `f` on the runs of keys, one per chunk, that make up `range`
    /// (already clamped).
    fn for_each_run(&self, range: Range<usize>, mut f: impl FnMut(&[SyncKey])) {
        if range.is_empty() {
            return;
        }
        let (first, mut offset) = self.sums.locate(range.start);
        let mut left = range.len();
        for chunk in self.chunks.iter().skip(first) {
            let run = &chunk.keys[offset..];
            let run = &run[..run.len().min(left)];
            f(run);
            left -= run.len();
            if left == 0 {
                break;
            }
            offset = 0;
        }
    }

    fn clamp(&self, range: Range<usize>) -> Range<usize> {
        let end = range.end.min(self.len);
        range.start.min(end)..end
    }
}

/// The accumulator of one key.
fn sum_of_one(key: &SyncKey) -> Accumulator {
    let mut acc = Accumulator::new();
    acc.add_id(&key.id);
    acc
}

/// The accumulator of a run of keys.
fn sum_of(keys: &[SyncKey]) -> Accumulator {
    let mut acc = Accumulator::new();
    acc.add_ids(keys.iter().map(|key| &key.id));
    acc
}

impl SyncStore for SyncIndex {
    fn len(&self) -> usize {
        self.len
    }

    fn lower_bound(&self, bound: &Bound) -> usize {
        // Chunks before `c` start below the bound, so the first key not
        // below it is in chunk `c - 1` or starts chunk `c`.
        let c = self.firsts.partition_point(|first| bound.contains(first));
        match c.checked_sub(1) {
            None => 0,
            Some(c) => {
                self.sums.count_before(c)
                    + self.chunks[c]
                        .keys
                        .partition_point(|key| bound.contains(key))
            }
        }
    }

    fn key_at(&self, index: usize) -> Option<SyncKey> {
        let (c, offset) = self.sums.locate(index);
        self.chunks.get(c)?.keys.get(offset).copied()
    }

    fn keys(&self, range: Range<usize>) -> Vec<SyncKey> {
        let range = self.clamp(range);
        let mut out = Vec::with_capacity(range.len());
        self.for_each_run(range, |run| out.extend_from_slice(run));
        out
    }

    fn fingerprint(&self, range: Range<usize>) -> Fingerprint {
        let range = self.clamp(range);
        let acc = if range.len() <= self.chunk_capacity / 2 {
            let mut acc = Accumulator::new();
            self.for_each_run(range, |run| acc.add(&sum_of(run)));
            acc
        } else {
            let mut acc = self.prefix_sum(range.end);
            acc.sub(&self.prefix_sum(range.start));
            acc
        };
        acc.fingerprint()
    }
}

impl Extend<SyncKey> for SyncIndex {
    /// Inserts every key; keys that arrive in increasing order are appended
    /// in O(1) each, so extending by a sorted run is linear.
    fn extend<I: IntoIterator<Item = SyncKey>>(&mut self, keys: I) {
        for key in keys {
            self.insert(key);
        }
    }
}

impl FromIterator<SyncKey> for SyncIndex {
    /// An index of the keys, in O(n) if they come sorted (any order and
    /// duplicates are accepted, at the cost of an insert each).
    fn from_iter<I: IntoIterator<Item = SyncKey>>(keys: I) -> SyncIndex {
        let mut index = SyncIndex::new();
        index.extend(keys);
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ObjectId;

    fn key(t: u64, b: u8) -> SyncKey {
        SyncKey::new(t, ObjectId([b; 32]))
    }

    /// Checks the invariants every method relies on.
    fn check(index: &SyncIndex) {
        let mut total = 0;
        for (c, chunk) in index.chunks.iter().enumerate() {
            assert!(!chunk.keys.is_empty(), "chunk {c} empty");
            assert!(chunk.keys.len() <= index.chunk_capacity, "chunk {c} over");
            assert!(
                chunk.keys.windows(2).all(|w| w[0] < w[1]),
                "chunk {c} order"
            );
            assert_eq!(chunk.sum, sum_of(&chunk.keys), "chunk {c} sum");
            assert_eq!(index.firsts[c], chunk.keys[0], "chunk {c} first");
            total += chunk.keys.len();
        }
        assert!(index.firsts.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(index.firsts.len(), index.chunks.len());
        assert_eq!(index.sums.chunks(), index.chunks.len());
        assert_eq!(index.len, total);
        assert_eq!(index.sums.count_before(index.chunks.len()), total);
    }

    #[test]
    fn sorted_keys_fill_whole_chunks() {
        let full = SyncIndex::DEFAULT_CHUNK_CAPACITY;
        let index: SyncIndex = (0..10 * full as u64).map(|t| key(t, 1)).collect();
        check(&index);
        assert_eq!(index.chunks.len(), 10);
        assert!(index.chunks.iter().all(|c| c.keys.capacity() == full));
        let per_key = index.heap_bytes() as f64 / index.len() as f64;
        assert!(per_key < 40.5, "{per_key} bytes per key");
    }

    #[test]
    fn inserts_in_any_order_keep_the_invariants() {
        let mut index = SyncIndex::with_chunk_capacity(4);
        // Descending, ascending and interleaved keys, and repeats.
        let order = (0..40u8)
            .rev()
            .chain(60..100)
            .chain((40..60).filter(|b| b % 2 == 0))
            .chain((40..60).filter(|b| b % 2 == 1));
        for b in order {
            assert!(index.insert(key(u64::from(b) / 3, b)), "{b} is new");
            assert!(!index.insert(key(u64::from(b) / 3, b)), "{b} is held");
            check(&index);
        }
        assert_eq!(index.len(), 100);
        let all: Vec<SyncKey> = index.iter().copied().collect();
        assert_eq!(
            all,
            (0..100u8)
                .map(|b| key(u64::from(b) / 3, b))
                .collect::<Vec<_>>()
        );
        assert!(index.contains(&key(13, 40)));
        assert!(!index.contains(&key(14, 41)), "held at time 13, not 14");
        assert!(!index.contains(&key(0, 255)));
    }

    #[test]
    fn chunk_memory_grows_in_small_steps() {
        let mut index = SyncIndex::new();
        let mut x = 1u64;
        for _ in 0..50_000 {
            // A full-period LCG: distinct keys in scrambled order.
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&x.to_le_bytes());
            index.insert(SyncKey::new(x >> 40, ObjectId(id)));
        }
        check(&index);
        let per_key = index.heap_bytes() as f64 / index.len() as f64;
        assert!(per_key < 44.0, "{per_key} bytes per key");
    }
}
