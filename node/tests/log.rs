//! The transparency log over HTTP (PROTOCOL.md §14), against a real server
//! over a real sled directory: receipts on single and bulk submissions,
//! checkpoints, inclusion and consistency proofs, and their errors.

mod common;

use std::sync::Arc;

use baraza_api_types::{ConsistencyProof, InclusionProof, LogEntries, LogInfo, SubmitResults};
use baraza_node::tlog::checkpointer::checkpoint_now;
use baraza_node::tlog::Notary;
use baraza_protocol::tlog::{self, Hash, Receipt, SignedCheckpoint};
use baraza_protocol::SignedObject;
use common::*;

fn hash(hex_text: &str) -> Hash {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).expect("hex");
    Hash(out)
}

fn receipt_of(results: &SubmitResults, i: usize) -> Receipt {
    let note = results.results[i].receipt.as_deref().expect("a receipt");
    Receipt::verify(note.as_bytes()).expect("the receipt verifies")
}

async fn checkpoint(node: &TestNode) -> Option<u64> {
    let notary = Notary::new(&node_key(), 1);
    let store: Arc<dyn baraza_node::store::ObjectStore> = node.state.store.clone();
    checkpoint_now(&store, &notary, &node.state.metrics.tlog)
        .await
        .expect("checkpoint")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_get_receipts_that_the_log_proves() {
    let node = TestNode::start(test_limits()).await;
    let charter = charter();
    let first = node.api.submit(&charter).await;
    assert_eq!(first.status, 201);
    let results = first.ok();
    let receipt = receipt_of(&results, 0);
    assert_eq!(receipt.node().expect("key"), node_key().public());
    assert_eq!((receipt.index, receipt.leaf.id), (0, charter.id()));

    // Known again: the same entry, the same receipt text.
    let again = node.api.submit(&charter).await.ok();
    assert_eq!(again.results[0].receipt, results.results[0].receipt);

    // Bulk: one receipt per stored or known item, none for a rejected one.
    let comments: Vec<SignedObject> = (1..=5).map(|n| comment(charter.id(), n)).collect();
    let mut body = cbor_seq(&comments.iter().collect::<Vec<_>>());
    body.extend(cbor_seq(&[&charter]));
    body.extend(tampered(&comment(charter.id(), 99)));
    let answer = node.api.submit_seq(body).await;
    assert_eq!(answer.status, 400, "one item is tampered");
    let (status, json) = node
        .submit_bulk(cbor_seq(&comments.iter().collect::<Vec<_>>()))
        .await;
    assert_eq!(status, 200, "{json}");
    let bulk: SubmitResults = serde_json::from_value(json).expect("results");
    for (i, c) in comments.iter().enumerate() {
        let r = receipt_of(&bulk, i);
        assert_eq!((r.index, r.leaf.id), (i as u64 + 1, c.id()));
    }

    // No checkpoint yet: the proof is refused with a reason.
    let path = format!("/v1/log/inclusion?id={}", comments[2].id());
    let (status, json) = node.get_json(&path).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (409, Some("not_in_checkpoint"))
    );

    assert_eq!(checkpoint(&node).await, Some(6));
    assert_eq!(
        checkpoint(&node).await,
        None,
        "nothing new: no new checkpoint"
    );

    let info: LogInfo = node.api.get_typed("/v1/log").await.ok();
    assert_eq!(info.origin, tlog::origin_of(&node_key().public()));
    assert_eq!((info.size, info.checkpoint_size), (6, Some(6)));
    let signed = SignedCheckpoint::verify(info.checkpoint.as_deref().expect("note").as_bytes())
        .expect("the checkpoint verifies");
    assert_eq!(signed.checkpoint.size, 6);

    let proof: InclusionProof = node.api.get_typed(&path).await.ok();
    let receipt = receipt_of(&bulk, 2);
    assert_eq!(proof.entry.index, receipt.index);
    assert_eq!(proof.checkpoint, info.checkpoint);
    let path_hashes: Vec<Hash> = proof.proof.iter().map(|h| hash(h)).collect();
    tlog::verify_inclusion(
        receipt.leaf.hash(),
        receipt.index,
        signed.checkpoint.size,
        signed.checkpoint.root,
        &path_hashes,
    )
    .expect("the receipt's entry is in the signed checkpoint");

    // The plain note, as C2SP clients fetch it.
    let response = node.api.get("/v1/log/checkpoint").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/plain"));
    assert_eq!(
        response.text().await.expect("text"),
        info.checkpoint.clone().expect("note")
    );

    // The log grows; the new checkpoint is consistent with the old one.
    let more: Vec<SignedObject> = (6..=20).map(|n| comment(charter.id(), n)).collect();
    node.api
        .submit_seq(cbor_seq(&more.iter().collect::<Vec<_>>()))
        .await
        .ok();
    assert_eq!(checkpoint(&node).await, Some(21));
    let consistency: ConsistencyProof = node
        .api
        .get_typed("/v1/log/consistency?old=6&new=21")
        .await
        .ok();
    let hashes: Vec<Hash> = consistency.proof.iter().map(|h| hash(h)).collect();
    assert_eq!(hash(&consistency.old_root), signed.checkpoint.root);
    let (_, latest) = node
        .state
        .store
        .checkpoint(None)
        .expect("read")
        .expect("kept");
    let latest = SignedCheckpoint::verify(&latest).expect("verifies");
    assert_eq!(hash(&consistency.new_root), latest.checkpoint.root);
    tlog::verify_consistency(
        6,
        signed.checkpoint.root,
        21,
        latest.checkpoint.root,
        &hashes,
    )
    .expect("consistent");

    // The first kept checkpoint holding the entry, not the latest.
    let first: InclusionProof = node.api.get_typed(&format!("{path}&first=true")).await.ok();
    assert_eq!(first.size, 6);
    assert_eq!(first.checkpoint, info.checkpoint, "the checkpoint of 6");
    let latest: InclusionProof = node.api.get_typed(&path).await.ok();
    assert_eq!(latest.size, 21);
    let (status, json) = node.get_json(&format!("{path}&first=true&size=6")).await;
    assert_eq!((status, json["error"].as_str()), (400, Some("bad_query")));

    let page: LogEntries = node
        .api
        .get_typed("/v1/log/entries?start=5&limit=10")
        .await
        .ok();
    assert_eq!(page.entries.len(), 10);
    assert_eq!(page.entries[0].id, comments[4].id());
    assert_eq!(page.next, Some(15));
    let last: LogEntries = node.api.get_typed("/v1/log/entries?start=15").await.ok();
    assert_eq!((last.entries.len(), last.next), (6, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_queries_name_what_is_wrong() {
    let node = TestNode::start(test_limits()).await;
    let charter = charter();
    node.api.submit(&charter).await.ok();
    for (path, status, code) in [
        ("/v1/log/inclusion?id=zz", 400, "bad_query"),
        ("/v1/log/inclusion", 400, "bad_query"),
        ("/v1/log/consistency?old=1&new=5", 400, "out_of_range"),
        ("/v1/log/consistency?old=2&new=1", 400, "out_of_range"),
        ("/v1/log/checkpoint?size=1", 404, "not_found"),
        ("/v1/log/entries?start=-1", 400, "bad_query"),
        ("/v1/log/entries?bogus=1", 400, "bad_query"),
    ] {
        let (got, json) = node.get_json(path).await;
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{path}: {json}"
        );
    }
    let unknown = comment(charter.id(), 1).id();
    let (got, json) = node
        .get_json(&format!("/v1/log/inclusion?id={unknown}"))
        .await;
    assert_eq!((got, json["error"].as_str()), (404, Some("not_found")));
    let (got, json) = node
        .get_json(&format!("/v1/log/inclusion?id={}&size=2", charter.id()))
        .await;
    assert_eq!(
        (got, json["error"].as_str()),
        (400, Some("out_of_range")),
        "{json}"
    );
    // An explicit size inside the log needs no checkpoint.
    let proof: InclusionProof = node
        .api
        .get_typed(&format!("/v1/log/inclusion?id={}&size=1", charter.id()))
        .await
        .ok();
    assert!(proof.checkpoint.is_none() && proof.proof.is_empty());
}
