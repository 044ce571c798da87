//! Conformance cases of the write path: idempotent puts, the pending set,
//! held objects, ordering of events, concurrency, close.

use baraza_protocol::limits::MAX_CLOCK_SKEW_MS;
use baraza_protocol::{Kind, ObjectId, SignedObject};

use super::{charter, comment, comment_at, release_until, Engine};
use crate::store::{now_ms, PutOutcome, StoreError, StoreOptions};

pub(super) async fn put_is_idempotent_and_get_returns_the_same_bytes(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let first = store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(matches!(first[0], Ok(PutOutcome::Stored { seq: 1, .. })));
    let again = store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(matches!(again[0], Ok(PutOutcome::Known)));
    assert_eq!(
        store.get(&c.id()).expect("get").expect("present").bytes(),
        c.bytes()
    );
    assert_eq!(
        store.get_bytes(&c.id()).expect("get_bytes").as_deref(),
        Some(c.bytes())
    );
    assert_eq!(store.len(), 1);
    assert!(store.put(&[]).await.expect("empty put").is_empty());
}

pub(super) async fn a_duplicate_in_the_same_put_is_known(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let out = store.put(&[c.clone(), c.clone()]).await.expect("put");
    assert!(matches!(out[0], Ok(PutOutcome::Stored { seq: 1, .. })));
    assert!(matches!(out[1], Ok(PutOutcome::Known)));
    assert_eq!(store.len(), 1);
}

pub(super) async fn objects_wait_for_their_references_and_are_released_in_chains(
    engine: &dyn Engine,
) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let a = comment(c.id(), 1, None);
    let b = comment(c.id(), 2, Some(a.id()));
    // Child first, then parent, then grandparent.
    let out = store.put(&[b.clone(), a.clone()]).await.expect("put");
    assert_eq!(
        out[0].as_ref().expect("ok"),
        &PutOutcome::Pending {
            missing: vec![c.id(), a.id()]
        }
    );
    assert_eq!(
        out[1].as_ref().expect("ok"),
        &PutOutcome::Pending {
            missing: vec![c.id()]
        }
    );
    assert_eq!(store.pending_len(), 2);
    assert!(!store.contains(&a.id()).expect("contains"));
    let mut events = store.subscribe();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(
        store.contains(&a.id()).expect("a released")
            && store.contains(&b.id()).expect("b released")
    );
    assert_eq!(store.pending_len(), 0);
    let order: Vec<ObjectId> = (0..3)
        .map(|_| events.try_recv().expect("event").object.id())
        .collect();
    assert_eq!(
        order,
        vec![c.id(), a.id(), b.id()],
        "parents before children"
    );
}

pub(super) async fn plain_and_waiting_objects_mixed_in_one_put_keep_their_order(
    engine: &dyn Engine,
) {
    let store = engine.open(StoreOptions::default());
    let mut events = store.subscribe();
    let c = charter();
    let early = comment(c.id(), 1, None);
    let reply = comment(c.id(), 2, Some(early.id()));
    let plain = comment(c.id(), 3, None);
    // `early` waits for the charter; the charter releases it; `reply` is
    // plain once `early` is stored; `plain` only needs the charter.
    let out = store
        .put(&[early.clone(), c.clone(), reply.clone(), plain.clone()])
        .await
        .expect("put");
    assert_eq!(
        out[0].as_ref().expect("ok"),
        &PutOutcome::Pending {
            missing: vec![c.id()]
        }
    );
    assert!(matches!(out[1], Ok(PutOutcome::Stored { seq: 1, .. })));
    assert!(matches!(out[2], Ok(PutOutcome::Stored { seq: 3, .. })));
    assert!(matches!(out[3], Ok(PutOutcome::Stored { seq: 4, .. })));
    assert_eq!(store.pending_len(), 0);
    let order: Vec<ObjectId> = (0..4)
        .map(|_| events.try_recv().expect("event").object.id())
        .collect();
    assert_eq!(order, vec![c.id(), early.id(), reply.id(), plain.id()]);
}

pub(super) async fn the_pending_set_is_bounded(engine: &dyn Engine) {
    let store = engine.open(StoreOptions {
        max_pending: 2,
        on_flush: None,
        ..StoreOptions::default()
    });
    let c = charter();
    let waiting: Vec<SignedObject> = (0..3).map(|n| comment(c.id(), n, None)).collect();
    let out = store.put(&waiting).await.expect("put");
    assert!(matches!(out[2], Err(StoreError::PendingFull { limit: 2 })));
    assert_eq!(store.pending_len(), 2);
    // The ones that got in are released all the same.
    store.put(std::slice::from_ref(&c)).await.expect("put");
    assert_eq!(store.pending_len(), 0);
    assert_eq!(store.len(), 3);
}

pub(super) async fn concurrent_puts_are_each_stored_once_and_counted(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    let comments: Vec<SignedObject> = (0..200).map(|n| comment(c.id(), n, None)).collect();
    let tasks: Vec<_> = (0..16)
        .map(|t| {
            let (store, comments) = (store.clone(), comments.clone());
            tokio::spawn(async move {
                let mut stored = 0;
                // Every task offers every comment: each is stored once.
                for i in 0..comments.len() {
                    let object = &comments[(i + t * 13) % comments.len()];
                    let out = store.put(std::slice::from_ref(object)).await.expect("put");
                    if matches!(out[0], Ok(PutOutcome::Stored { .. })) {
                        stored += 1;
                    }
                }
                stored
            })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        stored += task.await.expect("task");
    }
    assert_eq!(stored, 200);
    assert_eq!(store.len(), 201);
    assert_eq!(store.last_seq(), 201);
    let store = engine.reopen(store).await;
    assert_eq!(store.len(), 201, "counts survive a reopen");
    assert_eq!(store.events_after(0, 1000).expect("events").len(), 201);
}

pub(super) async fn everything_survives_a_reopen(engine: &dyn Engine) {
    let c = charter();
    let a = comment(c.id(), 1, None);
    let store = engine.open(StoreOptions::default());
    store.put(&[c.clone(), a.clone()]).await.expect("put");
    store
        .put(&[comment(c.id(), 2, Some(ObjectId([7; 32])))])
        .await
        .expect("put pending");
    let store = engine.reopen(store).await;
    assert!(store.contains(&a.id()).expect("contains"));
    assert_eq!(store.len(), 2);
    assert_eq!(store.pending_len(), 1);
    assert_eq!(store.last_seq(), 2);
    let events = store.events_after(1, 10).expect("events");
    assert_eq!(
        events.iter().map(|e| e.object.id()).collect::<Vec<_>>(),
        vec![a.id()]
    );
    let d = comment(c.id(), 3, None);
    let out = store.put(std::slice::from_ref(&d)).await.expect("put");
    assert!(
        matches!(out[0], Ok(PutOutcome::Stored { seq: 3, .. })),
        "sequence continues after reopen"
    );
    assert_eq!(
        store
            .counts()
            .iter()
            .find(|(k, _)| *k == Kind::Comment)
            .map(|(_, n)| *n),
        Some(2)
    );
}

pub(super) async fn a_future_dated_object_is_held_across_a_reopen_then_stored_when_its_time_comes(
    engine: &dyn Engine,
) {
    let c = charter();
    // Due two seconds from now: ahead of the clock by more than the skew.
    let due = now_ms() + MAX_CLOCK_SKEW_MS + 2_000;
    let early = comment_at(c.id(), due, None);
    let store = engine.open(StoreOptions::default());
    store.put(std::slice::from_ref(&c)).await.expect("put");
    let out = store.put(std::slice::from_ref(&early)).await.expect("put");
    assert_eq!(
        out[0].as_ref().expect("held"),
        &PutOutcome::Held {
            until: due - MAX_CLOCK_SKEW_MS
        }
    );
    let again = store.put(std::slice::from_ref(&early)).await.expect("put");
    assert!(matches!(again[0], Ok(PutOutcome::Held { .. })));
    assert_eq!((store.held_len(), store.pending_len()), (1, 1));
    assert!(store.get(&early.id()).expect("get").is_none());
    assert!(
        store.holds(&early.id()).expect("holds"),
        "a held object is here"
    );
    store.release_due().await.expect("release");
    assert!(
        store.get(&early.id()).expect("get").is_none(),
        "released before its time"
    );
    let store = engine.reopen(store).await;
    assert_eq!(store.held_len(), 1, "held objects survive a reopen");
    let mut events = store.subscribe();
    let released = release_until(&store, |s| s.get(&early.id()).expect("get").is_some()).await;
    assert!(released, "the held object was never stored");
    assert_eq!((store.held_len(), store.pending_len()), (0, 0));
    let event = events.recv().await.expect("event");
    assert_eq!(
        event.object.id(),
        early.id(),
        "released objects are announced"
    );
}

pub(super) async fn a_held_object_waits_on_its_references_once_released_and_far_future_is_refused(
    engine: &dyn Engine,
) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let early = comment_at(c.id(), now_ms() + MAX_CLOCK_SKEW_MS + 500, None);
    let out = store.put(std::slice::from_ref(&early)).await.expect("put");
    assert!(matches!(out[0], Ok(PutOutcome::Held { .. })));
    let released = release_until(&store, |s| s.held_len() == 0).await;
    assert!(released);
    assert_eq!(store.pending_len(), 1, "now pending on the charter");
    store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(store.get(&early.id()).expect("get").is_some());
    assert_eq!(store.pending_len(), 0);

    let far = comment_at(c.id(), now_ms() + 30 * 24 * 3600 * 1000, None);
    let out = store.put(std::slice::from_ref(&far)).await.expect("put");
    assert!(
        matches!(out[0], Err(StoreError::TooFarAhead { .. })),
        "{out:?}"
    );
    assert_eq!(store.pending_len(), 0);
}

pub(super) async fn a_closed_store_refuses_writes_and_reads_go_on(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    store.close().await.expect("close");
    let refused = store.put(&[comment(c.id(), 1, None)]).await;
    assert!(matches!(refused, Err(StoreError::Closed)), "{refused:?}");
    assert!(matches!(store.release_due().await, Err(StoreError::Closed)));
    assert!(store.get(&c.id()).expect("reads go on").is_some());
    assert_eq!(store.len(), 1);
}
