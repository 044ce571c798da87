//! Store tests on real sled directories.

use super::*;
use baraza_protocol::kinds::*;
use baraza_protocol::Keypair;

const T0: u64 = 1_706_745_600_000;

fn key(n: u8) -> Keypair {
    Keypair::from_seed(&[n; 32])
}

fn charter() -> SignedObject {
    let body = Charter {
        created_at: T0,
        title: "IWW".into(),
        summary: None,
        sections: vec![Section {
            slug: "open".into(),
            title: "Open".into(),
            summary: None,
        }],
        phases: vec![Phase {
            name: "consultation".into(),
            opens: T0,
            closes: T0 + 1000,
            accepts: vec![Kind::Comment],
        }],
        stewards: vec![key(1).public()],
        threshold: 1,
        policy: EndorsementPolicy {
            min_nris: 0,
            min_regions: 0,
            groups: vec![],
        },
        languages: vec!["en".into()],
    };
    SignedObject::sign(Body::Charter(body), &key(1)).expect("valid charter")
}

fn comment(charter: ObjectId, n: u64, reply_to: Option<ObjectId>) -> SignedObject {
    comment_at(charter, T0 + n, reply_to)
}

fn comment_at(charter: ObjectId, created_at: u64, reply_to: Option<ObjectId>) -> SignedObject {
    let n = created_at - T0;
    let body = Comment {
        created_at,
        charter,
        section: "open".into(),
        draft: None,
        anchor: None,
        in_reply_to: reply_to,
        language: "en".into(),
        text: format!("comment {n}"),
    };
    SignedObject::sign(Body::Comment(body), &key(2)).expect("valid comment")
}

fn open(dir: &Path) -> Store {
    Store::open(dir, StoreOptions::default()).expect("store opens")
}

#[tokio::test]
async fn put_is_idempotent_and_get_returns_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    let c = charter();
    let first = store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(matches!(first[0], Ok(PutOutcome::Stored { seq: 1 })));
    let again = store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(matches!(again[0], Ok(PutOutcome::Known)));
    assert_eq!(
        store.get(&c.id()).expect("get").expect("present").bytes(),
        c.bytes()
    );
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn objects_wait_for_their_references_and_are_released_in_chains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
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

#[tokio::test]
async fn the_pending_set_is_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(
        dir.path(),
        StoreOptions {
            max_pending: 2,
            on_flush: None,
            ..StoreOptions::default()
        },
    )
    .expect("open");
    let c = charter();
    let waiting: Vec<SignedObject> = (0..3).map(|n| comment(c.id(), n, None)).collect();
    let out = store.put(&waiting).await.expect("put");
    assert!(matches!(out[2], Err(StoreError::PendingFull { limit: 2 })));
    assert_eq!(store.pending_len(), 2);
}

#[tokio::test]
async fn listings_page_with_cursors_in_time_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    let c = charter();
    let mut all = vec![c.clone()];
    all.extend((0..25).rev().map(|n| comment(c.id(), n, None)));
    store.put(&all).await.expect("put");
    let listing = Listing::Section {
        charter: c.id(),
        section: "open".into(),
        kind: Kind::Comment,
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.list(&listing, cursor.as_deref(), 10).expect("list");
        seen.extend(page.objects.iter().map(|o| o.created_at()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, (0..25).map(|n| T0 + n).collect::<Vec<_>>());
    let by_ref = store
        .list(
            &Listing::Referrers {
                target: c.id(),
                kind: Some(Kind::Comment),
            },
            None,
            1000,
        )
        .expect("list");
    assert_eq!(by_ref.objects.len(), 25);
    let by_kind = store
        .list(&Listing::Kind(Kind::Charter), None, 1000)
        .expect("list");
    assert_eq!(by_kind.objects.len(), 1);
}

#[tokio::test]
async fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = charter();
    let a = comment(c.id(), 1, None);
    {
        let store = open(dir.path());
        store.put(&[c.clone(), a.clone()]).await.expect("put");
        store
            .put(&[comment(c.id(), 2, Some(ObjectId([7; 32])))])
            .await
            .expect("put pending");
        store.close().await.expect("close");
    }
    let store = open(dir.path());
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
        matches!(out[0], Ok(PutOutcome::Stored { seq: 3 })),
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

#[tokio::test]
async fn a_duplicate_in_the_same_put_is_known() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    let c = charter();
    let out = store.put(&[c.clone(), c.clone()]).await.expect("put");
    assert!(matches!(out[0], Ok(PutOutcome::Stored { seq: 1 })));
    assert!(matches!(out[1], Ok(PutOutcome::Known)));
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn plain_and_waiting_objects_mixed_in_one_put_keep_their_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
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
    assert!(matches!(out[1], Ok(PutOutcome::Stored { seq: 1 })));
    assert!(matches!(out[2], Ok(PutOutcome::Stored { seq: 3 })));
    assert!(matches!(out[3], Ok(PutOutcome::Stored { seq: 4 })));
    assert_eq!(store.pending_len(), 0);
    let order: Vec<ObjectId> = (0..4)
        .map(|_| events.try_recv().expect("event").object.id())
        .collect();
    assert_eq!(order, vec![c.id(), early.id(), reply.id(), plain.id()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_puts_are_each_stored_once_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(open(dir.path()));
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
    let store = Arc::into_inner(store).expect("only handle");
    store.close().await.expect("close");
    let store = open(dir.path());
    assert_eq!(store.len(), 201, "counts survive a reopen");
    assert_eq!(store.events_after(0, 1000).expect("events").len(), 201);
}

#[tokio::test]
async fn a_data_dir_in_use_is_named_not_corrupted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    let c = charter();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    let second = Store::open(dir.path(), StoreOptions::default());
    assert!(
        matches!(second, Err(StoreError::Locked { .. })),
        "a second open must say the dir is in use"
    );
    assert!(
        store.contains(&c.id()).expect("contains"),
        "the first store is untouched"
    );
}

#[tokio::test]
async fn the_sync_index_loads_after_open_and_misses_nothing_stored_meanwhile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = charter();
    let stored: Vec<SignedObject> = (1..=50).map(|n| comment(c.id(), n, None)).collect();
    {
        let store = open(dir.path());
        store.put(std::slice::from_ref(&c)).await.expect("put");
        store.put(&stored).await.expect("put");
        store.close().await.expect("close");
    }
    let store = open(dir.path());
    // Stored while the index may still be loading.
    let late = comment(c.id(), 99, None);
    store.put(std::slice::from_ref(&late)).await.expect("put");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let len = loop {
        if let Some(len) = store.with_sync_index(|index| index.len()) {
            break len;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index never loaded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert_eq!(len, 52, "the charter, 50 comments and the late one");
    let late_key = baraza_protocol::sync::SyncKey::new(late.created_at(), late.id());
    assert_eq!(
        store.with_sync_index(|index| index.contains(&late_key)),
        Some(true)
    );
}

/// Releases due objects every 100 ms until `check` holds (at most 30 s).
async fn release_until(store: &Store, mut check: impl FnMut(&Store) -> bool) -> bool {
    for _ in 0..300 {
        store.release_due().await.expect("release");
        if check(store) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_future_dated_object_is_held_across_a_reopen_then_stored_when_its_time_comes() {
    use baraza_protocol::limits::MAX_CLOCK_SKEW_MS;
    let dir = tempfile::tempdir().expect("tempdir");
    let c = charter();
    // Due two seconds from now: ahead of the clock by more than the skew.
    let due = now_ms() + MAX_CLOCK_SKEW_MS + 2_000;
    let early = comment_at(c.id(), due, None);
    {
        let store = open(dir.path());
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
        store.release_due().await.expect("release");
        assert!(
            store.get(&early.id()).expect("get").is_none(),
            "released before its time"
        );
        store.close().await.expect("close");
    }
    let store = open(dir.path());
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

#[tokio::test]
async fn a_held_object_waits_on_its_references_once_released_and_far_future_is_refused() {
    use baraza_protocol::limits::MAX_CLOCK_SKEW_MS;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
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

#[tokio::test]
async fn below_the_disk_reserve_writes_are_refused_and_reads_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = charter();
    {
        let store = open(dir.path());
        store.put(std::slice::from_ref(&c)).await.expect("put");
        store.close().await.expect("close");
    }
    let full = Store::open(
        dir.path(),
        StoreOptions {
            min_free_bytes: u64::MAX,
            ..StoreOptions::default()
        },
    )
    .expect("open");
    let a = comment(c.id(), 1, None);
    let refused = full.put(std::slice::from_ref(&a)).await;
    let error = refused.expect_err("refused");
    assert!(matches!(error, StoreError::DiskFull { .. }), "{error}");
    assert!(error.to_string().contains("reserve"), "{error}");
    assert!(full.get(&c.id()).expect("reads go on").is_some());
    full.close().await.expect("close");
    let store = open(dir.path());
    assert!(store.get(&a.id()).expect("get").is_none());
    let out = store.put(std::slice::from_ref(&a)).await.expect("put");
    assert!(matches!(out[0], Ok(PutOutcome::Stored { .. })));
}
