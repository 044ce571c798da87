//! Witnessed transparency logs with real nodes (the `baraza` binary) over
//! loopback TCP (PROTOCOL.md §14): three nodes cosign each other's
//! checkpoints, and a node whose log is forked on disk is caught by its
//! witnesses and reported by every node.

use std::path::Path;
use std::time::{Duration, Instant};

use baraza_api_types::{Equivocations, LogInfo};
use baraza_protocol::tlog::SignedCheckpoint;
use baraza_protocol::PublicKey;
use baraza_tests::{baraza_bin, charter, comment, eventually, NodeOptions, NodeProcess};

/// How long to wait before declaring a hang (not a timing assertion).
const WAIT: Duration = Duration::from_secs(120);

fn options(bootstrap: &[&NodeProcess]) -> NodeOptions {
    NodeOptions {
        bootstrap: bootstrap.iter().map(|n| n.peer_addr()).collect(),
        discovery: true,
        config: Some("[tlog]\ncheckpoint_interval_secs = 1\n".into()),
        ..NodeOptions::default()
    }
}

fn log(node: &NodeProcess) -> LogInfo {
    node.client().get_typed("/v1/log").ok()
}

fn node_key(node: &NodeProcess) -> PublicKey {
    let origin = log(node).origin;
    baraza_protocol::tlog::key_of_origin(&origin).expect("a baraza origin")
}

/// Whether `node`'s latest checkpoint covers `size` entries and carries a
/// cosignature of every one of `witnesses`.
fn cosigned_by(node: &NodeProcess, size: u64, witnesses: &[PublicKey]) -> bool {
    let info = log(node);
    info.checkpoint_size >= Some(size)
        && witnesses
            .iter()
            .all(|w| info.cosignatures.iter().any(|c| c.witness == *w))
}

fn three(dirs: &[tempfile::TempDir]) -> Vec<NodeProcess> {
    let a = NodeProcess::start_with(dirs[0].path(), &options(&[]));
    let b = NodeProcess::start_with(dirs[1].path(), &options(&[&a]));
    let c = NodeProcess::start_with(dirs[2].path(), &options(&[&a, &b]));
    let nodes = vec![a, b, c];
    assert!(
        eventually(WAIT, || nodes
            .iter()
            .all(|n| n.p2p()["peers"].as_array().is_some_and(|p| p.len() == 2))),
        "the three nodes did not all connect"
    );
    nodes
}

/// Submits one comment to each node and waits until every node holds all.
fn one_each(nodes: &[NodeProcess], first: u64) {
    let c = charter();
    let mut ids = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let object = comment(c.id(), first + i as u64);
        node.submit(&[c.clone(), object.clone()]);
        ids.push(object.id());
    }
    assert!(
        eventually(WAIT, || nodes
            .iter()
            .all(|n| ids.iter().all(|id| n.has(id)))),
        "the comments did not reach every node"
    );
}

#[test]
fn three_nodes_cosign_each_others_checkpoints() {
    let dirs: Vec<_> = (0..3)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let nodes = three(&dirs);
    let keys: Vec<PublicKey> = nodes.iter().map(node_key).collect();
    let began = Instant::now();
    one_each(&nodes, 1);
    for (i, node) in nodes.iter().enumerate() {
        let others: Vec<PublicKey> = (0..3).filter(|j| *j != i).map(|j| keys[j]).collect();
        assert!(
            eventually(WAIT, || cosigned_by(node, 4, &others)),
            "node {i}'s checkpoint was not cosigned by both others: {:?}",
            log(node)
        );
        // The kept note verifies, cosignatures included.
        let note = log(node).checkpoint.expect("a checkpoint");
        let signed = SignedCheckpoint::verify(note.as_bytes()).expect("verifies");
        assert_eq!(signed.checkpoint.size, 4);
        assert_eq!(signed.cosignatures.len(), 2);
    }
    println!(
        "three logs of 4 entries each cosigned by both other nodes {:.1} s after the last submission began (interval 1 s)",
        began.elapsed().as_secs_f64()
    );
    let metrics = nodes[0].client().metrics();
    assert!(
        metrics.contains("baraza_log_cosignatures_given_total"),
        "{metrics}"
    );
    let equivocations: Equivocations = nodes[0].client().get_typed("/v1/log/evidence").ok();
    assert!(equivocations.equivocations.is_empty());
}

fn fork_log(dir: &Path, entry: u64) {
    let status = std::process::Command::new(baraza_bin())
        .args([
            "node",
            "fork-log",
            "--entry",
            &entry.to_string(),
            "--data-dir",
        ])
        .arg(dir)
        .env_remove("BARAZA_CONFIG")
        .env("HOME", dir)
        .status()
        .expect("run fork-log");
    assert!(status.success(), "fork-log failed");
}

#[test]
fn a_node_that_forks_its_log_is_caught_by_its_witnesses_and_reported_by_all() {
    let dirs: Vec<_> = (0..3)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let mut nodes = three(&dirs);
    let keys: Vec<PublicKey> = nodes.iter().map(node_key).collect();
    one_each(&nodes, 1);
    assert!(
        eventually(WAIT, || cosigned_by(&nodes[0], 4, &keys[1..])),
        "node 0 was not witnessed before the fork"
    );
    // Stop node 0, rewrite entry 1 of its log, start it again.
    let a = nodes.remove(0);
    assert!(a.terminate(), "node 0 did not stop cleanly");
    fork_log(dirs[0].path(), 1);
    let a = NodeProcess::start_with(dirs[0].path(), &options(&[&nodes[0], &nodes[1]]));
    nodes.insert(0, a);
    assert!(
        eventually(WAIT, || nodes[0].p2p()["peers"]
            .as_array()
            .is_some_and(|p| p.len() == 2)),
        "node 0 did not reconnect"
    );
    // Its log grows: it signs a checkpoint of the forked tree and asks its
    // witnesses, who hold the honest one.
    nodes[0].submit(&[comment(charter().id(), 100)]);
    for (i, node) in nodes.iter().enumerate() {
        assert!(
            eventually(WAIT, || {
                let found: Equivocations = node.client().get_typed("/v1/log/evidence").ok();
                found.equivocations.iter().any(|e| e.node == keys[0])
            }),
            "node {i} does not report node 0's fork"
        );
    }
    let found: Equivocations = nodes[1].client().get_typed("/v1/log/evidence").ok();
    let evidence = &found.equivocations[0].evidence;
    let shown = evidence.verify().expect("the evidence checks on its own");
    assert_eq!(shown.node, keys[0]);
    // No witness cosigned the forked checkpoint.
    assert!(!cosigned_by(&nodes[0], 5, &keys[1..2]));
    assert!(!cosigned_by(&nodes[0], 5, &keys[2..3]));
    // The gauge follows the kept evidence (set just after it is written).
    assert!(
        eventually(WAIT, || nodes.iter().all(|n| n
            .client()
            .metrics()
            .contains("baraza_log_equivocating_nodes 1"))),
        "the equivocation gauge: {}",
        nodes[2].client().metrics()
    );
}
