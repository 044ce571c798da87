//! Conformance cases of the read side: listings and their cursors,
//! referrers, revocations, the event log, counts and the sync index.

use baraza_protocol::kinds::{Body, Endorsement, Revocation, Stance};
use baraza_protocol::sync::SyncKey;
use baraza_protocol::{Kind, ObjectId, SignedObject};

use super::{charter, comment, key, Engine, T0};
use crate::store::{Cursor, Listing, ObjectStore, StoreOptions};

/// Every page of `listing`, `limit` at a time: the objects' times and the
/// cursors handed out.
fn walk(store: &dyn ObjectStore, listing: &Listing, limit: usize) -> (Vec<u64>, Vec<Cursor>) {
    let (mut seen, mut cursors) = (Vec::new(), Vec::new());
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store.list(listing, cursor.as_ref(), limit).expect("list");
        seen.extend(page.objects.iter().map(|o| o.created_at()));
        match page.next {
            Some(next) => {
                cursors.push(next.clone());
                cursor = Some(next);
            }
            None => return (seen, cursors),
        }
    }
}

fn section(charter: ObjectId) -> Listing {
    Listing::Section {
        charter,
        section: "open".into(),
        kind: Kind::Comment,
    }
}

pub(super) async fn listings_page_with_cursors_in_time_order(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let mut all = vec![c.clone()];
    all.extend((0..25).rev().map(|n| comment(c.id(), n, None)));
    store.put(&all).await.expect("put");
    let (seen, cursors) = walk(&*store, &section(c.id()), 10);
    assert_eq!(seen, (0..25).map(|n| T0 + n).collect::<Vec<_>>());
    assert_eq!(cursors.len(), 2, "25 objects, 10 a page");
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

pub(super) async fn cursors_survive_their_string_form(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let mut all = vec![c.clone()];
    all.extend((0..7).map(|n| comment(c.id(), n, None)));
    store.put(&all).await.expect("put");
    let listing = section(c.id());
    let first = store.list(&listing, None, 3).expect("list");
    let next = first.next.expect("more pages");
    let parsed: Cursor = next.to_string().parse().expect("a cursor parses back");
    assert_eq!(parsed, next);
    let second = store.list(&listing, Some(&parsed), 3).expect("list");
    assert_eq!(
        second
            .objects
            .iter()
            .map(|o| o.created_at())
            .collect::<Vec<_>>(),
        vec![T0 + 3, T0 + 4, T0 + 5]
    );
    let last = store.list(&listing, second.next.as_ref(), 3).expect("list");
    assert_eq!(last.objects.len(), 1);
    assert!(last.next.is_none(), "no cursor after the last page");
    // A cursor past the end gives an empty page, not an error.
    let past: Cursor = "ff".repeat(40).parse().expect("cursor");
    assert!(store
        .list(&listing, Some(&past), 3)
        .expect("list")
        .objects
        .is_empty());
}

pub(super) async fn listings_by_kind_author_and_referrers_are_oldest_first(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let comments: Vec<SignedObject> = (0..5).rev().map(|n| comment(c.id(), n, None)).collect();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    store.put(&comments).await.expect("put");
    let oldest_first: Vec<u64> = (0..5).map(|n| T0 + n).collect();
    let author = comments[0].author();
    assert_eq!(walk(&*store, &Listing::Author(author), 2).0, oldest_first);
    assert_eq!(
        walk(&*store, &Listing::Kind(Kind::Comment), 2).0,
        oldest_first
    );
    let referrers = Listing::Referrers {
        target: c.id(),
        kind: None,
    };
    assert_eq!(walk(&*store, &referrers, 4).0, oldest_first);
    let none = Listing::Referrers {
        target: c.id(),
        kind: Some(Kind::Endorsement),
    };
    assert!(store
        .list(&none, None, 10)
        .expect("list")
        .objects
        .is_empty());
    let steward = Listing::Author(c.author());
    assert_eq!(walk(&*store, &steward, 10).0, vec![T0]);
}

pub(super) async fn referrers_and_revocations_are_found(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let a = comment(c.id(), 1, None);
    let support = SignedObject::sign(
        Body::Endorsement(Endorsement {
            created_at: T0 + 2,
            target: a.id(),
            stance: Stance::Support,
            statement: None,
            on_behalf_of: None,
        }),
        &key(3),
    )
    .expect("valid endorsement");
    let revocation = SignedObject::sign(
        Body::Revocation(Revocation {
            created_at: T0 + 3,
            key: key(3).public(),
            effective_from: T0 + 3,
            reason: "lost".into(),
        }),
        &key(3),
    )
    .expect("valid revocation");
    let out = store
        .put(&[c.clone(), a.clone(), support.clone(), revocation.clone()])
        .await
        .expect("put");
    assert!(out.iter().all(|o| o.is_ok()), "{out:?}");
    let ids = |objects: Vec<SignedObject>| objects.iter().map(|o| o.id()).collect::<Vec<_>>();
    assert_eq!(
        ids(store.referrers(&a.id()).expect("referrers")),
        vec![support.id()]
    );
    assert_eq!(
        ids(store.referrers(&c.id()).expect("referrers")),
        vec![a.id()]
    );
    assert!(store
        .referrers(&support.id())
        .expect("referrers")
        .is_empty());
    assert_eq!(
        ids(store.revocations_of(&key(3).public()).expect("revocations")),
        vec![revocation.id()]
    );
    assert!(store
        .revocations_of(&key(2).public())
        .expect("revocations")
        .is_empty());
    let endorsements = Listing::Referrers {
        target: a.id(),
        kind: Some(Kind::Endorsement),
    };
    assert_eq!(
        store
            .list(&endorsements, None, 10)
            .expect("list")
            .objects
            .len(),
        1
    );
}

pub(super) async fn holds_covers_stored_and_pending_objects(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let a = comment(c.id(), 1, None);
    let stranger = comment(c.id(), 2, None);
    assert!(!store.holds(&a.id()).expect("holds"));
    store.put(std::slice::from_ref(&a)).await.expect("put");
    assert!(store.is_pending(&a.id()).expect("is_pending"));
    assert!(
        store.holds(&a.id()).expect("holds"),
        "pending objects are held"
    );
    assert!(!store.contains(&a.id()).expect("contains"));
    assert!(store.get_bytes(&a.id()).expect("get_bytes").is_none());
    assert!(!store.holds(&stranger.id()).expect("holds"));
    store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(!store.is_pending(&a.id()).expect("is_pending"));
    assert!(store.holds(&a.id()).expect("holds"));
    assert!(store.contains(&a.id()).expect("contains"));
}

pub(super) async fn events_page_by_sequence_number(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    assert_eq!(store.last_seq(), 0);
    assert!(store.is_empty());
    let c = charter();
    let mut all = vec![c.clone()];
    all.extend((0..9).map(|n| comment(c.id(), n, None)));
    store.put(&all).await.expect("put");
    assert_eq!(store.last_seq(), 10);
    let first = store.events_after(0, 4).expect("events");
    assert_eq!(
        first.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(first[0].object.id(), c.id());
    let rest = store.events_after(4, 100).expect("events");
    assert_eq!(rest.len(), 6);
    assert_eq!(rest.last().map(|e| e.seq), Some(10));
    assert!(store.events_after(10, 100).expect("events").is_empty());
    assert_eq!(
        store.events_after(0, 0).expect("events").len(),
        1,
        "limit 0 reads as 1"
    );
}

pub(super) async fn the_sync_index_loads_after_open_and_misses_nothing_stored_meanwhile(
    engine: &dyn Engine,
) {
    let c = charter();
    let stored: Vec<SignedObject> = (1..=50).map(|n| comment(c.id(), n, None)).collect();
    let store = engine.open(StoreOptions::default());
    store.put(std::slice::from_ref(&c)).await.expect("put");
    store.put(&stored).await.expect("put");
    let store = engine.reopen(store).await;
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
    let late_key = SyncKey::new(late.created_at(), late.id());
    assert_eq!(
        store.with_sync_index(|index| index.contains(&late_key)),
        Some(true)
    );
    // Pending objects are not in it until they are stored.
    let orphan = comment(c.id(), 100, Some(ObjectId([7; 32])));
    store.put(std::slice::from_ref(&orphan)).await.expect("put");
    let orphan_key = SyncKey::new(orphan.created_at(), orphan.id());
    assert_eq!(
        store.with_sync_index(|index| index.contains(&orphan_key)),
        Some(false)
    );
}

pub(super) async fn counts_follow_the_kinds_stored(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    store
        .put(&[
            c.clone(),
            comment(c.id(), 1, None),
            comment(c.id(), 2, None),
        ])
        .await
        .expect("put");
    let count = |kind: Kind| {
        store
            .counts()
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, n)| *n)
    };
    assert_eq!(count(Kind::Charter), Some(1));
    assert_eq!(count(Kind::Comment), Some(2));
    assert_eq!(count(Kind::Endorsement), Some(0));
    assert_eq!(store.len(), 3);
    assert!(!store.is_empty());
    store.flush().await.expect("flush");
    assert!(store.size_on_disk().is_ok());
}
