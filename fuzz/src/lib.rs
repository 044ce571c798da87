//! The properties the fuzz targets check, in one file that the workspace's
//! `tests/tests/fuzz_corpus.rs` also compiles, so every corpus and
//! regression input is replayed on stable by the ordinary test suite.
pub mod checks;
