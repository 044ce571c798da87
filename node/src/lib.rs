//! # baraza-node
//!
//! An NRI's node: a durable store of verified signed objects behind the
//! [`store::ObjectStore`] seam ([`store`]), the one service layer every
//! edge uses ([`service`]: ingest, reads, audits), the HTTP API ([`api`])
//! and pages composed by [`server`] on what [`http`] shares, the peer
//! protocol ([`p2p`]), the transparency log's receipts and checkpoints
//! ([`tlog`]), metrics ([`metrics`]), configuration ([`config`]) and the
//! process lifecycle ([`run`]). `ARCHITECTURE.md` maps it all.

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
pub mod tlog;
mod web;

pub use baraza_protocol as protocol;
