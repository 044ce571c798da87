//! Conformance cases of the transparency log: every stored object is one
//! entry, in event-log order, appended once; the tree's roots and proofs
//! agree with the protocol's checks; the log and its checkpoints survive a
//! reopen.

use baraza_protocol::tlog::{self, LogLeaf};
use baraza_protocol::SignedObject;

use super::{charter, comment, release_until, Engine};
use crate::store::{LogQueryError, ObjectStore, PutOutcome, StoreOptions};

/// Every entry of `store`'s log, in order.
fn entries(store: &dyn ObjectStore) -> Vec<LogLeaf> {
    let mut out = Vec::new();
    loop {
        let page = store.log_leaves(out.len() as u64, 7).expect("leaves");
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// Checks every entry's inclusion in the whole tree, and every earlier
/// size's consistency with it.
fn check_tree(store: &dyn ObjectStore) {
    let size = store.log_size();
    let root = store.log_root(size).expect("root");
    for (index, leaf) in entries(store).iter().enumerate() {
        let index = index as u64;
        let entry = store.log_entry(&leaf.id).expect("entry").expect("logged");
        assert_eq!((entry.index, entry.leaf), (index, *leaf));
        let proof = store.log_inclusion(index, size).expect("proof");
        tlog::verify_inclusion(leaf.hash(), index, size, root, &proof).expect("included");
        let old_root = store.log_root(index + 1).expect("root");
        let proof = store.log_consistency(index + 1, size).expect("proof");
        tlog::verify_consistency(index + 1, old_root, size, root, &proof).expect("consistent");
    }
}

pub(super) async fn every_stored_object_is_logged_once_in_event_order(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    assert_eq!(store.log_size(), 0);
    assert_eq!(store.log_root(0).expect("empty root"), tlog::EMPTY_HASH);
    let c = charter();
    let a = comment(c.id(), 1, None);
    let b = comment(c.id(), 2, Some(a.id()));
    // b waits for a, which waits for c: logged when stored, not when offered.
    store.put(&[b.clone(), a.clone()]).await.expect("put");
    assert_eq!(store.log_size(), 0);
    assert!(store.log_entry(&a.id()).expect("entry").is_none());
    let plain: Vec<SignedObject> = (3..40).map(|n| comment(c.id(), n, None)).collect();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    store.put(&plain).await.expect("put");
    // Known objects are not logged again.
    store.put(&[c.clone(), a.clone()]).await.expect("put");
    let events = store.events_after(0, 1000).expect("events");
    let logged: Vec<_> = entries(&*store).iter().map(|l| l.id).collect();
    let stored: Vec<_> = events.iter().map(|e| e.object.id()).collect();
    assert_eq!(logged, stored, "the log is the event log's order");
    assert_eq!(store.log_size(), store.len());
    check_tree(&*store);
}

pub(super) async fn proofs_beyond_the_log_are_refused(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    assert!(matches!(
        store.log_root(2),
        Err(LogQueryError::BeyondLog { size: 1, asked: 2 })
    ));
    assert!(matches!(
        store.log_inclusion(1, 1),
        Err(LogQueryError::Range(_))
    ));
    assert!(matches!(
        store.log_consistency(2, 1),
        Err(LogQueryError::Range(_))
    ));
    assert!(store.log_leaves(1, 10).expect("leaves").is_empty());
    assert!(store.log_leaves(u64::MAX, 10).expect("leaves").is_empty());
}

pub(super) async fn the_log_and_its_checkpoints_survive_a_reopen(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    let first: Vec<SignedObject> = std::iter::once(c.clone())
        .chain((1..20).map(|n| comment(c.id(), n, None)))
        .collect();
    store.put(&first).await.expect("put");
    let root = store.log_root(20).expect("root");
    store
        .put_checkpoint(20, b"note of 20\n")
        .await
        .expect("keep");
    store.put_checkpoint(7, b"note of 7\n").await.expect("keep");
    let store = engine.reopen(store).await;
    assert_eq!(store.log_size(), 20);
    assert_eq!(store.log_root(20).expect("root"), root);
    assert_eq!(
        store.checkpoint(None).expect("latest"),
        Some((20, b"note of 20\n".to_vec()))
    );
    assert_eq!(
        store.checkpoint(Some(7)).expect("7"),
        Some((7, b"note of 7\n".to_vec()))
    );
    assert_eq!(store.checkpoint(Some(8)).expect("8"), None);
    // The first kept checkpoint holding at least n entries.
    assert_eq!(
        store.checkpoint_from(3).expect("from 3").map(|(s, _)| s),
        Some(7)
    );
    assert_eq!(
        store.checkpoint_from(7).expect("from 7").map(|(s, _)| s),
        Some(7)
    );
    assert_eq!(
        store.checkpoint_from(8).expect("from 8").map(|(s, _)| s),
        Some(20)
    );
    assert_eq!(store.checkpoint_from(21).expect("from 21"), None);
    // The log goes on where it was.
    let more: Vec<SignedObject> = (20..45).map(|n| comment(c.id(), n, None)).collect();
    let out = store.put(&more).await.expect("put");
    assert!(out
        .iter()
        .all(|o| matches!(o, Ok(PutOutcome::Stored { .. }))));
    assert_eq!(store.log_size(), 45);
    let proof = store.log_consistency(20, 45).expect("proof");
    tlog::verify_consistency(20, root, 45, store.log_root(45).expect("root"), &proof)
        .expect("the reopened log extends the old one");
    check_tree(&*store);
}

pub(super) async fn a_held_object_is_logged_when_it_is_stored(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    let c = charter();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    let soon = crate::store::now_ms() + baraza_protocol::limits::MAX_CLOCK_SKEW_MS + 300;
    let later = super::comment_at(c.id(), soon, None);
    let out = store.put(std::slice::from_ref(&later)).await.expect("put");
    assert!(matches!(out[0], Ok(PutOutcome::Held { .. })));
    assert_eq!(store.log_size(), 1);
    assert!(
        release_until(&store, |s| s.contains(&later.id()).unwrap_or(false)).await,
        "released"
    );
    let entry = store
        .log_entry(&later.id())
        .expect("entry")
        .expect("logged");
    assert_eq!(entry.index, 1);
    // Logged at the node's time of storing, which is when it came due.
    assert!(entry.leaf.time_ms + baraza_protocol::limits::MAX_CLOCK_SKEW_MS >= soon);
    check_tree(&*store);
}

pub(super) async fn records_are_kept_by_name_and_listed_by_prefix(engine: &dyn Engine) {
    let store = engine.open(StoreOptions::default());
    store.put_record("witness/b", b"2").await.expect("put");
    store.put_record("witness/a", b"1").await.expect("put");
    store.put_record("evidence/a/1", b"e").await.expect("put");
    store
        .put_record("witness/a", b"1 again")
        .await
        .expect("replace");
    let store = engine.reopen(store).await;
    assert_eq!(
        store.record("witness/a").expect("read"),
        Some(b"1 again".to_vec())
    );
    assert_eq!(store.record("witness/c").expect("read"), None);
    let names: Vec<String> = store
        .records_under("witness/", 10)
        .expect("list")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["witness/a", "witness/b"]);
    assert_eq!(store.records_under("witness/", 1).expect("list").len(), 1);
    assert!(store
        .records_under("nothing/", 10)
        .expect("list")
        .is_empty());
}
