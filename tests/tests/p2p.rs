//! Real nodes (the `baraza` binary) over loopback TCP: gossip across hops,
//! catch-up by sync, partition and heal, restart in the middle of a sync.

use std::time::Duration;

use baraza_tests::{consultation, eventually, NodeOptions, NodeProcess};

/// Generous limits for a loaded 2-core CI machine; these are not timing
/// assertions, only how long to wait before declaring a hang.
const WAIT: Duration = Duration::from_secs(120);

fn options(bootstrap: &[&NodeProcess]) -> NodeOptions {
    NodeOptions {
        bootstrap: bootstrap.iter().map(|n| n.peer_addr()).collect(),
        ..NodeOptions::default()
    }
}

fn connected_peers(node: &NodeProcess) -> Vec<String> {
    node.p2p()["peers"]
        .as_array()
        .expect("peers")
        .iter()
        .map(|p| p["peer"].as_str().expect("peer id").to_owned())
        .collect()
}

#[test]
fn an_object_crosses_a_line_of_five_nodes() {
    let dirs: Vec<_> = (0..5)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let mut nodes: Vec<NodeProcess> = Vec::new();
    for dir in &dirs {
        let previous: Vec<&NodeProcess> = nodes.last().into_iter().collect();
        nodes.push(NodeProcess::start_with(dir.path(), &options(&previous)));
    }
    // Wait for the line to form: the middle nodes see both neighbours.
    assert!(
        eventually(WAIT, || nodes[1..4]
            .iter()
            .all(|n| connected_peers(n).len() == 2)),
        "the line did not form"
    );
    let far_end = nodes[4].p2p()["peer_id"].as_str().expect("id").to_owned();
    assert!(
        !connected_peers(&nodes[0]).contains(&far_end),
        "discovery is off: the ends must not be connected directly"
    );
    let objects = consultation(3);
    nodes[0].submit(&objects);
    for object in &objects {
        assert!(
            eventually(WAIT, || nodes[4].has(&object.id())),
            "object {} did not reach the far end",
            object.id()
        );
    }
    // A stored object is readable a moment before its sync key is indexed.
    assert!(
        eventually(WAIT, || nodes[4].index() == nodes[0].index()),
        "{:?} vs {:?}",
        nodes[4].index(),
        nodes[0].index()
    );
}

#[test]
fn a_late_joiner_catches_up_on_ten_thousand_objects() {
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    a.submit(&consultation(10_000));
    assert_eq!(a.index().0, 10_000);
    let b = NodeProcess::start_with(b_dir.path(), &options(&[&a]));
    assert!(
        eventually(WAIT, || b.index() == a.index()),
        "the late joiner holds {:?}, the peer {:?}",
        b.index(),
        a.index()
    );
    let metrics = b.metrics();
    assert!(
        metrics.contains("baraza_sync_objects_fetched_total 10000"),
        "every object was fetched exactly once:\n{}",
        metrics
            .lines()
            .filter(|l| l.starts_with("baraza_sync"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_partition_heals_into_identical_stores() {
    let dirs: Vec<_> = (0..4)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let a = NodeProcess::start_with(dirs[0].path(), &NodeOptions::default());
    let b = NodeProcess::start_with(dirs[1].path(), &options(&[&a]));
    let c = NodeProcess::start_with(dirs[2].path(), &NodeOptions::default());
    let d = NodeProcess::start_with(dirs[3].path(), &options(&[&c]));
    let all = consultation(401);
    // Both sides know the charter; each side then takes different comments.
    a.submit(&all[..1]);
    c.submit(&all[..1]);
    a.submit(&all[1..201]);
    d.submit(&all[201..]);
    assert!(
        eventually(WAIT, || b.index() == a.index() && a.index().0 == 201),
        "side A-B did not converge"
    );
    assert!(
        eventually(WAIT, || c.index() == d.index() && d.index().0 == 201),
        "side C-D did not converge"
    );
    assert_ne!(
        a.index(),
        c.index(),
        "the sides hold different objects while apart"
    );

    b.dial(&c.peer_addr());
    assert!(
        eventually(WAIT, || {
            let want = a.index();
            want.0 == 401 && [&b, &c, &d].iter().all(|n| n.index() == want)
        }),
        "after healing: {:?} {:?} {:?} {:?}",
        a.index(),
        b.index(),
        c.index(),
        d.index()
    );
}

#[test]
fn a_node_killed_in_the_middle_of_a_sync_completes_after_restart() {
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    a.submit(&consultation(10_000));
    let b = NodeProcess::start_with(b_dir.path(), &options(&[&a]));
    assert!(
        eventually(WAIT, || b.index().0 > 0),
        "the sync did not start"
    );
    let partial = b.index().0;
    b.kill9();
    let b = NodeProcess::start_with(b_dir.path(), &options(&[&a]));
    let after_restart = b.index().0;
    assert!(
        after_restart >= partial,
        "objects stored before the kill survive it: {after_restart} < {partial}"
    );
    assert!(
        eventually(WAIT, || b.index() == a.index()),
        "after restart: {:?} vs {:?} (killed at {partial})",
        b.index(),
        a.index()
    );
}

#[test]
fn nodes_of_different_networks_refuse_each_other() {
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    a.submit(&consultation(5));
    let b = NodeProcess::start_with(
        b_dir.path(),
        &NodeOptions {
            network: "another-network".into(),
            ..options(&[&a])
        },
    );
    // Whichever side reads the other's identify first hangs up, so the
    // other may never see it: one of them must have noticed.
    let noticed = |n: &NodeProcess| n.metric("baraza_peers_wrong_network_total");
    assert!(
        eventually(WAIT, || noticed(&a) + noticed(&b) >= 1.0),
        "neither node noticed the other network"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(b.index().0, 0, "nothing crosses between networks");
    assert!(connected_peers(&a).is_empty() && connected_peers(&b).is_empty());
}

#[test]
fn a_hostile_peer_is_banned_and_honest_nodes_keep_converging() {
    use baraza_protocol::UnverifiedObject;
    use baraza_tests::hostile;

    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    let b = NodeProcess::start_with(b_dir.path(), &options(&[&a]));
    let objects = consultation(3);
    a.submit(&objects[..2]);
    assert!(
        eventually(WAIT, || b.index() == a.index()),
        "honest nodes did not converge first"
    );

    // A correctly shaped object whose signature does not verify.
    let mut forged = objects[2].bytes().to_vec();
    let last = forged.len() - 1;
    forged[last] ^= 0x01;
    let forged_id = UnverifiedObject::parse(&forged)
        .expect("still well-formed")
        .id();
    let gossip = vec![
        b"not a signed object at all".to_vec(),
        forged.clone(),
        vec![0xd2; 300 * 1024],
    ];
    let attack = hostile::attack(
        &a.peer_addr(),
        &NodeOptions::default().network,
        &hostile::Plan {
            gossip,
            flood: 50,
            linger: WAIT,
            ..hostile::Plan::default()
        },
    );
    assert!(
        attack.published > 0,
        "the attack never got going: {attack:?}"
    );
    assert!(
        eventually(WAIT, || a.p2p()["blocked"].as_array().is_some_and(|b| b
            .iter()
            .any(|p| p.as_str() == Some(attack.peer.as_str())))),
        "the hostile peer was not banned: {attack:?}\n{}",
        a.metrics()
            .lines()
            .filter(|l| l.starts_with("baraza_"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        attack.disconnected,
        "the honest node kept the connection: {attack:?}"
    );
    assert!(
        !a.has(&forged_id) && !b.has(&forged_id),
        "a forged object was stored"
    );

    // The honest pair still works: a new object from B reaches A.
    b.submit(&objects[2..]);
    assert!(
        eventually(WAIT, || a.has(&objects[2].id())),
        "honest gossip stopped"
    );
    // A stored object is readable a moment before its sync key is indexed.
    assert!(
        eventually(WAIT, || a.index() == b.index()),
        "{:?} vs {:?}",
        a.index(),
        b.index()
    );
    assert_eq!(
        a.index().0,
        3,
        "nothing but the three valid objects is stored"
    );
}

#[test]
fn devnet_check_loads_the_example_and_converges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(baraza_tests::baraza_bin())
        .args([
            "devnet",
            "--nodes",
            "3",
            "--example",
            "iww-2024",
            "--check",
            "--base-port",
            "27170",
            "--dir",
        ])
        .arg(dir.path())
        .env("HOME", dir.path())
        .output()
        .expect("run devnet");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "devnet failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("http://127.0.0.1:27190"),
        "the third node's URL is printed: {stdout}"
    );
    assert!(
        stdout.contains("converged: 3 nodes hold 130 objects"),
        "{stdout}"
    );
}

#[test]
fn the_cli_syncs_on_demand_and_lists_peers() {
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    a.submit(&consultation(50));
    let b = NodeProcess::start_with(b_dir.path(), &NodeOptions::default());
    assert_eq!(b.index().0, 0);
    let cli = |args: &[&str]| {
        std::process::Command::new(baraza_tests::baraza_bin())
            .arg("--node")
            .arg(&b.url)
            .args(args)
            .output()
            .expect("run baraza")
    };
    let out = cli(&["sync", "--peer", &a.peer_addr(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["stored"], 50, "{report}");
    assert_eq!(report["error"], serde_json::Value::Null);
    assert_eq!(b.index(), a.index());

    let out = cli(&["peers"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("1 connected peer(s)"), "{text}");
    assert!(
        text.contains(a.p2p()["peer_id"].as_str().expect("id")),
        "{text}"
    );

    let out = cli(&["sync", "--peer", "/ip4/127.0.0.1/tcp/1"]);
    assert!(!out.status.success(), "an address without /p2p/ is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/p2p/<peer id>"));
}
