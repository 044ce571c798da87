//! What is reconciled: [`SyncKey`]s, and the [`Bound`]s that cut their order
//! into ranges.

use crate::ObjectId;

/// One object as the reconciliation sees it: ordered by `created_at`, then by id.
///
/// Ordering by time first keeps recent objects together, so two nodes that
/// differ only in their newest objects find the difference in the last ranges
/// and agree on everything older with a single fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyncKey {
    /// The object's `created_at`, in ms (compared first).
    pub created_at: u64,
    /// The object's id (breaks ties between objects of the same millisecond).
    pub id: ObjectId,
}

impl SyncKey {
    /// The key of an object created at `created_at` with id `id`.
    pub fn new(created_at: u64, id: ObjectId) -> SyncKey {
        SyncKey { created_at, id }
    }
}

/// An exclusive upper end of a range: every key below it is inside.
///
/// `Key` bounds need not be keys of real objects: the reconciler chooses the
/// shortest bound between two neighbouring keys (an id prefix padded with
/// zero bytes), which is what makes bounds cheap on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bound {
    /// Everything below this key (in [`SyncKey`] order).
    Key(SyncKey),
    /// Everything: above every key.
    Infinity,
}

impl Bound {
    /// Whether `key` lies below this bound.
    pub fn contains(&self, key: &SyncKey) -> bool {
        Bound::Key(*key) < *self
    }

    /// The shortest bound `b` with `prev < b <= next`, for `prev < next`:
    /// `next`'s timestamp with a zero id if the timestamps differ, otherwise
    /// the id prefix up to and including the first byte that differs.
    pub fn between(prev: &SyncKey, next: &SyncKey) -> Bound {
        let mut id = [0u8; 32];
        if prev.created_at == next.created_at {
            let shared = prev
                .id
                .0
                .iter()
                .zip(next.id.0.iter())
                .take_while(|(a, b)| a == b)
                .count();
            let keep = (shared + 1).min(32);
            id[..keep].copy_from_slice(&next.id.0[..keep]);
        }
        Bound::Key(SyncKey::new(next.created_at, ObjectId(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: u64, first: u8, second: u8) -> SyncKey {
        let mut id = [0u8; 32];
        id[0] = first;
        id[1] = second;
        id[31] = 7;
        SyncKey::new(t, ObjectId(id))
    }

    #[test]
    fn keys_order_by_time_then_id() {
        assert!(key(1, 9, 9) < key(2, 0, 0));
        assert!(key(2, 0, 1) < key(2, 0, 2));
        assert!(Bound::Key(key(u64::MAX, 255, 255)) < Bound::Infinity);
    }

    #[test]
    fn bound_between_is_short_and_separates() {
        let cases = [
            (key(1, 5, 5), key(3, 5, 5)),
            (key(3, 5, 1), key(3, 5, 2)),
            (key(3, 4, 9), key(3, 5, 0)),
        ];
        for (prev, next) in cases {
            let b = Bound::between(&prev, &next);
            assert!(b.contains(&prev), "{prev:?} < {b:?}");
            assert!(!b.contains(&next), "{b:?} <= {next:?}");
        }
        let Bound::Key(b) = Bound::between(&key(1, 5, 5), &key(3, 5, 5)) else {
            panic!("a key bound");
        };
        assert_eq!(b.id.0, [0u8; 32]);
        let Bound::Key(b) = Bound::between(&key(3, 5, 1), &key(3, 5, 2)) else {
            panic!("a key bound");
        };
        assert_eq!(&b.id.0[..3], &[5, 2, 0]);
    }
}
