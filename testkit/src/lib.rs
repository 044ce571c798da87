//! Test helpers shared by baraza's test suites (a dev-only crate).
//!
//! - [`client`]: one typed client of a node's HTTP API, over the shared
//!   JSON types of `baraza-api-types`.

pub mod client;
