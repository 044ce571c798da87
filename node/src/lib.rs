//! # baraza-node
//!
//! An NRI's node: a durable store of verified signed objects ([`store`]),
//! the HTTP API ([`api`]), configuration ([`config`]) and the process
//! lifecycle ([`run`]). The peer protocol arrives with its own issue.

pub mod api;
pub mod config;
pub mod http;
pub mod metrics;
pub mod node_key;
pub mod p2p;
pub mod run;
pub mod server;
pub mod service;
pub mod store;
mod web;

pub use baraza_protocol as protocol;
