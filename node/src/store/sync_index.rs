//! The store's in-memory [`SyncIndex`]: every stored object's sync key,
//! for reconciliation.
//!
//! Loading it reads the whole `t` index (at 1M objects, seconds from a cold
//! disk), so it is built by a thread of its own after `open` returns and
//! the node serves at once; until it is ready, reconciliation is refused
//! ([`SyncIndexCell::read`] gives `None`). Keys the writer stores
//! meanwhile go into the live index and are merged into the loaded one,
//! so nothing stored before or during the load is missed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::thread::JoinHandle;

use baraza_protocol::sync::{SyncIndex, SyncKey};

use super::keys;

/// Keys read between two looks at the stop flag.
const STOP_CHECK_EVERY: usize = 65_536;

/// The index, whether it is loaded, and its loader.
#[derive(Debug, Default)]
pub(crate) struct SyncIndexCell {
    index: RwLock<SyncIndex>,
    ready: AtomicBool,
    stop: AtomicBool,
    loader: Mutex<Option<JoinHandle<()>>>,
}

impl SyncIndexCell {
    /// Starts loading the index of `db` in the background.
    pub(crate) fn load(self: &std::sync::Arc<Self>, db: sled::Db) {
        let cell = self.clone();
        let spawned = std::thread::Builder::new()
            .name("baraza-sync-index".into())
            .spawn(move || cell.run(&db));
        match spawned {
            Ok(handle) => *self.loader.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the sync index loader; peers cannot sync with this node")
            }
        }
    }

    fn run(&self, db: &sled::Db) {
        let started = std::time::Instant::now();
        let mut loaded = SyncIndex::new();
        for (n, entry) in db.scan_prefix([keys::TIME]).enumerate() {
            if n % STOP_CHECK_EVERY == 0 && self.stop.load(Ordering::Relaxed) {
                return;
            }
            let key = match entry {
                Ok((k, _)) => keys::sync_key(&k),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the store's time index; peers cannot sync with this node");
                    return;
                }
            };
            match key {
                // Sorted input: each key appends without a search.
                Some(key) => {
                    loaded.insert(key);
                }
                None => tracing::warn!("skipped a malformed time index key"),
            }
        }
        let mut live = self.index.write().unwrap_or_else(|p| p.into_inner());
        loaded.extend(live.iter().copied());
        *live = loaded;
        self.ready.store(true, Ordering::Release);
        tracing::info!(
            keys = live.len(),
            millis = started.elapsed().as_millis() as u64,
            "sync index loaded"
        );
    }

    /// Adds keys of newly stored objects (the writer thread).
    pub(crate) fn insert(&self, keys: impl IntoIterator<Item = SyncKey>) {
        let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
        index.extend(keys);
    }

    /// Runs `f` over the index, or `None` while it is still loading.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&SyncIndex) -> R) -> Option<R> {
        if !self.ready.load(Ordering::Acquire) {
            return None;
        }
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        Some(f(&index))
    }

    /// Stops a load under way and waits for the loader (it holds a handle
    /// to the database).
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let handle = self.loader.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}
