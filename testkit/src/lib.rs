//! Shared fixtures for baraza's tests — a dev-only crate, never shipped.
//!
//! - [`keys`]: deterministic key pairs from fixed seeds;
//! - [`fixtures`]: fixed times, a charter builder, sample bodies;
//! - [`consultation`]: a small, complete consultation for audit tests,
//!   built from fixed seeds, that tests change one object at a time;
//! - [`cli`]: a temporary home for running the real `baraza` binary;
//! - [`client`]: one typed client of a node's HTTP API, over the shared
//!   JSON types of `baraza-api-types`.
//!
//! Panics are fine here: a fixture that cannot be built is a broken test.

#![allow(clippy::unwrap_used)]

pub mod cli;
pub mod client;
pub mod consultation;
pub mod fixtures;
pub mod keys;
