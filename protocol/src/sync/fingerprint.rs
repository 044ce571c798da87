//! Range fingerprints: an order-independent, incremental summary of a set of ids.
//!
//! The [`Accumulator`] of a set is the sum of its ids, each read as a 256-bit
//! little-endian integer, modulo 2^256, together with the number of ids.
//! Sums can be added and subtracted, so a store that keeps prefix sums gets
//! the accumulator of any range from two lookups. The [`Fingerprint`] sent on
//! the wire is `SHA-256(sum ‖ varint(count))` truncated to 16 bytes (the
//! construction of Negentropy). The hash makes it hard to build a different
//! set with the same fingerprint on purpose; the count makes sets of
//! different sizes differ even when their sums collide.

use sha2::{Digest, Sha256};

use super::varint;
use crate::ObjectId;

/// Bytes of a [`Fingerprint`].
pub const FINGERPRINT_BYTES: usize = 16;

/// The fingerprint of a range of keys, as sent in `Fingerprint` ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; FINGERPRINT_BYTES]);

/// Sum (mod 2^256) and count of a multiset of ids; see the module docs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accumulator {
    /// The sum as four 64-bit limbs, least significant first.
    sum: [u64; 4],
    /// How many ids were added (minus how many were subtracted).
    count: u64,
}

impl Accumulator {
    /// The accumulator of the empty set.
    pub fn new() -> Accumulator {
        Accumulator::default()
    }

    /// Adds one id.
    pub fn add_id(&mut self, id: &ObjectId) {
        let limbs = limbs_of(id);
        self.add(&Accumulator {
            sum: limbs,
            count: 1,
        });
    }

    /// Adds many ids; the same as [`add_id`](Accumulator::add_id) on each,
    /// several times faster on long runs. Each limb is summed in its own
    /// 128-bit lane and carries cross limbs once, at the end (the lanes
    /// cannot overflow before 2^64 ids).
    pub fn add_ids<'a>(&mut self, ids: impl IntoIterator<Item = &'a ObjectId>) {
        let mut lanes = [0u128; 4];
        let mut count = 0u64;
        for id in ids {
            for (lane, limb) in lanes.iter_mut().zip(limbs_of(id)) {
                *lane += u128::from(limb);
            }
            count += 1;
        }
        let mut sum = [0u64; 4];
        let mut carry = 0u128;
        for (limb, lane) in sum.iter_mut().zip(lanes) {
            let total = lane + carry;
            *limb = total as u64;
            carry = total >> 64;
        }
        self.add(&Accumulator { sum, count });
    }

    /// Adds another accumulator (the union of disjoint sets).
    pub fn add(&mut self, other: &Accumulator) {
        let mut carry = false;
        for (a, b) in self.sum.iter_mut().zip(other.sum) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *a = s2;
            carry = c1 || c2;
        }
        self.count = self.count.wrapping_add(other.count);
    }

    /// Subtracts another accumulator (removes a subset).
    pub fn sub(&mut self, other: &Accumulator) {
        let mut borrow = false;
        for (a, b) in self.sum.iter_mut().zip(other.sum) {
            let (d1, b1) = a.overflowing_sub(b);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *a = d2;
            borrow = b1 || b2;
        }
        self.count = self.count.wrapping_sub(other.count);
    }

    /// How many ids are summed.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum as 32 little-endian bytes.
    pub fn sum_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(self.sum) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    /// `SHA-256(sum ‖ varint(count))`, first 16 bytes.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut input = Vec::with_capacity(32 + 10);
        input.extend_from_slice(&self.sum_bytes());
        varint::put(&mut input, self.count);
        let digest = Sha256::digest(&input);
        let mut out = [0u8; FINGERPRINT_BYTES];
        out.copy_from_slice(&digest[..FINGERPRINT_BYTES]);
        Fingerprint(out)
    }
}

fn limbs_of(id: &ObjectId) -> [u64; 4] {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(id.0.chunks_exact(8)) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(bytes);
    }
    limbs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(ids: &[ObjectId]) -> Accumulator {
        let mut a = Accumulator::new();
        ids.iter().for_each(|id| a.add_id(id));
        a
    }

    #[test]
    fn order_independent_and_subtractable() {
        let ids: Vec<ObjectId> = (0u8..20)
            .map(|i| ObjectId([i.wrapping_mul(97); 32]))
            .collect();
        let mut rev = ids.clone();
        rev.reverse();
        assert_eq!(acc(&ids).fingerprint(), acc(&rev).fingerprint());
        let mut whole = acc(&ids);
        whole.sub(&acc(&ids[..7]));
        assert_eq!(whole, acc(&ids[7..]));
    }

    #[test]
    fn adding_many_ids_at_once_equals_one_by_one() {
        let ids: Vec<ObjectId> = (0u8..=255)
            .map(|i| ObjectId([i.wrapping_mul(193) | 0x80; 32]))
            .collect();
        for n in [0, 1, 2, 3, 100, 256] {
            let mut bulk = acc(&ids[..1]);
            bulk.add_ids(&ids[..n]);
            let mut one_by_one = acc(&ids[..1]);
            ids[..n].iter().for_each(|id| one_by_one.add_id(id));
            assert_eq!(bulk, one_by_one, "{n} ids");
        }
        // All-ones ids carry through every limb and wrap.
        let mut wrap = Accumulator::new();
        wrap.add_ids(&[ObjectId([0xff; 32]), ObjectId([0xff; 32])]);
        let mut sum = [0xff; 32];
        sum[0] = 0xfe;
        assert_eq!(wrap.sum_bytes(), sum, "2 * (2^256 - 1) wraps to 2^256 - 2");
        assert_eq!(wrap.count(), 2);
    }

    #[test]
    fn sum_carries_and_wraps() {
        let a = acc(&[
            ObjectId([0xff; 32]),
            ObjectId({
                let mut one = [0u8; 32];
                one[0] = 1;
                one
            }),
        ]);
        assert_eq!(a.sum_bytes(), [0u8; 32], "2^256 - 1 + 1 wraps to 0");
        assert_eq!(a.count(), 2);
        assert_ne!(a.fingerprint(), Accumulator::new().fingerprint());
    }

    /// The worked example of docs/PROTOCOL.md "Sync messages".
    #[test]
    fn documented_example() {
        let mut first = [0u8; 32];
        first[0] = 0xff;
        let mut second = [0u8; 32];
        second[0] = 0x02;
        second[31] = 0x01;
        let a = acc(&[ObjectId(first), ObjectId(second)]);
        let mut sum = [0u8; 32];
        sum[0] = 0x01;
        sum[1] = 0x01;
        sum[31] = 0x01;
        assert_eq!(a.sum_bytes(), sum);
        assert_eq!(
            hex::encode(a.fingerprint().0),
            "99e096f4b263ea9e55597b50d896579a"
        );
        assert_eq!(
            hex::encode(Accumulator::new().fingerprint().0),
            "7f9c9e31ac8256ca2f258583df262dbc"
        );
    }
}
