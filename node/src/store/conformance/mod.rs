//! The store conformance suite: every [`ObjectStore`] engine runs every
//! case here (the model is rust-nostr's `database_unit_tests!`).
//!
//! Each case is an async function over an [`Engine`] (how to open a store
//! of one kind, and what a restart leaves of it); [`conformance!`] turns
//! the list of cases into one `#[tokio::test]` per case per engine. A case
//! that reopens its store checks durability on sled and, on the memory
//! engine, that a store carries on where it was (a memory store does not
//! outlive its process, so a "restart" hands back the same store).
//! Engine-only behaviour (a locked data dir, the disk reserve) lives in
//! `store/tests.rs`.

mod log;
mod reads;
mod writes;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use baraza_protocol::kinds::*;
use baraza_protocol::{Keypair, ObjectId, SignedObject};

use super::{MemoryStore, ObjectStore, SharedStore, SledStore, StoreOptions};

/// The time the fixtures are dated from.
pub(super) const T0: u64 = 1_706_745_600_000;

/// How the suite gets stores of one engine.
#[async_trait]
pub(super) trait Engine: Send + Sync {
    /// A new, empty store (one per engine value).
    fn open(&self, options: StoreOptions) -> SharedStore;
    /// The store as a restart of the node leaves it: closed and opened
    /// again from what it kept (sled), or the same store (memory).
    async fn reopen(&self, store: SharedStore) -> SharedStore;
}

/// Sled on a temporary directory.
pub(super) struct Sled(tempfile::TempDir);

impl Sled {
    pub(super) fn new() -> Sled {
        Sled(tempfile::tempdir().expect("tempdir"))
    }

    pub(super) fn dir(&self) -> &Path {
        self.0.path()
    }
}

#[async_trait]
impl Engine for Sled {
    fn open(&self, options: StoreOptions) -> SharedStore {
        Arc::new(SledStore::open(self.dir(), options).expect("store opens"))
    }

    async fn reopen(&self, store: SharedStore) -> SharedStore {
        store.close().await.expect("close");
        assert_eq!(
            Arc::strong_count(&store),
            1,
            "the case holds no other handle"
        );
        drop(store);
        self.open(StoreOptions::default())
    }
}

/// The in-memory engine.
pub(super) struct Memory;

#[async_trait]
impl Engine for Memory {
    fn open(&self, options: StoreOptions) -> SharedStore {
        Arc::new(MemoryStore::with_options(&options))
    }

    async fn reopen(&self, store: SharedStore) -> SharedStore {
        store
    }
}

/// One `#[tokio::test]` per case for one engine, in a module named for it.
macro_rules! conformance {
    ($engine:ident => $value:expr; $($case:ident),+ $(,)?) => {
        mod $engine {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(&$value).await
                }
            )+
        }
    };
}

/// The suite for one engine: every case, listed once.
macro_rules! conformance_suite {
    ($engine:ident => $value:expr) => {
        conformance!($engine => $value;
            // writes.rs
            put_is_idempotent_and_get_returns_the_same_bytes,
            a_duplicate_in_the_same_put_is_known,
            objects_wait_for_their_references_and_are_released_in_chains,
            plain_and_waiting_objects_mixed_in_one_put_keep_their_order,
            the_pending_set_is_bounded,
            concurrent_puts_are_each_stored_once_and_counted,
            everything_survives_a_reopen,
            a_future_dated_object_is_held_across_a_reopen_then_stored_when_its_time_comes,
            a_held_object_waits_on_its_references_once_released_and_far_future_is_refused,
            a_closed_store_refuses_writes_and_reads_go_on,
            // reads.rs
            listings_page_with_cursors_in_time_order,
            cursors_survive_their_string_form,
            listings_by_kind_author_and_referrers_are_oldest_first,
            referrers_and_revocations_are_found,
            holds_covers_stored_and_pending_objects,
            events_page_by_sequence_number,
            the_sync_index_loads_after_open_and_misses_nothing_stored_meanwhile,
            counts_follow_the_kinds_stored,
            // log.rs
            every_stored_object_is_logged_once_in_event_order,
            proofs_beyond_the_log_are_refused,
            the_log_and_its_checkpoints_survive_a_reopen,
            a_held_object_is_logged_when_it_is_stored,
            records_are_kept_by_name_and_listed_by_prefix,
        );
    };
}

use log::*;
use reads::*;
use writes::*;

conformance_suite!(sled => Sled::new());
conformance_suite!(memory => Memory);

/// A fixed key per number.
pub(super) fn key(n: u8) -> Keypair {
    Keypair::from_seed(&[n; 32])
}

/// A one-section charter signed by key 1.
pub(super) fn charter() -> SignedObject {
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
        witness_quorum: None,
    };
    SignedObject::sign(Body::Charter(body), &key(1)).expect("valid charter")
}

/// Comment `n` (dated `T0 + n`) on the charter's section, by key 2.
pub(super) fn comment(charter: ObjectId, n: u64, reply_to: Option<ObjectId>) -> SignedObject {
    comment_at(charter, T0 + n, reply_to)
}

/// A comment dated `created_at`, by key 2.
pub(super) fn comment_at(
    charter: ObjectId,
    created_at: u64,
    reply_to: Option<ObjectId>,
) -> SignedObject {
    let n = created_at.saturating_sub(T0);
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

/// Releases due objects every 100 ms until `check` holds (at most 30 s).
pub(super) async fn release_until(
    store: &SharedStore,
    mut check: impl FnMut(&SharedStore) -> bool,
) -> bool {
    for _ in 0..300 {
        store.release_due().await.expect("release");
        if check(store) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}
