//! [`SyncIndex`] against the reference [`SortedVecStore`]: the same keys,
//! inserted in random order (with repeats) into chunks of many sizes, must
//! answer every [`SyncStore`] query alike, and reconcile with it exactly.

mod sync_support;

use std::collections::BTreeSet;
use std::ops::Range;

use baraza_protocol::sync::*;
use baraza_protocol::ObjectId;
use proptest::prelude::*;
use sync_support::Rng;

/// `n` random keys with timestamps from `spread` values (small spreads force
/// id tie-breaks and bounds inside one millisecond).
fn random_keys(rng: &mut Rng, n: usize, spread: u64) -> Vec<SyncKey> {
    (0..n).map(|_| rng.key(1_000, spread)).collect()
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

/// Inserts `keys` in random order, each new key twice, checking the answers.
fn build_in_random_order(rng: &mut Rng, keys: &[SyncKey], chunk_capacity: usize) -> SyncIndex {
    let mut order = keys.to_vec();
    shuffle(rng, &mut order);
    let mut index = SyncIndex::with_chunk_capacity(chunk_capacity);
    let mut seen = BTreeSet::new();
    for key in order {
        assert_eq!(
            index.insert(key),
            seen.insert(key),
            "first insert of {key:?}"
        );
        if rng.chance(0.1) {
            assert!(!index.insert(key), "repeat insert of {key:?}");
        }
    }
    index
}

/// Bounds worth asking about: every kind of key bound near real keys, and the
/// extremes.
fn bounds(rng: &mut Rng, store: &SortedVecStore, n: usize) -> Vec<Bound> {
    let keys = store.as_slice();
    let mut out = vec![
        Bound::Infinity,
        Bound::Key(SyncKey::new(0, ObjectId([0; 32]))),
        Bound::Key(SyncKey::new(u64::MAX, ObjectId([0xff; 32]))),
    ];
    for _ in 0..n {
        out.push(Bound::Key(rng.key(1_000, 1 << 20)));
        if keys.is_empty() {
            continue;
        }
        let i = rng.below(keys.len() as u64) as usize;
        let at = keys[i];
        out.push(Bound::Key(at));
        out.push(Bound::Key(SyncKey::new(at.created_at, ObjectId([0; 32]))));
        out.push(Bound::Key(SyncKey::new(
            at.created_at,
            ObjectId([0xff; 32]),
        )));
        if let Some(next) = keys.get(i + 1) {
            out.push(Bound::between(&at, next));
        }
    }
    out
}

/// Ranges worth asking about: random ones, reversed ones (which clamp to
/// empty), empty ones, whole and beyond the end.
fn ranges(rng: &mut Rng, len: usize, n: usize) -> Vec<Range<usize>> {
    let mut out = vec![0..0, 0..len, len..len, 0..usize::MAX, len..len + 5];
    let span = len as u64 + 4;
    for _ in 0..n {
        let (a, b) = (rng.below(span) as usize, rng.below(span) as usize);
        out.push(a.min(b)..a.max(b));
        out.push(a.max(b)..a.min(b));
        out.push(a..a);
        // Short ranges, as a split's buckets are.
        out.push(a..a + rng.below(40) as usize);
    }
    out
}

/// Asserts that `index` answers every query as `store` does.
fn assert_agrees(rng: &mut Rng, index: &SyncIndex, store: &SortedVecStore, queries: usize) {
    assert_eq!(SyncStore::len(index), store.len());
    assert_eq!(index.len(), store.len());
    assert_eq!(index.is_empty(), store.is_empty());
    let all: Vec<SyncKey> = index.iter().copied().collect();
    assert_eq!(all, store.as_slice(), "every key, in order");
    for bound in bounds(rng, store, queries) {
        assert_eq!(
            index.lower_bound(&bound),
            store.lower_bound(&bound),
            "lower_bound({bound:?})"
        );
    }
    let len = store.len();
    for i in (0..queries).map(|_| rng.below(len as u64 + 3) as usize) {
        assert_eq!(index.key_at(i), store.key_at(i), "key_at({i})");
    }
    assert_eq!(index.key_at(len), None);
    assert_eq!(index.key_at(usize::MAX), None);
    for range in ranges(rng, len, queries) {
        let keys = index.keys(range.clone());
        assert_eq!(keys, store.keys(range.clone()), "keys({range:?})");
        let fingerprint = index.fingerprint(range.clone());
        assert_eq!(
            fingerprint,
            store.fingerprint(range.clone()),
            "fingerprint({range:?})"
        );
        let mut fresh = Accumulator::new();
        keys.iter().for_each(|k| fresh.add_id(&k.id));
        assert_eq!(
            fingerprint,
            fresh.fingerprint(),
            "fingerprint({range:?}) from scratch"
        );
    }
    for key in store.as_slice().iter().take(queries) {
        assert!(index.contains(key), "{key:?} held");
    }
    for _ in 0..queries {
        let key = rng.key(1_000, 1 << 20);
        assert_eq!(index.contains(&key), store.contains(&key), "{key:?}");
    }
}

/// What each side of a session learnt.
#[derive(Default)]
struct Learnt {
    a_have: BTreeSet<SyncKey>,
    a_need: BTreeSet<ObjectId>,
    b_have: BTreeSet<SyncKey>,
    b_need: BTreeSet<ObjectId>,
}

/// A session from `a`'s initiative (`ra` answering for `a`, `rb` for `b`),
/// every message through its encoding.
fn session(
    (ra, a): (&Reconciler, &dyn SyncStore),
    (rb, b): (&Reconciler, &dyn SyncStore),
    max_messages: usize,
) -> Learnt {
    let mut learnt = Learnt::default();
    let mut next = Some(ra.initiate(a));
    let mut messages = 0;
    let mut to_b = true;
    while let Some(message) = next.take() {
        messages += 1;
        assert!(
            messages <= max_messages,
            "no convergence in {max_messages} messages"
        );
        let message = SyncMessage::decode(&message.encode()).expect("our own messages decode");
        let (r, store) = if to_b { (rb, b) } else { (ra, a) };
        let outcome = r
            .reconcile(store, &message)
            .expect("honest messages are valid");
        let (have, need) = if to_b {
            (&mut learnt.b_have, &mut learnt.b_need)
        } else {
            (&mut learnt.a_have, &mut learnt.a_need)
        };
        have.extend(outcome.have);
        need.extend(outcome.need);
        next = outcome.reply;
        to_b = !to_b;
    }
    learnt
}

/// Asserts that both sides learnt exactly the symmetric difference.
fn assert_exact(learnt: &Learnt, a: &BTreeSet<SyncKey>, b: &BTreeSet<SyncKey>) {
    let a_only: BTreeSet<SyncKey> = a.difference(b).copied().collect();
    let b_only: BTreeSet<SyncKey> = b.difference(a).copied().collect();
    let ids = |keys: &BTreeSet<SyncKey>| keys.iter().map(|k| k.id).collect::<BTreeSet<_>>();
    assert_eq!(learnt.a_have, a_only, "initiator's have");
    assert_eq!(learnt.b_need, ids(&a_only), "responder's need");
    assert_eq!(learnt.b_have, b_only, "responder's have");
    assert_eq!(learnt.a_need, ids(&b_only), "initiator's need");
}

#[test]
fn an_empty_index_answers_like_an_empty_store() {
    let index = SyncIndex::new();
    assert!(index.is_empty());
    assert_eq!(index.lower_bound(&Bound::Infinity), 0);
    assert_eq!(
        index.lower_bound(&Bound::Key(SyncKey::new(5, ObjectId([1; 32])))),
        0
    );
    assert_eq!(index.key_at(0), None);
    assert_eq!(index.keys(0..10), Vec::new());
    assert_eq!(index.fingerprint(0..10), Accumulator::new().fingerprint());
    assert!(!index.contains(&SyncKey::new(5, ObjectId([1; 32]))));
    let store = SortedVecStore::new();
    assert_agrees(&mut Rng(1), &index, &store, 20);
}

#[test]
fn repeated_inserts_return_false_and_change_nothing() {
    let mut rng = Rng(2);
    let keys = random_keys(&mut rng, 3_000, 16);
    let mut index = SyncIndex::with_chunk_capacity(32);
    assert!(keys.iter().all(|k| index.insert(*k)), "all keys are new");
    let before = index.fingerprint(0..index.len());
    for key in keys.iter().rev() {
        assert!(!index.insert(*key), "{key:?} already held");
    }
    assert_eq!(index.len(), 3_000);
    assert_eq!(index.fingerprint(0..usize::MAX), before);
    // A key equal in time but not in id is new.
    let mut sibling = keys[0];
    sibling.id.0[31] ^= 1;
    assert!(index.insert(sibling));
    assert_eq!(index.len(), 3_001);
}

#[test]
fn a_large_index_agrees_with_a_sorted_vec_store() {
    let mut rng = Rng(3);
    let keys = random_keys(&mut rng, 60_000, 1 << 30);
    let index = build_in_random_order(&mut rng, &keys, SyncIndex::DEFAULT_CHUNK_CAPACITY);
    let store = SortedVecStore::from_keys(keys);
    assert_agrees(&mut rng, &index, &store, 400);
}

#[test]
fn a_bulk_build_from_sorted_keys_then_inserts_agrees() {
    let mut rng = Rng(4);
    let mut keys = random_keys(&mut rng, 20_000, 1 << 16);
    let store = SortedVecStore::from_keys(keys.iter().copied());
    let mut index: SyncIndex = store.as_slice().iter().copied().collect();
    assert_agrees(&mut rng, &index, &store, 200);
    // Inserts into the full chunks of a bulk build split them.
    let more = random_keys(&mut rng, 5_000, 1 << 16);
    for key in &more {
        assert!(index.insert(*key));
    }
    keys.extend(more);
    let store = SortedVecStore::from_keys(keys.iter().copied());
    assert_agrees(&mut rng, &index, &store, 200);
    // Unsorted input with repeats is accepted too.
    let mut shuffled = keys.clone();
    shuffled.extend_from_slice(&keys[..100]);
    shuffle(&mut rng, &mut shuffled);
    let collected: SyncIndex = shuffled.into_iter().collect();
    assert_agrees(&mut rng, &collected, &store, 50);
}

#[test]
fn large_stores_of_both_kinds_reconcile_exactly() {
    let mut rng = Rng(5);
    let shared = random_keys(&mut rng, 200_000, 1 << 40);
    let a_only = random_keys(&mut rng, 300, 1 << 40);
    let b_only = random_keys(&mut rng, 200, 1 << 40);
    let mut a: SyncIndex = SortedVecStore::from_keys(shared.iter().copied())
        .as_slice()
        .iter()
        .copied()
        .collect();
    a_only.iter().for_each(|k| assert!(a.insert(*k)));
    let b = SortedVecStore::from_keys(shared.iter().chain(&b_only).copied());
    let sa: BTreeSet<SyncKey> = a.iter().copied().collect();
    let sb: BTreeSet<SyncKey> = b.as_slice().iter().copied().collect();
    let r = Reconciler::new();
    assert_exact(&session((&r, &a), (&r, &b), 40), &sa, &sb);
    assert_exact(&session((&r, &b), (&r, &a), 40), &sb, &sa);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_a_sorted_vec_store(
        seed in any::<u64>(),
        n in prop_oneof![0usize..20, 20usize..3_000],
        spread in prop_oneof![Just(1u64), Just(8), Just(1 << 40)],
        chunk_capacity in prop_oneof![Just(2usize), Just(3), 4usize..40, Just(1024)],
    ) {
        let mut rng = Rng(seed);
        let keys = random_keys(&mut rng, n, spread);
        let index = build_in_random_order(&mut rng, &keys, chunk_capacity);
        let store = SortedVecStore::from_keys(keys);
        assert_agrees(&mut rng, &index, &store, 60);
    }

    #[test]
    fn reconciles_with_a_sorted_vec_store_exactly(
        seed in any::<u64>(),
        common in 0usize..1_500,
        a_only in 0usize..80,
        b_only in 0usize..80,
        spread in prop_oneof![Just(1u64), Just(8), Just(1 << 40)],
        chunk_capacity in prop_oneof![Just(2usize), 3usize..64, Just(1024)],
        branching in 2usize..20,
        threshold in 1usize..40,
        b_branching in 2usize..20,
    ) {
        let mut rng = Rng(seed);
        let shared = random_keys(&mut rng, common, spread);
        let mine = random_keys(&mut rng, a_only, spread);
        let theirs = random_keys(&mut rng, b_only, spread);
        let mut both: Vec<SyncKey> = shared.iter().chain(&mine).copied().collect();
        shuffle(&mut rng, &mut both);
        let a = build_in_random_order(&mut rng, &both, chunk_capacity);
        let b = SortedVecStore::from_keys(shared.iter().chain(&theirs).copied());
        let sa: BTreeSet<SyncKey> = a.iter().copied().collect();
        let sb: BTreeSet<SyncKey> = b.as_slice().iter().copied().collect();
        // The store's side uses the defaults: two peers that both list ids
        // only below 1 key would split a one-key range into itself forever.
        let ri = Reconciler::new().with_branching(branching).with_id_list_threshold(threshold);
        let rv = Reconciler::new().with_branching(b_branching);
        assert_exact(&session((&ri, &a), (&rv, &b), 80), &sa, &sb);
        assert_exact(&session((&rv, &b), (&ri, &a), 80), &sb, &sa);
    }
}
