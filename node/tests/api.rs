//! The HTTP API against a real server on 127.0.0.1:0 over a real sled
//! directory: submissions (single and bulk), objects, and every error
//! status. Listings, audits, events and metrics are in `api_reads.rs`.

mod common;

use std::time::Duration;

use baraza_node::api::{ApiLimits, RateLimit};
use baraza_protocol::limits::MAX_OBJECT_BYTES;
use baraza_protocol::SignedObject;
use common::*;
use serde_json::Value;

fn code(body: &Value) -> &str {
    body["error"].as_str().unwrap_or("<no error code>")
}

fn statuses(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_submission_is_stored_then_known_and_readable_as_cbor_and_json() {
    let node = TestNode::start(test_limits()).await;
    let charter = charter();
    let (status, body) = node.submit(&charter).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["results"][0]["id"], charter.id().to_string());
    assert_eq!(statuses(&body), ["stored"]);
    let (status, body) = node.submit(&charter).await;
    assert_eq!((status, statuses(&body)), (200, vec!["known"]));

    let path = format!("/v1/objects/{}", charter.id());
    let (status, json) = node.get_json(&path).await;
    assert_eq!(status, 200);
    assert_eq!(json, charter.to_json());

    let response = node
        .http
        .get(node.url(&path))
        .header("accept", "application/cbor")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/cbor");
    assert_eq!(
        response.headers()["etag"].to_str().expect("ascii"),
        format!("\"{}\"", charter.id())
    );
    let bytes = response.bytes().await.expect("body");
    assert_eq!(bytes.as_ref(), charter.bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_ids_are_404_and_400() {
    let node = TestNode::start(test_limits()).await;
    let (status, body) = node
        .get_json(&format!("/v1/objects/{}", "ab".repeat(32)))
        .await;
    assert_eq!((status, code(&body)), (404, "not_found"));
    let (status, body) = node.get_json("/v1/objects/not-an-id").await;
    assert_eq!((status, code(&body)), (400, "bad_id"));
    let (status, body) = node.get_json("/v1/nothing-here").await;
    assert_eq!((status, code(&body)), (404, "no_route"));
}

/// API answers share the pages' origin: none may be sniffed into a
/// document or run anything; the pages keep their own policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_nosniff_and_only_pages_may_run_scripts() {
    let node = TestNode::start(test_limits()).await;
    let charter = charter();
    node.submit(&charter).await;
    for path in [
        format!("/v1/objects/{}", charter.id()),
        "/v1/nothing-here".to_owned(),
        "/healthz".to_owned(),
        "/metrics".to_owned(),
        "/v1/objects/not-an-id".to_owned(),
    ] {
        let response = node.http.get(node.url(&path)).send().await.expect("sent");
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
    }
    let page = node.http.get(node.url("/")).send().await.expect("sent");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(
        csp.contains("script-src 'self'"),
        "the page keeps its own: {csp}"
    );
}

/// Each invalid object gets a 400 whose code is the protocol's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_objects_are_400_with_the_exact_error_code() {
    let node = TestNode::start(test_limits()).await;
    let comment = comment(charter().id(), 1);
    let mut non_canonical = comment.bytes().to_vec();
    assert_eq!(non_canonical[1], 0x84, "a COSE_Sign1 array of 4");
    non_canonical.splice(1..2, [0x98, 0x04]); // same length, not in shortest form
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("garbage", b"hello, this is not CBOR".to_vec(), "wrong_tag"),
        ("bad signature", tampered(&comment), "bad_signature"),
        ("non-canonical", non_canonical, "non_minimal_encoding"),
        (
            "two objects",
            cbor_seq(&[&comment, &comment]),
            "trailing_bytes",
        ),
    ];
    for (case, bytes, expected) in cases {
        let protocol_code = SignedObject::decode(&bytes).expect_err(case).code();
        let response = node.post("application/cbor", bytes).await;
        assert_eq!(response.status(), 400, "{case}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(code(&body), expected, "{case}: {body}");
        assert_eq!(code(&body), protocol_code, "{case}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(
            body.get("item").is_none(),
            "{case}: single submissions name no item"
        );
    }
    let (status, _) = node
        .get_json(&format!("/v1/objects/{}", comment.id()))
        .await;
    assert_eq!(status, 404, "nothing invalid was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_413() {
    let limits = ApiLimits {
        max_bulk_bytes: 4096,
        max_bulk_items: 2,
        ..test_limits()
    };
    let node = TestNode::start(limits).await;
    let response = node
        .post("application/cbor", vec![0; MAX_OBJECT_BYTES + 1])
        .await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(code(&body), "too_large");

    let response = node.post("application/cbor-seq", vec![0; 5000]).await;
    assert_eq!(response.status(), 413);

    // Without a Content-Length (chunked), the limit is enforced while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..5).map(|_| Ok(vec![0u8; 1024])).collect();
    let response = node
        .http
        .post(node.url("/v1/objects"))
        .header("content-type", "application/cbor-seq")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);

    let c = charter();
    let (a, b) = (comment(c.id(), 1), comment(c.id(), 2));
    let (status, body) = node.submit_bulk(cbor_seq(&[&c, &a, &b])).await;
    assert_eq!((status, code(&body)), (413, "too_many_objects"), "{body}");
    let (status, _) = node.get_json(&format!("/v1/objects/{}", c.id())).await;
    assert_eq!(status, 404, "an over-limit bulk body stores nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_content_types_are_415() {
    let node = TestNode::start(test_limits()).await;
    let bytes = charter().bytes().to_vec();
    let response = node.post("application/json", bytes.clone()).await;
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(code(&body), "unsupported_media_type");
    let response = node
        .http
        .post(node.url("/v1/objects"))
        .body(bytes)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_over_their_rate_get_429_with_retry_after() {
    let limits = ApiLimits {
        rate_limit: Some(RateLimit {
            per_second: 0.01,
            burst: 2,
            exempt_loopback: false,
        }),
        ..test_limits()
    };
    let node = TestNode::start(limits).await;
    for _ in 0..2 {
        assert_eq!(node.get_json("/v1/charters").await.0, 200);
    }
    let response = node
        .http
        .get(node.url("/v1/charters"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(code(&body), "rate_limited");
    assert_eq!(node.submit(&charter()).await.0, 429, "submissions too");
    assert_eq!(
        node.get_json("/healthz").await.0,
        200,
        "operations are not limited"
    );
}

/// Valid items of a bulk request are stored even when others are invalid;
/// the 400 names the first invalid item and lists every item's result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_with_valid_invalid_and_pending_items() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    let first = comment(c.id(), 1);
    let orphan_parent = comment(c.id(), 99);
    let orphan = reply(c.id(), Some(orphan_parent.id()), 100);
    let mut body = cbor_seq(&[&c, &first]);
    body.extend(tampered(&comment(c.id(), 2)));
    body.extend(cbor_seq(&[&orphan]));
    body.push(0x01); // a well-formed CBOR item that is no object
    body.extend(cbor_seq(&[&first]));

    let (status, json) = node.submit_bulk(body).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(code(&json), "bad_signature");
    assert_eq!(json["item"], 2);
    assert_eq!(
        statuses(&json),
        ["stored", "stored", "rejected", "pending", "rejected", "known"]
    );
    let results = &json["results"];
    assert_eq!(results[2]["error"], "bad_signature");
    assert_eq!(results[4]["error"], "wrong_tag");
    assert_eq!(results[3]["missing"][0], orphan_parent.id().to_string());
    assert_eq!(results[1]["id"], first.id().to_string());
    for stored in [&c, &first] {
        let (status, _) = node.get_json(&format!("/v1/objects/{}", stored.id())).await;
        assert_eq!(status, 200, "valid items were stored");
    }

    // An item that cannot be delimited ends the request at that item.
    let mut truncated = cbor_seq(&[&comment(c.id(), 3)]);
    truncated.extend(&comment(c.id(), 4).bytes()[..40]);
    let (status, json) = node.submit_bulk(truncated).await;
    assert_eq!(status, 400);
    assert_eq!((code(&json), json["item"].as_u64()), ("truncated", Some(1)));
    assert_eq!(statuses(&json), ["stored", "rejected"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_statuses_are_201_200_and_202() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    let comments: Vec<_> = (1..=3).map(|n| comment(c.id(), n)).collect();
    // The charter comes last: the comments wait for it, then are released.
    let mut all: Vec<&SignedObject> = comments.iter().collect();
    all.push(&c);
    let (status, json) = node.submit_bulk(cbor_seq(&all)).await;
    assert_eq!(status, 201, "{json}");
    assert_eq!(statuses(&json), ["stored"; 4]);
    let (status, json) = node.submit_bulk(cbor_seq(&all)).await;
    assert_eq!((status, statuses(&json)), (200, vec!["known"; 4]));
    let orphan = reply(c.id(), Some(comment(c.id(), 50).id()), 51);
    let (status, json) = node.submit_bulk(cbor_seq(&[&orphan, &c])).await;
    assert_eq!((status, statuses(&json)), (202, vec!["pending", "known"]));
    let (status, json) = node.submit_bulk(Vec::new()).await;
    assert_eq!((status, code(&json)), (400, "empty"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_object_is_released_when_its_parent_arrives() {
    let node = TestNode::start(test_limits()).await;
    let c = charter();
    assert_eq!(node.submit(&c).await.0, 201);
    let parent = comment(c.id(), 1);
    let child = reply(c.id(), Some(parent.id()), 2);
    let (status, json) = node.submit(&child).await;
    assert_eq!(status, 202, "{json}");
    assert_eq!(json["results"][0]["status"], "pending");
    assert_eq!(json["results"][0]["missing"][0], parent.id().to_string());
    let path = format!("/v1/objects/{}", child.id());
    let (status, json) = node.get_json(&path).await;
    assert_eq!((status, code(&json)), (404, "pending"));

    assert_eq!(node.submit(&parent).await.0, 201);
    let (status, json) = node.get_json(&path).await;
    assert_eq!(status, 200);
    assert_eq!(json, child.to_json());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pending_set_is_503_with_retry_after() {
    let node = TestNode::start_with(test_limits(), 1).await;
    let c = charter();
    assert_eq!(node.submit(&reply(c.id(), None, 1)).await.0, 202);
    let response = node
        .post("application/cbor", reply(c.id(), None, 2).bytes().to_vec())
        .await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(code(&body), "pending_full");

    // In bulk: the items the store could take are reported with the rest.
    let node = TestNode::start_with(test_limits(), 1).await;
    let orphans = [reply(c.id(), None, 3), reply(c.id(), None, 4)];
    let (status, json) = node
        .submit_bulk(cbor_seq(&[&orphans[0], &orphans[1]]))
        .await;
    assert_eq!(status, 503, "{json}");
    assert_eq!(
        (code(&json), json["item"].as_u64()),
        ("pending_full", Some(1))
    );
    assert_eq!(statuses(&json), ["pending", "rejected"]);
}

/// A body that stalls mid-upload is cut off by the request timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_times_out_with_408() {
    let limits = ApiLimits {
        request_timeout: Duration::from_millis(300),
        ..test_limits()
    };
    let node = TestNode::start(limits).await;
    let first: Result<Vec<u8>, std::io::Error> = Ok(charter().bytes()[..10].to_vec());
    let stalled =
        futures::StreamExt::chain(futures::stream::iter([first]), futures::stream::pending());
    let response = node
        .http
        .post(node.url("/v1/objects"))
        .header("content-type", "application/cbor")
        .body(reqwest::Body::wrap_stream(stalled))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the server answers before the client gives up");
    assert_eq!(response.status(), 408);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(code(&body), "timeout");
}

/// Reads until the server closes the connection (or `limit` passes);
/// whether it was closed.
async fn closed_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    });
    read.await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_the_header_timeout() {
    let node = TestNode::start(ApiLimits {
        header_timeout: Duration::from_secs(1),
        ..test_limits()
    })
    .await;
    let addr = node.url.trim_start_matches("http://").to_owned();
    let mut silent = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    assert!(
        closed_within(&mut silent, Duration::from_secs(20)).await,
        "a connection that never sends a request is closed"
    );
    // A slow client that started a request but never finishes its headers.
    let mut slow = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    use tokio::io::AsyncWriteExt;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    assert!(closed_within(&mut slow, Duration::from_secs(20)).await);
    let (status, _) = node.get_json("/healthz").await;
    assert_eq!(status, 200, "honest requests are unaffected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_are_closed_until_some_end() {
    let node = TestNode::start(ApiLimits {
        max_connections: 3,
        ..test_limits()
    })
    .await;
    let addr = node.url.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect"),
        );
    }
    // Give the server time to accept the three.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut extra = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("the kernel accepts");
    assert!(
        closed_within(&mut extra, Duration::from_secs(10)).await,
        "the fourth connection is closed at once"
    );
    drop(held);
    let mut answered = false;
    for _ in 0..50 {
        let response = reqwest::Client::new()
            .get(node.url("/healthz"))
            .send()
            .await;
        if response.is_ok_and(|r| r.status() == 200) {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "once connections end, new ones are served");
}
