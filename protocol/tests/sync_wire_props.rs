//! Hostile input for `/baraza/sync/1` frames: arbitrary bytes and mutated
//! valid frames never panic, and whatever decodes re-encodes to a frame
//! that decodes to the same value.

use baraza_protocol::sync::wire::{RefusalCode, SyncRequest, SyncResponse};
use baraza_protocol::sync::{Reconciler, SortedVecStore, SyncKey};
use baraza_protocol::ObjectId;
use proptest::prelude::*;

fn valid_frames() -> Vec<Vec<u8>> {
    let store = SortedVecStore::from_keys(
        (0..200u8).map(|i| SyncKey::new(u64::from(i) * 7, ObjectId([i; 32]))),
    );
    let message = Reconciler::new().initiate(&store);
    vec![
        SyncRequest::Reconcile {
            network: "baraza-main".into(),
            message: message.clone(),
        }
        .encode(),
        SyncRequest::Fetch {
            network: "baraza-main".into(),
            ids: (0..5u8).map(|i| ObjectId([i; 32])).collect(),
        }
        .encode(),
        SyncResponse::Reconcile(message).encode(),
        SyncResponse::Done.encode(),
        SyncResponse::Objects {
            objects: vec![vec![0xd2, 0x84, 0x40], vec![1, 2, 3]],
            truncated: true,
        }
        .encode(),
        SyncResponse::Refused {
            code: RefusalCode::Busy,
            reason: "later".into(),
        }
        .encode(),
    ]
}

fn check(bytes: &[u8]) {
    if let Ok(request) = SyncRequest::decode(bytes) {
        assert_eq!(
            SyncRequest::decode(&request.encode()).as_ref(),
            Ok(&request)
        );
    }
    if let Ok(response) = SyncResponse::decode(bytes) {
        assert_eq!(
            SyncResponse::decode(&response.encode()).as_ref(),
            Ok(&response)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }

    #[test]
    fn mutated_frames_never_panic(
        which in 0usize..6,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let mut frame = valid_frames().swap_remove(which);
        for (at, byte) in flips {
            let len = frame.len();
            frame[at % len] = byte;
        }
        if let Some(cut) = cut {
            frame.truncate(cut % (frame.len() + 1));
        }
        check(&frame);
    }
}
