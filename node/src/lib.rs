//! # baraza-node
//!
//! An NRI's node: a durable store of verified signed objects ([`store`]), and
//! (in progress) the HTTP API and the peer protocol around it.

pub mod store;

pub use baraza_protocol as protocol;
