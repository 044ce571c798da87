//! What the reconciler needs from a store: [`SyncStore`], and the in-memory
//! [`SortedVecStore`].
//!
//! The trait addresses items by their position in [`SyncKey`] order, as
//! Negentropy's storage interface does: a round looks up each incoming bound
//! once ([`SyncStore::lower_bound`]) and then works on index ranges.
//!
//! # Cost model
//!
//! A reconciliation round calls, per incoming range, one `lower_bound` and at
//! most one `fingerprint` of the range, plus `branching` `fingerprint`s and
//! `key_at`s when it splits, or one `keys` when it lists ids (only for ranges
//! below the id-list threshold, unless a peer asks for more). A store should
//! therefore answer `lower_bound`, `key_at` and `fingerprint` in O(log n) —
//! never by a scan of the range — and `keys` in O(log n + k). A persistent
//! store gets this from an order-statistic tree with cached [`Accumulator`]s
//! per node (or prefix sums that it rebuilds in the background).

use std::ops::Range;

use super::fingerprint::{Accumulator, Fingerprint};
use super::item::{Bound, SyncKey};

/// A sorted set of [`SyncKey`]s that can be reconciled; see the module docs
/// for the cost each method should meet.
pub trait SyncStore {
    /// Number of keys.
    fn len(&self) -> usize;

    /// Whether the store holds no key.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Position of the first key not below `bound` (`len()` for [`Bound::Infinity`]).
    fn lower_bound(&self, bound: &Bound) -> usize;

    /// The key at position `index`, if `index < len()`.
    fn key_at(&self, index: usize) -> Option<SyncKey>;

    /// The keys at positions `range`, in order (clamped to `0..len()`).
    fn keys(&self, range: Range<usize>) -> Vec<SyncKey>;

    /// The fingerprint of the keys at positions `range` (clamped to `0..len()`).
    fn fingerprint(&self, range: Range<usize>) -> Fingerprint;
}

/// An in-memory [`SyncStore`]: a sorted vector of keys with prefix sums.
///
/// `lower_bound` is a binary search (O(log n)); `fingerprint` subtracts two
/// prefix [`Accumulator`]s and hashes (O(1)). Inserting is O(n) because the
/// prefix sums after the new key move: fine for tests, simulations and
/// read-mostly snapshots, not for a store that takes a stream of writes.
#[derive(Debug, Clone, Default)]
pub struct SortedVecStore {
    /// The keys, sorted, without duplicates.
    keys: Vec<SyncKey>,
    /// `prefix[i]` sums `keys[..i]`; one more entry than `keys`.
    prefix: Vec<Accumulator>,
}

impl SortedVecStore {
    /// An empty store.
    pub fn new() -> SortedVecStore {
        SortedVecStore::from_keys(Vec::new())
    }

    /// A store of the given keys (sorted and de-duplicated here).
    pub fn from_keys(keys: impl IntoIterator<Item = SyncKey>) -> SortedVecStore {
        let mut keys: Vec<SyncKey> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        let mut store = SortedVecStore {
            keys,
            prefix: Vec::new(),
        };
        store.rebuild_prefix_from(0);
        store
    }

    /// Adds a key; `false` if it was already present. O(n).
    pub fn insert(&mut self, key: SyncKey) -> bool {
        match self.keys.binary_search(&key) {
            Ok(_) => false,
            Err(at) => {
                self.keys.insert(at, key);
                self.rebuild_prefix_from(at);
                true
            }
        }
    }

    /// Whether the store holds `key`.
    pub fn contains(&self, key: &SyncKey) -> bool {
        self.keys.binary_search(key).is_ok()
    }

    /// All keys, in order.
    pub fn as_slice(&self) -> &[SyncKey] {
        &self.keys
    }

    fn rebuild_prefix_from(&mut self, at: usize) {
        self.prefix.truncate(at + 1);
        if self.prefix.is_empty() {
            self.prefix.push(Accumulator::new());
        }
        let mut acc = self.prefix[at];
        for key in &self.keys[at..] {
            acc.add_id(&key.id);
            self.prefix.push(acc);
        }
    }

    fn clamp(&self, range: Range<usize>) -> Range<usize> {
        let end = range.end.min(self.keys.len());
        range.start.min(end)..end
    }
}

impl SyncStore for SortedVecStore {
    fn len(&self) -> usize {
        self.keys.len()
    }

    fn lower_bound(&self, bound: &Bound) -> usize {
        self.keys.partition_point(|k| bound.contains(k))
    }

    fn key_at(&self, index: usize) -> Option<SyncKey> {
        self.keys.get(index).copied()
    }

    fn keys(&self, range: Range<usize>) -> Vec<SyncKey> {
        self.keys[self.clamp(range)].to_vec()
    }

    fn fingerprint(&self, range: Range<usize>) -> Fingerprint {
        let range = self.clamp(range);
        let mut acc = self.prefix[range.end];
        acc.sub(&self.prefix[range.start]);
        acc.fingerprint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ObjectId;

    fn key(t: u64, b: u8) -> SyncKey {
        SyncKey::new(t, ObjectId([b; 32]))
    }

    #[test]
    fn fingerprint_of_a_range_equals_a_fresh_sum() {
        let mut store = SortedVecStore::from_keys((0..50).map(|i| key(i % 7, i as u8)));
        assert!(store.insert(key(3, 200)));
        assert!(!store.insert(key(3, 200)));
        let keys = store.as_slice().to_vec();
        for (a, b) in [(0, 0), (0, 51), (5, 17), (50, 51), (40, 99), (60, 70)] {
            let mut acc = Accumulator::new();
            let end = b.min(keys.len());
            keys[a.min(end)..end].iter().for_each(|k| acc.add_id(&k.id));
            assert_eq!(store.fingerprint(a..b), acc.fingerprint(), "{a}..{b}");
        }
    }

    #[test]
    fn lower_bound_finds_first_key_not_below() {
        let store = SortedVecStore::from_keys([key(1, 1), key(2, 2), key(2, 3), key(5, 0)]);
        assert_eq!(store.lower_bound(&Bound::Key(key(0, 0))), 0);
        assert_eq!(store.lower_bound(&Bound::Key(key(2, 3))), 2);
        assert_eq!(store.lower_bound(&Bound::Key(key(2, 4))), 3);
        assert_eq!(store.lower_bound(&Bound::Infinity), 4);
        assert_eq!(store.key_at(4), None);
        assert_eq!(store.keys(3..9), vec![key(5, 0)]);
    }
}
