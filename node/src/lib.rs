//! The baraza node (store, p2p, api) arrives in later issues; this crate re-exports the protocol for now.
pub use baraza_protocol as protocol;
