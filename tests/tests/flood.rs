//! A node under a flood (loopback only, bounded in count and time): HTTP
//! clients hammering the API from other addresses, idle connections held
//! open, and hostile peers flooding gossip and sync requests. The node's
//! resident memory stays under the documented bound (docs/SECURITY.md,
//! "Resource bounds") and an honest client's submissions keep succeeding.

use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use baraza_protocol::sync::wire::SyncRequest;
use baraza_protocol::sync::{Reconciler, SyncIndex};
use baraza_protocol::ObjectId;
use baraza_tests::hostile::{self, Plan};
use baraza_tests::{comment, consultation, NodeOptions, NodeProcess};

/// The bound on the node's peak resident memory under this flood.
const MEMORY_BOUND_MIB: u64 = 128;
/// How long the flood lasts.
const FLOOD: Duration = Duration::from_secs(15);

fn frame(request: &SyncRequest) -> Vec<u8> {
    let body = request.encode();
    let mut out = u32::try_from(body.len())
        .expect("small")
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(&body);
    out
}

/// Sync requests a hostile peer repeats: fetches of 256 unknown ids and
/// reconciliations of the whole range.
fn sync_frames(network: &str, n: usize) -> Vec<Vec<u8>> {
    let ids: Vec<ObjectId> = (0..256u32)
        .map(|i| {
            let mut id = [0u8; 32];
            id[..4].copy_from_slice(&i.to_be_bytes());
            ObjectId(id)
        })
        .collect();
    let fetch = frame(&SyncRequest::Fetch {
        network: network.into(),
        ids,
    });
    let reconcile = frame(&SyncRequest::Reconcile {
        network: network.into(),
        message: Reconciler::new().initiate(&SyncIndex::new()),
    });
    (0..n)
        .map(|i| {
            if i % 4 == 0 {
                reconcile.clone()
            } else {
                fetch.clone()
            }
        })
        .collect()
}

#[test]
fn a_flooded_node_stays_within_its_memory_bound_and_serves_honest_clients() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A public node's rate: 50 requests/s per address, bursts of 100.
    let options = NodeOptions {
        config: Some("[http]\nrate_per_sec = 50\nrate_burst = 100\n".into()),
        ..NodeOptions::default()
    };
    let node = NodeProcess::start_with(dir.path(), &options);
    let honest = consultation(2);
    node.submit(&honest);
    let (rss_before, _) = node.memory_kib();
    let stop = AtomicBool::new(false);
    let flood_requests = AtomicU64::new(0);
    let throttled = AtomicU64::new(0);
    let http_port = node.url.rsplit(':').next().expect("port").to_owned();
    let network = NodeOptions::default().network;
    let peer = node.peer_addr();

    let (accepted, peak_kib) = std::thread::scope(|scope| {
        // HTTP flood from 127.0.0.2..=127.0.0.5: junk, oversized and
        // valid-but-dangling submissions, and reads.
        for n in 2..=5u8 {
            let (stop, url, sent, throttled) = (&stop, &node.url, &flood_requests, &throttled);
            scope.spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
                    .timeout(Duration::from_secs(10))
                    .build()
                    .expect("client");
                let junk = vec![0xd2; 200 * 1024];
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let response = if i % 3 == 0 {
                        client.get(format!("{url}/v1/charters")).send()
                    } else {
                        client
                            .post(format!("{url}/v1/objects"))
                            .header("content-type", "application/cbor")
                            .body(junk.clone())
                            .send()
                    };
                    sent.fetch_add(1, Ordering::Relaxed);
                    if response.is_ok_and(|r| r.status() == 429) {
                        throttled.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        // Idle connections held open (slow clients that never send).
        let idle: Vec<TcpStream> = (0..200)
            .filter_map(|_| TcpStream::connect(format!("127.0.0.6:{http_port}")).ok())
            .collect();
        // Hostile peers: gossip junk, then a stream of sync requests.
        for _ in 0..4 {
            let (peer, network) = (&peer, &network);
            scope.spawn(move || {
                hostile::attack(
                    peer,
                    network,
                    &Plan {
                        frames: sync_frames(network, 2000),
                        frame_gap: Duration::ZERO,
                        settle: Duration::from_millis(200),
                        linger: Duration::from_secs(10),
                        ..Plan::default()
                    },
                )
            });
        }

        // The honest client, from 127.0.0.1, while all that goes on.
        let began = Instant::now();
        let mut accepted = 0;
        let mut peak = 0;
        let mut n = 1000;
        while began.elapsed() < FLOOD {
            n += 1;
            let next = comment(honest[0].id(), n);
            let (status, body) = node.post_object(next.bytes());
            assert_eq!(status, 201, "an honest submission failed: {body}");
            accepted += 1;
            peak = peak.max(node.memory_kib().1);
            std::thread::sleep(Duration::from_millis(250));
        }
        stop.store(true, Ordering::Relaxed);
        drop(idle);
        (accepted, peak.max(node.memory_kib().1))
    });

    let refused = node.metric("baraza_sync_requests_refused_total");
    eprintln!(
        "flood: {} HTTP requests ({} throttled), {refused} sync requests refused busy; \
         honest submissions accepted: {accepted}; RSS before {} MiB, peak {} MiB (bound {MEMORY_BOUND_MIB} MiB)",
        flood_requests.load(Ordering::Relaxed),
        throttled.load(Ordering::Relaxed),
        rss_before / 1024,
        peak_kib / 1024,
    );
    assert!(accepted > 10, "the honest client got too few turns");
    assert!(
        throttled.load(Ordering::Relaxed) > 0,
        "the per-address rate limit never engaged"
    );
    assert!(refused > 0.0, "the per-peer sync limit never engaged");
    assert!(
        peak_kib / 1024 < MEMORY_BOUND_MIB,
        "peak RSS {} MiB is over the {MEMORY_BOUND_MIB} MiB bound",
        peak_kib / 1024
    );
    assert!(node.has(&honest[0].id()), "the node still serves reads");
}
