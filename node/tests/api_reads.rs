//! The HTTP API's read side against a real server: listings and their
//! pagination, audit reports and bundles, the event stream, health and
//! metrics, and a graceful shutdown with a stream open.

mod common;

use std::time::Duration;

use baraza_protocol::audit::read_bundle;
use baraza_protocol::SignedObject;
use common::*;
use futures::StreamExt;
use serde_json::Value;

fn ids(page: &Value) -> Vec<String> {
    page["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A charter, five comments, two endorsements of the first, one draft.
async fn consultation(node: &TestNode) -> (SignedObject, Vec<SignedObject>) {
    let c = charter();
    let comments: Vec<_> = (1..=5).map(|n| comment(c.id(), n)).collect();
    let mut all = vec![&c];
    all.extend(comments.iter());
    let endorsements = [
        endorsement(comments[0].id(), &nri(), 1),
        endorsement(comments[0].id(), &steward(), 2),
    ];
    all.extend(endorsements.iter());
    let d = draft(c.id(), comments[0].id());
    all.push(&d);
    let (status, body) = node.submit_bulk(cbor_seq(&all)).await;
    assert_eq!(status, 201, "{body}");
    (c, comments)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_page_with_cursors() {
    let node = TestNode::start(test_limits()).await;
    let (c, comments) = consultation(&node).await;
    let base = format!("/v1/charters/{}/sections/{SECTION}/comments", c.id());
    let mut seen = Vec::new();
    let mut path = format!("{base}?limit=2");
    let mut pages = 0;
    loop {
        let (status, page) = node.get_json(&path).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(next) => path = format!("{base}?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = comments.iter().map(|c| c.id().to_string()).collect();
    assert_eq!(seen, expected, "every comment once, oldest first");

    let (_, charters) = node.get_json("/v1/charters").await;
    assert_eq!(ids(&charters), [c.id().to_string()]);
    assert!(charters["next"].is_null());
    let (_, drafts) = node
        .get_json(&format!(
            "/v1/charters/{}/sections/{SECTION}/drafts",
            c.id()
        ))
        .await;
    assert_eq!(drafts["objects"][0]["kind"], "draft");
    let (_, other) = node
        .get_json(&format!(
            "/v1/charters/{}/sections/safe-and-secure/comments",
            c.id()
        ))
        .await;
    assert_eq!(ids(&other).len(), 0);
    let first = comments[0].id();
    let (_, endorsements) = node
        .get_json(&format!("/v1/objects/{first}/endorsements"))
        .await;
    assert_eq!(ids(&endorsements).len(), 2);
    let (_, referrers) = node
        .get_json(&format!("/v1/objects/{first}/referrers"))
        .await;
    assert_eq!(ids(&referrers).len(), 3, "two endorsements and the draft");
    let (_, only) = node
        .get_json(&format!("/v1/objects/{}/referrers?kind=comment", c.id()))
        .await;
    assert_eq!(ids(&only).len(), 5);
    let did = stakeholder().public().to_did();
    let (_, mine) = node.get_json(&format!("/v1/authors/{did}/objects")).await;
    assert_eq!(ids(&mine).len(), 5);

    for (path, code) in [
        (
            format!("/v1/objects/{first}/referrers?kind=poem"),
            "bad_kind",
        ),
        ("/v1/authors/did:key:z123/objects".to_owned(), "bad_author"),
        (format!("{base}?after=xyz"), "bad_cursor"),
        (format!("{base}?limit=many"), "bad_query"),
        ("/v1/charters/1234/sections/x/comments".to_owned(), "bad_id"),
    ] {
        let (status, body) = node.get_json(&path).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(code)),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_report_and_bundle() {
    let node = TestNode::start(test_limits()).await;
    let (_, comments) = consultation(&node).await;
    let target = comments[0].id();
    let (status, report) = node.get_json(&format!("/v1/audit/{target}")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["format"], "baraza-audit/1");
    assert_eq!(report["complete"], true);

    let response = node
        .http
        .get(node.url(&format!("/v1/audit/{target}/bundle")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/cbor-seq");
    let bytes = response.bytes().await.expect("body");
    let (bundled, objects) = read_bundle(&bytes).expect("a valid bundle");
    assert_eq!(bundled, target);
    assert!(objects.len() >= 2, "the target and its charter at least");

    let missing = "ab".repeat(32);
    assert_eq!(node.get_json(&format!("/v1/audit/{missing}")).await.0, 404);
    assert_eq!(
        node.get_json(&format!("/v1/audit/{missing}/bundle"))
            .await
            .0,
        404
    );
    assert_eq!(node.get_json("/v1/audit/zz").await.0, 400);
}

/// Reads server-sent events until `count` have arrived: (id, data JSON).
async fn read_events(response: reqwest::Response, count: usize) -> Vec<(u64, Value)> {
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("an event within 10 s")
            .expect("stream open")
            .expect("chunk");
        buffer.push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let (mut id, mut data) = (None, None);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = serde_json::from_str(v.trim()).ok();
                }
            }
            if let (Some(id), Some(data)) = (id, data) {
                events.push((id, data));
            }
        }
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_new_objects_and_resume_from_a_cursor() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    assert_eq!(node.submit(&c).await.0, 201);
    let live = node
        .http
        .get(node.url("/v1/events"))
        .send()
        .await
        .expect("sent");
    assert_eq!(live.status(), 200);
    assert_eq!(live.headers()["content-type"], "text/event-stream");
    let first = comment(c.id(), 1);
    assert_eq!(node.submit(&first).await.0, 201);
    let events = read_events(live, 1).await;
    assert_eq!(events[0].0, 2, "the charter was event 1");
    assert_eq!(events[0].1, first.to_json());

    // Everything from the start, then live objects after the replay.
    let replay = node
        .http
        .get(node.url("/v1/events?after=0"))
        .send()
        .await
        .expect("sent");
    let second = comment(c.id(), 2);
    assert_eq!(node.submit(&second).await.0, 201);
    let events = read_events(replay, 3).await;
    let seqs: Vec<u64> = events.iter().map(|e| e.0).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(events[2].1["id"], second.id().to_string());

    // Last-Event-ID (what a reconnecting EventSource sends) wins over ?after.
    let resumed = node
        .http
        .get(node.url("/v1/events?after=0"))
        .header("last-event-id", "2")
        .send()
        .await
        .expect("sent");
    let events = read_events(resumed, 1).await;
    assert_eq!(
        (events[0].0, &events[0].1["id"]),
        (3, &Value::from(second.id().to_string()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_count_what_happened() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    let comments: Vec<_> = (1..=2).map(|n| comment(c.id(), n)).collect();
    for object in [&c, &comments[0], &comments[1], &c] {
        node.submit(object).await;
    }
    node.post("application/cbor", tampered(&comment(c.id(), 3)))
        .await;
    node.submit(&reply(c.id(), Some(comment(c.id(), 9).id()), 10))
        .await;

    let (status, health) = node.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["objects"], 3);

    let response = node
        .http
        .get(node.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/plain"));
    let text = response.text().await.expect("text");
    for line in [
        "baraza_objects{kind=\"charter\"} 1",
        "baraza_objects{kind=\"comment\"} 2",
        "baraza_submissions_total{result=\"stored\"} 3",
        "baraza_submissions_total{result=\"known\"} 1",
        "baraza_submissions_total{result=\"pending\"} 1",
        "baraza_submissions_total{result=\"rejected\"} 1",
        "baraza_rejections_total{reason=\"bad_signature\"} 1",
        "baraza_pending_objects 1",
        "baraza_http_requests_total{route=\"/v1/objects\",status=\"201\"} 3",
        "baraza_http_requests_total{route=\"/v1/objects\",status=\"400\"} 1",
        "baraza_http_requests_total{route=\"/healthz\",status=\"200\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    let flushes: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("baraza_flush_seconds_count "))
        .and_then(|v| v.parse().ok())
        .expect("flush histogram");
    assert!(flushes >= 1, "every stored submission was flushed");
    assert!(text.contains("baraza_store_bytes "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_event_streams() {
    let mut node = TestNode::start(test_limits()).await;
    let stream = node
        .http
        .get(node.url("/v1/events"))
        .send()
        .await
        .expect("sent");
    assert_eq!(stream.status(), 200);
    let stopped = tokio::time::timeout(Duration::from_secs(10), node.stop()).await;
    assert!(
        matches!(stopped, Ok(Ok(()))),
        "the server stopped: {stopped:?}"
    );
    drop(stream);
}

/// Every path `docs/openapi.yaml` documents reaches a handler of the router.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_path_is_served() {
    let node = TestNode::start(test_limits()).await;
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.yaml"))
            .expect("docs/openapi.yaml");
    let paths: Vec<&str> = spec
        .lines()
        .filter_map(|l| l.strip_prefix("  /").and_then(|p| p.strip_suffix(':')))
        .collect();
    assert_eq!(paths.len(), 23, "{paths:?}");
    let did = stakeholder().public().to_did();
    for path in paths {
        let concrete = format!("/{path}")
            .replace("{id}", &"ab".repeat(32))
            .replace("{slug}", SECTION)
            .replace("{did}", &did);
        let request = if concrete == "/v1/objects" {
            node.http
                .post(node.url(&concrete))
                .header("content-type", "application/cbor")
        } else if concrete.starts_with("/v1/p2p/") {
            node.http
                .post(node.url(&concrete))
                .json(&serde_json::json!({ "peer": "/ip4/127.0.0.1/tcp/1" }))
        } else {
            node.http.get(node.url(&concrete))
        };
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        assert_ne!(status, 405, "{concrete}");
        if status == 404 {
            let body: Value = response.json().await.expect("JSON");
            assert_ne!(
                body["error"], "no_route",
                "{concrete} is documented but not served"
            );
        }
    }
}

/// The typed client of `baraza-testkit` reads every JSON shape the server
/// writes through the shared `baraza-api-types`: a field renamed on one
/// side fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typed_client_reads_what_the_server_writes() {
    use baraza_api_types::{Health, ItemStatus};

    let mut node = TestNode::start(test_limits()).await;
    let c = charter();
    let first = node.api.submit(&c).await;
    assert_eq!(first.status, 201);
    let results = first.ok().results;
    assert_eq!(results.len(), 1);
    assert_eq!(
        (results[0].id, results[0].status),
        (Some(c.id()), ItemStatus::Stored)
    );
    let again = node.api.submit(&c).await.ok().results;
    assert_eq!(again[0].status, ItemStatus::Known);

    // A reply whose parent is missing waits for it, and says for what.
    let missing = comment(c.id(), 9).id();
    let pending = node.api.submit(&reply(c.id(), Some(missing), 10)).await;
    assert_eq!(pending.status, 202);
    let pending = pending.ok().results;
    assert_eq!(pending[0].status, ItemStatus::Pending);
    assert_eq!(pending[0].missing(), [missing]);

    // A bulk body with an invalid item: the error body with every result.
    let good = comment(c.id(), 1);
    let mut body = cbor_seq(&[&good]);
    body.extend(tampered(&comment(c.id(), 2)));
    let refused = node.api.submit_seq(body).await;
    assert_eq!(refused.status, 400);
    let error = refused.err();
    assert_eq!(error.item, Some(1));
    let results = error.results.expect("bulk errors carry results");
    assert_eq!(results[0].status, ItemStatus::Stored);
    assert_eq!(results[1].status, ItemStatus::Rejected);
    assert_eq!(results[1].id, None);
    assert_eq!(results[1].error.as_deref(), Some(error.error.as_str()));

    let page = node.api.page("/v1/charters?limit=1").await.ok();
    assert_eq!(page.objects.len(), 1);
    assert_eq!(page.objects[0]["id"], c.id().to_string());
    assert_eq!(page.next, None);

    let bad = node.api.page("/v1/objects/zz/referrers").await;
    assert_eq!((bad.status, bad.err().error.as_str()), (400, "bad_id"));

    assert!(matches!(
        node.api.health().await.ok(),
        Health::Ok { objects: 2 }
    ));
    node.stop().await.expect("clean shutdown");
}
