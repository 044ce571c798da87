//! Range-based set reconciliation: encoding, hostile bytes, and that both
//! sides of a session learn exactly the symmetric difference.

mod sync_support;

use baraza_protocol::limits::{MAX_SYNC_IDS, MAX_SYNC_MESSAGE_BYTES, MAX_SYNC_RANGES};
use baraza_protocol::sync::*;
use baraza_protocol::ObjectId;
use proptest::prelude::*;
use sync_support::{assert_exact, run_session, Rng};

/// Two stores: `common` shared keys, `a_only` and `b_only` private ones, with
/// timestamps drawn from `spread` values (small spreads force id tie-breaks).
fn stores(
    seed: u64,
    common: usize,
    a_only: usize,
    b_only: usize,
    spread: u64,
) -> (SortedVecStore, SortedVecStore) {
    let mut rng = Rng(seed);
    let shared: Vec<SyncKey> = (0..common).map(|_| rng.key(1_000, spread)).collect();
    let a: Vec<SyncKey> = (0..a_only).map(|_| rng.key(1_000, spread)).collect();
    let b: Vec<SyncKey> = (0..b_only).map(|_| rng.key(1_000, spread)).collect();
    (
        SortedVecStore::from_keys(shared.iter().chain(&a).copied()),
        SortedVecStore::from_keys(shared.iter().chain(&b).copied()),
    )
}

fn id(byte: u8) -> ObjectId {
    ObjectId([byte; 32])
}

#[test]
fn identical_stores_settle_in_one_round_trip() {
    let (a, b) = stores(1, 5_000, 0, 0, 1 << 20);
    let s =
        run_session(&Reconciler::new(), &Reconciler::new(), &a, &b, 4, |_| true).expect("no loss");
    assert_eq!(s.messages, 1, "the responder finds every fingerprint equal");
    assert_exact(&s, &a, &b);
}

#[test]
fn empty_sides_exchange_everything() {
    let (a, b) = stores(2, 0, 0, 300, 50);
    let r = Reconciler::new();
    for (x, y) in [(&a, &b), (&b, &a)] {
        let s = run_session(&r, &r, x, y, 8, |_| true).expect("no loss");
        assert_exact(&s, x, y);
    }
    let empty = SortedVecStore::new();
    let s = run_session(&r, &r, &empty, &empty, 2, |_| true).expect("no loss");
    assert_eq!(s.messages, 1);
}

#[test]
fn large_differences_continue_over_bounded_frames() {
    let (a, b) = stores(3, 3_000, 2_500, 1_500, 1 << 16);
    let small = Reconciler::new().with_frame_limit(MIN_FRAME_BYTES);
    let s = run_session(&small, &small, &a, &b, 400, |_| true).expect("no loss");
    assert!(
        s.largest <= MIN_FRAME_BYTES,
        "largest message {}",
        s.largest
    );
    assert!(s.messages > 4, "the frame limit forced more rounds");
    assert_exact(&s, &a, &b);
}

#[test]
fn a_whole_store_for_an_empty_peer_is_cut_into_frames() {
    let (a, _) = stores(4, 0, 20_000, 0, 1 << 30);
    let small = Reconciler::new().with_frame_limit(MIN_FRAME_BYTES);
    let empty = SortedVecStore::new();
    for (x, y) in [(&a, &empty), (&empty, &a)] {
        let s = run_session(&small, &small, x, y, 2_000, |_| true).expect("no loss");
        assert!(s.largest <= MIN_FRAME_BYTES);
        assert_exact(&s, x, y);
    }
}

#[test]
fn encoding_is_compact_and_round_trips() {
    let key = SyncKey::new(1_700_000_000_000, id(0));
    let mut prefix = [0u8; 32];
    prefix[0] = 0xab;
    let m = SyncMessage {
        ranges: vec![
            SyncRange {
                upper: Bound::Key(key),
                mode: Mode::Skip,
            },
            SyncRange {
                upper: Bound::Key(SyncKey::new(1_700_000_000_005, ObjectId(prefix))),
                mode: Mode::Fingerprint(Fingerprint([7; 16])),
            },
            SyncRange {
                upper: Bound::Infinity,
                mode: Mode::Difference {
                    sender_only: vec![id(1)],
                    receiver_only: vec![],
                },
            },
        ],
    };
    let bytes = m.encode();
    // Skip: header, 6-byte delta, empty prefix. Fingerprint: header, delta 5,
    // 1-byte prefix, 16 bytes. Difference to Infinity: header, 1 id, 0 ids.
    assert_eq!(
        bytes.len(),
        (1 + 6 + 1) + (1 + 1 + 1 + 1 + 16) + (1 + 1 + 32 + 1)
    );
    assert_eq!(&bytes[8..12], &[0x01, 0x05, 0x01, 0xab]);
    // The worked example of docs/PROTOCOL.md §13.
    assert_eq!(
        hex::encode(&bytes),
        format!(
            "0080d095ffbc3100010501ab{}07{}{}00",
            "07".repeat(16),
            "01",
            "01".repeat(32)
        )
    );
    assert_eq!(SyncMessage::decode(&bytes), Ok(m.clone()));
    assert_eq!(bytes.len(), m.encoded_len());
}

#[test]
fn limits_and_malformed_input_are_refused() {
    let too_big = vec![0u8; MAX_SYNC_MESSAGE_BYTES + 1];
    assert!(matches!(
        SyncMessage::decode(&too_big),
        Err(SyncError::TooLarge { .. })
    ));
    // A count of ids far beyond the limit is refused before allocating.
    let mut huge = vec![0x06];
    huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(matches!(
        SyncMessage::decode(&huge),
        Err(SyncError::TooManyIds { .. })
    ));
    type Check = fn(&SyncError) -> bool;
    let cases: [(&[u8], Check); 6] = [
        (&[0x08], |e| matches!(e, SyncError::BadHeader { .. })),
        (&[0x01, 0x00, 0x00], |e| {
            matches!(e, SyncError::Truncated { .. })
        }),
        (&[0x00, 0x80, 0x00, 0x00], |e| {
            matches!(e, SyncError::BadVarint { .. })
        }),
        (&[0x00, 0x00, 0x01, 0x00], |e| {
            matches!(e, SyncError::BadPrefix { .. })
        }),
        (&[0x00, 0x00, 0x21], |e| {
            matches!(e, SyncError::BadPrefix { .. })
        }),
        (&[0x04, 0x04], |e| {
            matches!(e, SyncError::BoundsNotIncreasing { .. })
        }),
    ];
    for (bytes, expected) in cases {
        let err = SyncMessage::decode(bytes).expect_err("malformed");
        assert!(expected(&err), "{bytes:?}: {err:?}");
    }
    let many = SyncMessage {
        ranges: (0..=MAX_SYNC_RANGES as u64)
            .map(|t| SyncRange {
                upper: Bound::Key(SyncKey::new(t, id(0))),
                mode: Mode::Skip,
            })
            .collect(),
    };
    assert!(matches!(
        many.validate(),
        Err(SyncError::TooManyRanges { .. })
    ));
    assert!(matches!(
        SyncMessage::decode(&many.encode()),
        Err(SyncError::TooManyRanges { .. })
    ));
    let ids = SyncMessage {
        ranges: vec![SyncRange {
            upper: Bound::Infinity,
            mode: Mode::IdList(vec![id(3); MAX_SYNC_IDS + 1]),
        }],
    };
    let store = SortedVecStore::new();
    assert!(Reconciler::new().reconcile(&store, &ids).is_err());
}

#[test]
fn a_hostile_id_list_gets_a_bounded_answer() {
    let (a, _) = stores(5, 40_000, 0, 0, 1 << 30);
    let r = Reconciler::new().with_frame_limit(MIN_FRAME_BYTES);
    let list = SyncMessage {
        ranges: vec![SyncRange {
            upper: Bound::Infinity,
            mode: Mode::IdList(
                (0..(MAX_SYNC_IDS - 64) as u32)
                    .map(|i| ObjectId([i as u8; 32]))
                    .collect(),
            ),
        }],
    };
    let out = r.reconcile(&a, &list).expect("within limits");
    let reply = out.reply.expect("a reply");
    assert!(reply.encoded_len() <= MIN_FRAME_BYTES);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn both_sides_learn_exactly_the_difference(
        seed in any::<u64>(),
        common in 0usize..400,
        a_only in 0usize..60,
        b_only in 0usize..60,
        spread in prop_oneof![Just(1u64), Just(8), Just(1 << 40)],
        branching in 2usize..20,
        threshold in 1usize..40,
        b_branching in 2usize..20,
    ) {
        let (a, b) = stores(seed, common, a_only, b_only, spread);
        let ra = Reconciler::new().with_branching(branching).with_id_list_threshold(threshold);
        let rb = Reconciler::new().with_branching(b_branching);
        let s = run_session(&ra, &rb, &a, &b, 60, |_| true).expect("no loss");
        assert_exact(&s, &a, &b);
    }

    #[test]
    fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(m) = SyncMessage::decode(&bytes) {
            prop_assert_eq!(m.encode(), bytes, "one encoding per message");
            let (a, _) = stores(6, 200, 0, 0, 4);
            let _ = Reconciler::new().reconcile(&a, &m);
        }
    }

    #[test]
    fn mutated_messages_never_panic(seed in any::<u64>(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let (a, b) = stores(seed, 300, 30, 30, 16);
        let r = Reconciler::new();
        let first = r.initiate(&a);
        let reply = r.reconcile(&b, &first).expect("valid").reply.unwrap_or(first);
        let mut bytes = reply.encode();
        for (at, x) in flips {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] ^= x;
            }
        }
        if let Ok(m) = SyncMessage::decode(&bytes) {
            let _ = r.reconcile(&a, &m);
        }
    }
}
