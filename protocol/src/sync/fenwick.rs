//! A Fenwick (binary indexed) tree of [`Accumulator`]s, one per chunk of a
//! [`SyncIndex`](super::SyncIndex): the sum and key count of any prefix of
//! chunks in O(log C), and the chunk holding the i-th key in O(log C).
//!
//! Chosen over a plain prefix array because an insert changes one chunk's
//! sum, which moves every later prefix (O(C) to repair) but only O(log C)
//! tree nodes. The count inside each [`Accumulator`] doubles as the key count,
//! so one tree answers both "how many keys before chunk c" and "sum of
//! chunks before c".

use super::fingerprint::Accumulator;

/// Sums over chunks `0..C`; node `i` (1-based) holds the sum of chunks
/// `i - lowbit(i) .. i`.
#[derive(Debug, Clone)]
pub(super) struct ChunkSums {
    /// `nodes[0]` is an unused zero so that node `i` lives at index `i`.
    nodes: Vec<Accumulator>,
}

impl Default for ChunkSums {
    fn default() -> ChunkSums {
        ChunkSums {
            nodes: vec![Accumulator::new()],
        }
    }
}

/// The lowest set bit of `i`: how many chunks node `i` covers.
fn lowbit(i: usize) -> usize {
    i & i.wrapping_neg()
}

/// The largest power of two not above `n`, or 0 for 0: the first step of a
/// descent through the tree.
fn highest_power_of_two(n: usize) -> usize {
    match n {
        0 => 0,
        _ => 1 << (usize::BITS - 1 - n.leading_zeros()),
    }
}

impl ChunkSums {
    /// A tree over chunks with the given sums, built in O(C).
    #[cfg(test)]
    pub(super) fn from_sums(sums: impl IntoIterator<Item = Accumulator>) -> ChunkSums {
        let mut tree = ChunkSums::default();
        tree.rebuild(sums);
        tree
    }

    /// Replaces the tree by one over chunks with the given sums, in O(C) and
    /// without allocating when the number of chunks did not grow much.
    pub(super) fn rebuild(&mut self, sums: impl IntoIterator<Item = Accumulator>) {
        let nodes = &mut self.nodes;
        nodes.truncate(1);
        nodes.extend(sums);
        for i in 1..nodes.len() {
            let parent = i + lowbit(i);
            if parent < nodes.len() {
                let child = nodes[i];
                nodes[parent].add(&child);
            }
        }
    }

    /// Number of chunks.
    pub(super) fn chunks(&self) -> usize {
        self.nodes.len() - 1
    }

    /// Adds `delta` to chunk `chunk`'s sum; O(log C), O(1) for the last chunk.
    pub(super) fn add(&mut self, chunk: usize, delta: &Accumulator) {
        let mut i = chunk + 1;
        while i < self.nodes.len() {
            self.nodes[i].add(delta);
            i += lowbit(i);
        }
    }

    /// Appends a chunk with sum `sum`; O(log C).
    pub(super) fn push(&mut self, sum: Accumulator) {
        let i = self.nodes.len();
        let mut node = sum;
        let mut j = i - 1;
        while j > i - lowbit(i) {
            node.add(&self.nodes[j]);
            j -= lowbit(j);
        }
        self.nodes.push(node);
    }

    /// The sum of chunks `0..chunk` (the index gets it from
    /// `locate_with_prefix`; tests check both against a naive sum).
    #[cfg(test)]
    pub(super) fn prefix(&self, chunk: usize) -> Accumulator {
        let mut acc = Accumulator::new();
        let mut i = chunk;
        while i > 0 {
            acc.add(&self.nodes[i]);
            i -= lowbit(i);
        }
        acc
    }

    /// The number of keys in chunks `0..chunk` (cheaper than `prefix`).
    pub(super) fn count_before(&self, chunk: usize) -> usize {
        let mut count = 0u64;
        let mut i = chunk;
        while i > 0 {
            count += self.nodes[i].count();
            i -= lowbit(i);
        }
        count as usize
    }

    /// Like [`ChunkSums::locate`], and also the sum of the chunks before the
    /// one found (the nodes the descent steps over add up to exactly that).
    pub(super) fn locate_with_prefix(&self, index: usize) -> (usize, usize, Accumulator) {
        let chunks = self.chunks();
        let mut at = 0;
        let mut rest = index as u64;
        let mut sum = Accumulator::new();
        let mut step = highest_power_of_two(chunks);
        while step > 0 {
            let next = at + step;
            if next <= chunks && self.nodes[next].count() <= rest {
                rest -= self.nodes[next].count();
                sum.add(&self.nodes[next]);
                at = next;
            }
            step >>= 1;
        }
        (at, rest as usize, sum)
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Accumulator>()
    }

    /// The chunk holding key `index` and the key's offset in it: the largest
    /// `c` with `count_before(c) <= index`. Chunks must be non-empty; an
    /// `index` at or past the total count gives `(C, index - total)`.
    pub(super) fn locate(&self, index: usize) -> (usize, usize) {
        let chunks = self.chunks();
        let mut at = 0;
        let mut rest = index as u64;
        let mut step = highest_power_of_two(chunks);
        while step > 0 {
            let next = at + step;
            if next <= chunks && self.nodes[next].count() <= rest {
                rest -= self.nodes[next].count();
                at = next;
            }
            step >>= 1;
        }
        (at, rest as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ObjectId;

    /// A chunk sum of `n` ids derived from `seed`.
    fn sum(seed: usize, n: usize) -> Accumulator {
        let mut acc = Accumulator::new();
        for k in 0..n {
            acc.add_id(&ObjectId([(seed * 31 + k) as u8; 32]));
        }
        acc
    }

    fn naive_prefix(sums: &[Accumulator], chunk: usize) -> Accumulator {
        let mut acc = Accumulator::new();
        sums[..chunk].iter().for_each(|s| acc.add(s));
        acc
    }

    #[test]
    fn prefixes_and_locate_match_a_naive_sum() {
        for chunks in [0usize, 1, 2, 3, 7, 8, 9, 33] {
            let mut sums: Vec<Accumulator> = (0..chunks).map(|c| sum(c, 1 + c % 5)).collect();
            let built = ChunkSums::from_sums(sums.iter().copied());
            let mut pushed = ChunkSums::default();
            sums.iter().for_each(|s| pushed.push(*s));
            let mut tree = built.clone();
            if chunks > 0 {
                let extra = sum(99, 3);
                let c = chunks / 2;
                tree.add(c, &extra);
                sums[c].add(&extra);
            }
            for c in 0..=chunks {
                let want = naive_prefix(&sums, c);
                assert_eq!(tree.prefix(c), want, "{chunks} chunks, prefix {c}");
                assert_eq!(tree.count_before(c), want.count() as usize);
            }
            for c in 0..=chunks {
                assert_eq!(built.prefix(c), pushed.prefix(c), "push and build agree");
            }
            let total = tree.count_before(chunks);
            for index in 0..total + 2 {
                let (c, offset) = tree.locate(index);
                let before = tree.count_before(c);
                assert_eq!(before + offset, index);
                assert_eq!(tree.locate_with_prefix(index), (c, offset, tree.prefix(c)));
                if index < total {
                    assert!(offset < sums[c].count() as usize, "{index} in chunk {c}");
                } else {
                    assert_eq!(c, chunks);
                }
            }
        }
    }
}
