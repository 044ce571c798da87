//! `/metrics` of two real peered nodes: libp2p's own series (connections,
//! bandwidth, the gossipsub mesh, identify, ping) beside the node's, in one
//! well-formed OpenMetrics exposition.

use std::collections::HashSet;
use std::time::Duration;

use baraza_tests::{consultation, eventually, NodeOptions, NodeProcess};

/// How long to wait before declaring a hang (not a timing assertion).
const WAIT: Duration = Duration::from_secs(120);

/// The sum of every sample of the family `name` (any labels).
fn total(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (sample, value) = line.rsplit_once(' ')?;
            let family = sample.split('{').next()?;
            (family == name)
                .then(|| value.parse::<f64>().ok())
                .flatten()
        })
        .sum()
}

#[test]
fn peered_nodes_expose_libp2p_series() {
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    let b = NodeProcess::start_with(
        b_dir.path(),
        &NodeOptions {
            bootstrap: vec![a.peer_addr()],
            ..NodeOptions::default()
        },
    );
    // Gossipsub grafts the peer into the mesh on a heartbeat (every 500 ms).
    for node in [&a, &b] {
        assert!(
            eventually(WAIT, || total(
                &node.metrics(),
                "libp2p_gossipsub_mesh_peer_counts"
            ) >= 1.0),
            "no gossip mesh:\n{}",
            node.metrics()
        );
    }
    let objects = consultation(2);
    a.submit(&objects);
    assert!(
        eventually(WAIT, || objects.iter().all(|o| b.has(&o.id()))),
        "the objects did not reach b"
    );
    assert!(
        eventually(WAIT, || b.metric("libp2p_ping_rtt_seconds_count") >= 1.0),
        "no ping was recorded:\n{}",
        b.metrics()
    );

    let text = b.metrics();
    for (family, at_least) in [
        ("baraza_p2p_peers", 1.0),
        ("libp2p_swarm_connections_established_total", 1.0),
        ("libp2p_bandwidth_bytes_total", 1.0),
        ("libp2p_identify_received_total", 1.0),
        ("libp2p_gossipsub_peers_per_protocol", 1.0),
        ("libp2p_gossipsub_topic_peers_counts", 1.0),
    ] {
        assert!(
            total(&text, family) >= at_least,
            "{family} below {at_least} in\n{text}"
        );
    }
    // Whether the objects came by gossip or by sync, the node's own series
    // are in the same exposition. (At least one, not one per object: the
    // counters count messages and fetches, and a run where both objects
    // arrived showed 1 accepted gossip message and 0 fetches.)
    assert!(
        total(&text, "baraza_gossip_messages_total")
            + total(&text, "baraza_sync_objects_fetched_total")
            >= 1.0,
        "{text}"
    );
    assert!(
        text.contains("# TYPE libp2p_gossipsub_score_per_mesh histogram"),
        "{text}"
    );

    // One family is described once: a repeated name would make Prometheus
    // drop the whole scrape.
    let mut described = HashSet::new();
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        assert!(described.insert(line.to_owned()), "{line} twice in\n{text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[test]
fn prometheus_is_answered_in_openmetrics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start_with(dir.path(), &NodeOptions::default());
    let response = node
        .http()
        .get(format!("{}/metrics", node.url))
        .header(
            "accept",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        )
        .send()
        .expect("GET /metrics");
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = response.text().expect("text");
    assert!(text.lines().any(|l| l == "baraza_p2p_peers 0"), "{text}");
    let plain = node
        .http()
        .get(format!("{}/metrics", node.url))
        .send()
        .expect("GET /metrics");
    assert_eq!(
        plain.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
}
