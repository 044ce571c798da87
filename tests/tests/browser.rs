//! The pages a node serves, in headless Chromium: each test starts real
//! nodes and runs one script of `tests/browser/` against them (see
//! `baraza_tests::browser` for what the scripts get and need).

use baraza_tests::browser::{run_browser_script, ExampleNetwork};

#[test]
fn read_only_pages_pass_axe_weight_and_csp_checks_in_chromium() {
    let network = ExampleNetwork::start();
    run_browser_script("read_pages.mjs", &network.nodes());
}
