//! Shared by the sync tests: a session between two in-memory stores, every
//! message passed through its wire encoding, and a tiny seeded generator.

#![allow(dead_code)]

use std::collections::BTreeSet;

use baraza_protocol::sync::{Reconciler, SortedVecStore, SyncKey, SyncMessage};
use baraza_protocol::ObjectId;

/// What both sides learnt in one session, and what it cost.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// Messages sent, the initiator's first included.
    pub(crate) messages: usize,
    /// Encoded bytes of all messages.
    pub(crate) bytes: usize,
    /// Largest single message.
    pub(crate) largest: usize,
    /// Initiator: keys it has that the responder lacks.
    pub(crate) a_have: BTreeSet<SyncKey>,
    /// Initiator: ids it lacks.
    pub(crate) a_need: BTreeSet<ObjectId>,
    /// Responder: keys it has that the initiator lacks.
    pub(crate) b_have: BTreeSet<SyncKey>,
    /// Responder: ids it lacks.
    pub(crate) b_need: BTreeSet<ObjectId>,
}

/// Runs a session from `a`'s initiative. `deliver(i)` says whether message
/// `i` arrives; a lost message ends the session with `None`.
pub(crate) fn run_session(
    ra: &Reconciler,
    rb: &Reconciler,
    a: &SortedVecStore,
    b: &SortedVecStore,
    max_messages: usize,
    mut deliver: impl FnMut(usize) -> bool,
) -> Option<Session> {
    let mut s = Session::default();
    let mut next = Some(ra.initiate(a));
    let mut to_b = true;
    while let Some(message) = next.take() {
        let bytes = message.encode();
        s.messages += 1;
        s.bytes += bytes.len();
        s.largest = s.largest.max(bytes.len());
        assert!(
            s.messages <= max_messages,
            "no convergence in {max_messages} messages"
        );
        if !deliver(s.messages) {
            return None;
        }
        let decoded = SyncMessage::decode(&bytes).expect("our own messages decode");
        assert_eq!(decoded, message, "encoding round-trips");
        let (r, store) = if to_b { (rb, b) } else { (ra, a) };
        let outcome = r
            .reconcile(store, &decoded)
            .expect("honest messages are valid");
        let (have, need) = if to_b {
            (&mut s.b_have, &mut s.b_need)
        } else {
            (&mut s.a_have, &mut s.a_need)
        };
        have.extend(outcome.have);
        need.extend(outcome.need);
        next = outcome.reply;
        to_b = !to_b;
    }
    Some(s)
}

/// Asserts that both sides learnt exactly the symmetric difference.
pub(crate) fn assert_exact(s: &Session, a: &SortedVecStore, b: &SortedVecStore) {
    let sa: BTreeSet<SyncKey> = a.as_slice().iter().copied().collect();
    let sb: BTreeSet<SyncKey> = b.as_slice().iter().copied().collect();
    let a_only: BTreeSet<SyncKey> = sa.difference(&sb).copied().collect();
    let b_only: BTreeSet<SyncKey> = sb.difference(&sa).copied().collect();
    let ids = |keys: &BTreeSet<SyncKey>| keys.iter().map(|k| k.id).collect::<BTreeSet<_>>();
    assert_eq!(s.a_have, a_only, "initiator's have");
    assert_eq!(s.b_need, ids(&a_only), "responder's need");
    assert_eq!(s.b_have, b_only, "responder's have");
    assert_eq!(s.a_need, ids(&b_only), "initiator's need");
}

/// SplitMix64: a small, seeded, dependency-free generator.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// A random key with a timestamp in `base..base + spread`.
    pub(crate) fn key(&mut self, base: u64, spread: u64) -> SyncKey {
        let mut id = [0u8; 32];
        for chunk in id.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        SyncKey::new(base + self.below(spread.max(1)), ObjectId(id))
    }
}
