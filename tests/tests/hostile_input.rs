//! The hostile-input corpus (`baraza_tests::corpus`) against real nodes:
//! through the HTTP API, and through gossip from hostile libp2p peers.
//! Every input gets its expected answer, nothing crafted is stored, and
//! the node goes on serving honest clients.

use std::time::Duration;

use baraza_tests::corpus::{hostile_corpus, Case, Expect, SMALL_ORDER_POINTS};
use baraza_tests::hostile::{self, Plan};
use baraza_tests::{comment, consultation, eventually, NodeApi, NodeOptions, NodeProcess};
use sha2::{Digest, Sha256};

const WAIT: Duration = Duration::from_secs(60);

/// The id a node would give these bytes (SHA-256).
fn id_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn stored(node: &NodeApi, bytes: &[u8]) -> bool {
    let status = node
        .http()
        .get(format!("{}/v1/objects/{}", node.url, id_of(bytes)))
        .send()
        .expect("GET object")
        .status();
    assert!(
        status == 200 || status == 404,
        "unexpected status {status} reading an object"
    );
    status == 200
}

fn healthy(node: &NodeApi) -> bool {
    node.http()
        .get(format!("{}/healthz", node.url))
        .send()
        .is_ok_and(|r| r.status().is_success())
}

#[test]
fn the_corpus_covers_what_it_claims() {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    let mut points = Vec::new();
    for bytes in SMALL_ORDER_POINTS {
        let point = CompressedEdwardsY(bytes)
            .decompress()
            .expect("a valid point");
        assert!(point.is_small_order(), "{}", hex::encode(bytes));
        assert_eq!(point.compress().0, bytes, "canonical encoding");
        points.push(point.compress().0);
    }
    points.sort();
    points.dedup();
    assert_eq!(points.len(), 8, "eight distinct points");

    let corpus = hostile_corpus();
    let codes: Vec<&str> = corpus
        .iter()
        .filter_map(|c| match &c.expect {
            Expect::Invalid(code) => Some(code.as_str()),
            _ => None,
        })
        .collect();
    for needed in [
        "non_minimal_encoding",
        "wrong_tag",
        "unsupported_algorithm",
        "weak_key",
        "non_canonical_signature",
        "bad_signature",
        "truncated",
        "too_deep",
        "duplicate_map_key",
        "unsorted_map_keys",
        "indefinite_length",
        "float",
        "unknown_kind",
    ] {
        assert!(
            codes.contains(&needed),
            "no case expects {needed}: {codes:?}"
        );
    }
    for expect in [
        Expect::TooLarge,
        Expect::Pending,
        Expect::Held,
        Expect::TooFarAhead,
    ] {
        assert!(
            corpus.iter().any(|c| c.expect == expect),
            "no case expects {expect:?}"
        );
    }
    assert!(corpus.iter().any(|c| c.bytes.len() >= 10 * 1024 * 1024));
}

#[test]
fn every_hostile_input_over_http_gets_its_answer_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let honest = consultation(3);
    node.submit(&honest);
    let before = node.index().0;

    for case in hostile_corpus() {
        let Case {
            name,
            bytes,
            expect,
        } = &case;
        let (status, body) = node.post_object(bytes);
        let (want_status, want) = match expect {
            Expect::Invalid(code) => (400, code.as_str()),
            Expect::TooLarge => (413, "too_large"),
            Expect::Pending => (202, "pending"),
            Expect::Held => (202, "held"),
            Expect::TooFarAhead => (422, "too_far_ahead"),
        };
        let got = body["error"]
            .as_str()
            .or_else(|| body["results"][0]["status"].as_str())
            .unwrap_or_default();
        assert_eq!((status, got), (want_status, want), "{name}: {body}");
        if status >= 400 {
            let message = body["message"].as_str().unwrap_or_default();
            assert!(message.len() > 10, "{name}: no clear message: {body}");
        }
        assert!(!stored(&node, bytes), "{name}: stored");
    }

    assert!(healthy(&node), "the node stopped serving");
    assert_eq!(node.index().0, before, "nothing crafted was stored");
    let next = comment(honest[0].id(), 99);
    node.submit(std::slice::from_ref(&next));
    assert!(node.has(&next.id()), "honest submissions still succeed");
}

#[test]
fn every_hostile_input_over_gossip_is_refused_and_invalid_senders_are_banned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start_with(dir.path(), &NodeOptions::default());
    let honest = consultation(3);
    node.submit(&honest);
    let before = node.index().0;
    let target = node.peer_addr();
    let network = NodeOptions::default().network;

    let corpus = hostile_corpus();
    // A few hostile peers at a time, each with a new identity.
    for group in corpus.chunks(6) {
        let attacks: Vec<(&Case, hostile::Attack)> = std::thread::scope(|scope| {
            let running: Vec<_> = group
                .iter()
                .map(|case| {
                    let (target, network) = (&target, &network);
                    scope.spawn(move || {
                        let invalid = matches!(case.expect, Expect::Invalid(_));
                        let plan = Plan {
                            gossip: vec![case.bytes.clone()],
                            settle: Duration::from_millis(500),
                            // A peer that sent something invalid is hung up
                            // on; one that sent something valid is not.
                            linger: if invalid {
                                WAIT
                            } else {
                                Duration::from_secs(3)
                            },
                            ..Plan::default()
                        };
                        (case, hostile::attack(target, network, &plan))
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|t| t.join().expect("attack thread"))
                .collect()
        });
        for (case, attack) in attacks {
            let name = &case.name;
            assert!(attack.published > 0, "{name}: never sent: {attack:?}");
            match case.expect {
                Expect::Invalid(_) => assert!(
                    attack.disconnected,
                    "{name}: the sender was not hung up on: {attack:?}"
                ),
                Expect::Pending | Expect::Held | Expect::TooFarAhead => assert!(
                    !attack.disconnected,
                    "{name}: a valid object cost its sender the connection"
                ),
                // The object size limit is enforced by gossipsub itself
                // (its max transmit size) or by the node: either way it is
                // dropped; a ban is not required.
                Expect::TooLarge => {}
            }
            assert!(!stored(&node, &case.bytes), "{name}: stored");
        }
    }

    assert!(healthy(&node), "the node stopped serving");
    assert_eq!(node.index().0, before, "nothing crafted was stored");
    assert!(
        node.metric("baraza_peer_bans_total")
            >= corpus
                .iter()
                .filter(|c| matches!(c.expect, Expect::Invalid(_)))
                .count() as f64,
        "every invalid sender was banned"
    );
    let next = comment(honest[0].id(), 99);
    node.submit(std::slice::from_ref(&next));
    assert!(
        eventually(WAIT, || node.has(&next.id())),
        "honest submissions still succeed"
    );
}
