//! Engine-only store tests: what only sled has (a data dir that can be
//! locked, a disk reserve), and the two engines side by side. Everything
//! both engines promise is in the conformance suite (`conformance/`).

use std::sync::Arc;

use super::conformance::{charter, comment, Sled};
use super::*;

fn open(dir: &std::path::Path) -> SledStore {
    SledStore::open(dir, StoreOptions::default()).expect("store opens")
}

#[tokio::test]
async fn a_data_dir_in_use_is_named_not_corrupted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    let c = charter();
    store.put(std::slice::from_ref(&c)).await.expect("put");
    let second = SledStore::open(dir.path(), StoreOptions::default());
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
async fn below_the_disk_reserve_writes_are_refused_and_reads_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = charter();
    {
        let store = open(dir.path());
        store.put(std::slice::from_ref(&c)).await.expect("put");
        store.close().await.expect("close");
    }
    let full = SledStore::open(
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
    drop(full);
    let store = open(dir.path());
    assert!(store.get(&a.id()).expect("get").is_none());
    let out = store.put(std::slice::from_ref(&a)).await.expect("put");
    assert!(matches!(out[0], Ok(PutOutcome::Stored { .. })));
}

#[tokio::test]
async fn engine_failures_read_as_storage_errors_without_naming_the_engine() {
    let error = sled_store::engine(sled::Error::Unsupported("test".into()));
    assert!(matches!(error, StoreError::Engine { .. }));
    assert!(error.to_string().starts_with("storage error: "), "{error}");
}

#[tokio::test]
async fn both_engines_list_in_the_same_order_with_the_same_cursors() {
    let sled = Sled::new();
    let engines: [SharedStore; 2] = [Arc::new(open(sled.dir())), Arc::new(MemoryStore::new())];
    let c = charter();
    let mut all = vec![c.clone()];
    // Same times for pairs of comments: ties are broken by id.
    all.extend((0..30).map(|n| comment(c.id(), n / 2, (n % 2 == 1).then(|| c.id()))));
    all.extend((0..30).rev().map(|n| comment(c.id(), 100 + n, None)));
    let listings = [
        Listing::Kind(Kind::Comment),
        Listing::Author(all[1].author()),
        Listing::Section {
            charter: c.id(),
            section: "open".into(),
            kind: Kind::Comment,
        },
        Listing::Referrers {
            target: c.id(),
            kind: None,
        },
    ];
    let mut walks = Vec::new();
    for store in &engines {
        store.put(&all).await.expect("put");
        let mut walk = Vec::new();
        for listing in &listings {
            let mut cursor: Option<Cursor> = None;
            loop {
                let page = store.list(listing, cursor.as_ref(), 7).expect("list");
                walk.push((
                    page.objects.iter().map(|o| o.id()).collect::<Vec<_>>(),
                    page.next.as_ref().map(Cursor::to_string),
                ));
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        walks.push(walk);
    }
    assert!(walks[0].len() > listings.len(), "several pages each");
    assert_eq!(walks[0], walks[1]);
}

#[tokio::test]
async fn a_data_dir_of_another_schema_is_refused_as_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let db = sled::open(dir.path()).expect("sled opens");
        db.insert(keys::meta("schema"), b"2".as_slice())
            .expect("insert");
        db.flush().expect("flush");
    }
    let opened = SledStore::open(dir.path(), StoreOptions::default());
    match opened {
        Err(StoreError::Corrupt { id, detail }) => {
            assert_eq!(id, "schema");
            assert!(detail.contains("schema \"2\""), "{detail}");
        }
        Err(other) => panic!("expected a schema error, got {other}"),
        Ok(_) => panic!("a data dir of another schema must be refused"),
    }
}

#[tokio::test]
async fn a_data_dir_from_before_the_log_is_logged_once_at_open_in_event_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = charter();
    let objects: Vec<_> = std::iter::once(c.clone())
        .chain((1..30).map(|n| comment(c.id(), n, None)))
        .collect();
    {
        let store = open(dir.path());
        store.put(&objects).await.expect("put");
        store.close().await.expect("close");
    }
    // What a node of the previous schema left: no log keys at all.
    {
        // sled's IO threads may hold the lock a moment after the close.
        let db = (0..120)
            .find_map(|_| {
                sled::open(dir.path()).ok().or_else(|| {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                    None
                })
            })
            .expect("sled opens once the closed store lets go");
        for prefix in [keys::LOG_HASH, keys::LOG_ENTRY, keys::LOG_LEAF] {
            for key in db.scan_prefix([prefix]).keys() {
                db.remove(key.expect("key")).expect("remove");
            }
        }
        db.remove(keys::meta(super::sled_batch::LOG_SIZE_KEY))
            .expect("remove");
        db.flush().expect("flush");
    }
    let before = now_ms();
    let store: SharedStore = Arc::new(open(dir.path()));
    assert_eq!(store.log_size(), 30);
    let leaves = store.log_leaves(0, 100).expect("leaves");
    let ids: Vec<_> = leaves.iter().map(|l| l.id).collect();
    let stored: Vec<_> = objects.iter().map(|o| o.id()).collect();
    assert_eq!(ids, stored);
    assert!(
        leaves.iter().all(|l| l.time_ms >= before),
        "logged at the open"
    );
    let root = store.log_root(30).expect("root");
    store.close().await.expect("close");
    drop(store);
    // Not again at the next open.
    let store: SharedStore = Arc::new(open(dir.path()));
    assert_eq!(store.log_size(), 30);
    assert_eq!(store.log_root(30).expect("root"), root);
}
