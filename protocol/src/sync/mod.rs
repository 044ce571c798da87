//! Range-based set reconciliation (`/baraza/sync/1`): how two nodes find out
//! which objects one holds and the other lacks, at a cost that grows with the
//! difference rather than with their stores.
//!
//! The design is Aljoscha Meyer's "Range-Based Set Reconciliation" as
//! refined by the Negentropy protocol: both sides order their objects by
//! [`SyncKey`] (`created_at`, then id), compare [`Fingerprint`]s of ranges,
//! split the ranges that differ into sub-ranges, and exchange id lists once
//! ranges are small. This module is the pure core — a [`Reconciler`] that
//! turns one [`SyncMessage`] into a reply over a [`SyncStore`] — and has no
//! IO; the node drives it over its store and the network. [`SyncIndex`] is
//! the store a node keeps in memory over all its objects; [`SortedVecStore`]
//! the simpler one for tests and snapshots.
//!
//! ```
//! use baraza_protocol::sync::{Reconciler, SortedVecStore, SyncKey};
//! use baraza_protocol::ObjectId;
//!
//! let a = SortedVecStore::from_keys((0..100u8).map(|i| SyncKey::new(i.into(), ObjectId([i; 32]))));
//! let b = SortedVecStore::from_keys((1..101u8).map(|i| SyncKey::new(i.into(), ObjectId([i; 32]))));
//! let r = Reconciler::new();
//! let (mut need_a, mut need_b) = (Vec::new(), Vec::new());
//! let mut message = Some(r.initiate(&a));
//! let mut turn_b = true;
//! while let Some(m) = message.take() {
//!     let m = baraza_protocol::sync::SyncMessage::decode(&m.encode()).expect("valid");
//!     let (store, need) = if turn_b { (&b, &mut need_b) } else { (&a, &mut need_a) };
//!     let outcome = r.reconcile(store, &m).expect("honest peer");
//!     need.extend(outcome.need);
//!     message = outcome.reply;
//!     turn_b = !turn_b;
//! }
//! assert_eq!(need_a, vec![ObjectId([100; 32])]);
//! assert_eq!(need_b, vec![ObjectId([0; 32])]);
//! ```
//!
//! The wire format and the rules are specified in `docs/PROTOCOL.md`,
//! "Sync messages (/baraza/sync/1)".

mod builder;
mod error;
mod fenwick;
mod fingerprint;
mod index;
mod item;
mod message;
mod reconciler;
mod storage;
mod varint;
pub mod wire;

pub use error::SyncError;
pub use fingerprint::{Accumulator, Fingerprint, FINGERPRINT_BYTES};
pub use index::SyncIndex;
pub use item::{Bound, SyncKey};
pub use message::{Mode, SyncMessage, SyncRange};
pub use reconciler::{
    Outcome, Reconciler, DEFAULT_BRANCHING, DEFAULT_ID_LIST_THRESHOLD, MAX_BRANCHING,
    MAX_ID_LIST_THRESHOLD, MIN_FRAME_BYTES,
};
pub use storage::{SortedVecStore, SyncStore};
