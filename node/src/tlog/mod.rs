//! The node's side of the transparency log (PROTOCOL.md §14). The store
//! appends every stored object to the log in its group commit
//! (`store/log.rs`); here the node key speaks for it:
//!
//! - [`Notary`]: signs receipts for submitted objects and checkpoints of
//!   the tree, with the node key, as the log `baraza/log/<node did:key>`.
//! - [`checkpointer`]: the task that signs a checkpoint whenever the log
//!   has grown, every `tlog.checkpoint_interval_secs`, and then asks the
//!   witnesses ([`Cosigning`]) for their cosignatures.
//! - [`Witness`]: this node as a witness of its peers' logs, and the
//!   equivocation evidence it keeps ([`equivocations`]).

pub mod checkpointer;
mod cosigning;
mod notary;
mod witness;

pub use cosigning::{Cosigning, MAX_WITNESSES};
pub use notary::Notary;
pub use witness::{equivocations, Witness, MAX_EVIDENCE_LOGS, MAX_WITNESSED_LOGS};
