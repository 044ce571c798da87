//! The pages a node serves, in headless Chromium: each test starts real
//! nodes and runs one script of `tests/browser/` against them (see
//! `baraza_tests::browser` for what the scripts get and need).

use baraza_tests::browser::{run_browser_script, ExampleNetwork};

#[test]
fn read_only_pages_pass_axe_weight_and_csp_checks_in_chromium() {
    let network = ExampleNetwork::start();
    run_browser_script("read_pages.mjs", &network.nodes());
}

/// A stakeholder's journey: a key made in the page, its file through the
/// real CLI and back, a profile, a paragraph comment seen on the other node,
/// an endorsement by keyboard alone seen on the other node's audit page, a
/// reply retracted, a refusal shown plainly (tests/browser/write_flow.mjs).
#[test]
fn a_stakeholder_writes_from_the_browser_and_the_other_node_shows_it() {
    let network = ExampleNetwork::start();
    run_browser_script("write_flow.mjs", &network.nodes());
}

/// The page script's encoder and key file against the Rust vectors, in
/// Node.js (`node:test`; the same check runs again inside Chromium in the
/// write flow).
#[test]
fn the_browser_encoder_matches_the_rust_vectors_byte_for_byte() {
    run_browser_script("encoding.test.mjs", &[]);
}
