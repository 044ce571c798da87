//! Invariant 3: every acknowledged submission survives a kill -9.
//!
//! Submits objects with concurrent clients — half of them one object per
//! request, half of them bulk imports of 50 objects per request (a CBOR
//! sequence) — kills the real node with SIGKILL
//! at a varying moment, restarts it on the same data dir, and checks that
//! every object that got a 2xx is there, and that the transparency log
//! holds exactly the stored objects in a tree that extends the one before
//! the kill. Three rounds by default; set
//! `BARAZA_CRASH_ROUNDS=50` (or run `scripts/crash-loop.sh`) for a soak.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baraza_api_types::{ConsistencyProof, Health, ItemStatus, LogEntries, LogInfo};
use baraza_protocol::tlog::{self, Hash, LogLeaf};
use baraza_protocol::ObjectId;
use baraza_testkit::client::{cbor_seq, Client, CBOR};
use baraza_tests::{charter, comment, NodeProcess};

const CLIENTS: u64 = 8;
/// Objects per bulk request.
const BULK: u64 = 50;
/// Earlier rounds' objects read back each round (a sample).
const SAMPLE_EARLIER: usize = 500;

/// POSTs a CBOR sequence; on a 2xx returns the ids the node reported as
/// stored or known, which it promises are durable.
async fn submit_bulk(
    client: &Client,
    objects: &[baraza_protocol::SignedObject],
) -> Option<Vec<ObjectId>> {
    let answer = client.try_submit_seq(cbor_seq(objects)).await?;
    let status = answer.status;
    assert!(
        matches!(status, 200 | 201),
        "bulk import answered {status}: {:?}",
        answer.body
    );
    let results = answer.ok().results;
    assert_eq!(results.len(), objects.len(), "one result per object");
    Some(
        results
            .iter()
            .filter(|r| matches!(r.status, ItemStatus::Stored | ItemStatus::Known))
            .filter_map(|r| r.id)
            .collect(),
    )
}

async fn submit(client: &Client, bytes: Vec<u8>) -> Option<u16> {
    let response = client.try_post(CBOR, bytes).await.ok()?;
    Some(response.status().as_u16())
}

/// Reads the node's whole log, checks it, and returns its size and root.
async fn check_log(
    client: &Client,
    acknowledged: &[ObjectId],
    previous: Option<(u64, Hash)>,
) -> (u64, Hash) {
    let info: LogInfo = client.get_typed("/v1/log").await.ok();
    let mut log = tlog::MemoryLog::new();
    let mut start = 0;
    loop {
        let page: LogEntries = client
            .get_typed(&format!("/v1/log/entries?start={start}&limit=1000"))
            .await
            .ok();
        for entry in &page.entries {
            assert_eq!(entry.index, log.size(), "entries are consecutive");
            log.append(LogLeaf {
                id: entry.id,
                time_ms: entry.time_ms,
            })
            .expect("append");
        }
        match page.next {
            Some(next) => start = next,
            None => break,
        }
    }
    assert_eq!(log.size(), info.size, "every entry is served");
    let logged: HashSet<ObjectId> = log.leaves().iter().map(|l| l.id).collect();
    assert_eq!(
        logged.len(),
        log.leaves().len(),
        "no object is logged twice"
    );
    let missing = acknowledged
        .iter()
        .filter(|id| !logged.contains(id))
        .count();
    assert_eq!(missing, 0, "acknowledged objects missing from the log");
    let root = log.root(info.size).expect("root");
    let node: ConsistencyProof = client
        .get_typed(&format!("/v1/log/consistency?old={0}&new={0}", info.size))
        .await
        .ok();
    assert_eq!(
        tlog::hash_hex(&root),
        node.new_root,
        "the node's tree is its entries'"
    );
    if let Some((old, old_root)) = previous {
        let proof: ConsistencyProof = client
            .get_typed(&format!("/v1/log/consistency?old={old}&new={}", info.size))
            .await
            .ok();
        let hashes: Vec<Hash> = proof
            .proof
            .iter()
            .map(|h| tlog::parse_hash(h).expect("hex"))
            .collect();
        tlog::verify_consistency(old, old_root, info.size, root, &hashes)
            .expect("the log after kill -9 extends the log before it");
    }
    (info.size, root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_kill_9() {
    let rounds: u64 = std::env::var("BARAZA_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().expect("tempdir");
    let charter = charter();
    let acked: Arc<Mutex<Vec<ObjectId>>> = Arc::new(Mutex::new(Vec::new()));
    let mut next = 0u64;
    let mut checked = 0;
    let mut previous_tree: Option<(u64, Hash)> = None;
    for round in 0..rounds {
        let node = NodeProcess::start(dir.path());
        let client = Client::new(&node.url);
        let status = submit(&client, charter.bytes().to_vec()).await;
        assert!(
            matches!(status, Some(200 | 201)),
            "charter accepted, got {status:?}"
        );
        let mut workers = Vec::new();
        for c in 0..CLIENTS {
            let client = client.clone();
            let acked = acked.clone();
            let first = next + c * 1_000_000;
            let charter_id = charter.id();
            let bulk = c % 2 == 1;
            workers.push(tokio::spawn(async move {
                if bulk {
                    for batch in (first..).step_by(BULK as usize) {
                        let objects: Vec<_> = (batch..batch + BULK)
                            .map(|n| comment(charter_id, n))
                            .collect();
                        match submit_bulk(&client, &objects).await {
                            Some(ids) => acked.lock().expect("lock").extend(ids),
                            None => break, // the node is gone
                        }
                    }
                    return;
                }
                for n in first.. {
                    let object = comment(charter_id, n);
                    match submit(&client, object.bytes().to_vec()).await {
                        Some(200 | 201) => acked.lock().expect("lock").push(object.id()),
                        Some(other) => panic!("unexpected status {other}"),
                        None => break, // the node is gone
                    }
                }
            }));
        }
        // Kill at a different moment each round.
        tokio::time::sleep(Duration::from_millis(300 + (round * 137) % 500)).await;
        node.kill9();
        for w in workers {
            w.await.expect("client task");
        }
        next += CLIENTS * 1_000_000 * 10;

        let node = NodeProcess::start(dir.path());
        let client = Client::new(&node.url);
        let ids = acked.lock().expect("lock").clone();
        assert!(
            ids.len() > checked,
            "round {round}: some submissions were acknowledged before the kill"
        );
        // Every object acknowledged this round, and a sample of the earlier
        // rounds' (all of which were checked in their own round): reading
        // every one each round would make a long soak quadratic.
        let stride = (checked / SAMPLE_EARLIER).max(1);
        let to_check = ids[checked..]
            .iter()
            .chain(ids[..checked].iter().step_by(stride));
        let mut lost = Vec::new();
        for id in to_check {
            // 429 means the node's per-client rate limit, not a loss: wait and ask again.
            let status = loop {
                let response = client.get(&format!("/v1/objects/{id}")).await;
                match response.status().as_u16() {
                    429 => tokio::time::sleep(Duration::from_millis(200)).await,
                    status => break status,
                }
            };
            if status != 200 {
                lost.push(format!("{} ({status})", id.short()));
            }
        }
        assert!(
            lost.is_empty(),
            "round {round}: {} of {} acknowledged objects lost: {:?}",
            lost.len(),
            ids.len(),
            &lost[..lost.len().min(10)]
        );
        // And none is missing from the count: the charter plus every
        // acknowledged comment, at least (a kill may land after a write
        // and before its answer).
        let Health::Ok { objects: stored } = client.health().await.ok() else {
            panic!("round {round}: the store does not answer");
        };
        assert!(
            stored > ids.len() as u64,
            "round {round}: {stored} objects stored, {} acknowledged",
            ids.len()
        );
        // The log: every stored object is one entry (no more, no fewer),
        // every acknowledged one among them, the tree recomputed from the
        // entries is the node's, and it extends the tree of the last round.
        let (size, root) = check_log(&client, &ids[checked..], previous_tree).await;
        assert_eq!(size, stored, "round {round}: stored and logged differ");
        previous_tree = Some((size, root));
        eprintln!(
            "round {round}: {} acknowledged objects, {} newly checked one by one and {} sampled, all present after kill -9 ({stored} stored)",
            ids.len(),
            ids.len() - checked,
            checked.div_ceil(stride)
        );
        checked = ids.len();
        node.kill9();
    }
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_keeps_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let charter = charter();
    assert_eq!(
        submit(&Client::new(&node.url), charter.bytes().to_vec()).await,
        Some(201)
    );
    assert!(node.terminate(), "node exits 0 on SIGTERM");
    let node = NodeProcess::start(dir.path());
    assert_eq!(
        submit(&Client::new(&node.url), charter.bytes().to_vec()).await,
        Some(200),
        "still known after restart"
    );
}
