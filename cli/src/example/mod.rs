//! Example consultations, generated from fixed seeds so that every run
//! writes the same bytes: signing is deterministic (Ed25519, RFC 8032),
//! every key comes from a seed derived from its handle, and every
//! timestamp is a constant. No clock and no randomness are read here.
//!
//! [`scenario`] is the small toolkit (keys, signing, names); each example
//! lives in its own module and builds a [`Scenario`]; [`output`] writes a
//! scenario, its audit bundle and the expected report to a directory.

pub(crate) mod iww2024;
pub(crate) mod output;
mod scenario;

pub(crate) use scenario::Scenario;
