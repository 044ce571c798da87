//! Shared fixtures for the node's integration tests: fixed keys and times
//! (from `baraza-testkit`), small signed objects of each kind the API tests need, and a real API
//! server on 127.0.0.1:0 over a real sled directory.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::sync::Arc;

use baraza_node::api::{ApiLimits, ApiState};
use baraza_node::metrics::Metrics;
use baraza_node::server;
use baraza_node::store::{Store, StoreOptions, MAX_PENDING};
use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, SignedObject};
use baraza_testkit::client::Client;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use baraza_testkit::fixtures::{sign, CharterBuilder, DAY, FEB_2024};
pub use baraza_testkit::keys::{editor, nri, stakeholder, steward};

pub const SECTION: &str = "whole-and-open";

/// The node tests' charter: two sections, a consultation phase around
/// [`FEB_2024`], one steward, English only.
pub fn charter() -> SignedObject {
    CharterBuilder::new(FEB_2024 - 30 * DAY)
        .section(SECTION, "Whole and open")
        .section("safe-and-secure", "Safe and secure")
        .phase(
            "consultation",
            FEB_2024 - 30 * DAY,
            FEB_2024 + 29 * DAY,
            &[Kind::Comment],
        )
        .steward(steward().public())
        .policy(1, 1, &[StakeholderGroup::CivilSociety])
        .sign(&steward())
}

/// Comment number `n` on [`SECTION`], created `n` ms after [`FEB_2024`].
pub fn comment(charter: ObjectId, n: u64) -> SignedObject {
    reply(charter, None, n)
}

/// Comment number `n`, optionally replying to `parent`.
pub fn reply(charter: ObjectId, parent: Option<ObjectId>, n: u64) -> SignedObject {
    let body = Comment {
        created_at: FEB_2024 + n,
        charter,
        section: SECTION.into(),
        draft: None,
        anchor: None,
        in_reply_to: parent,
        language: "en".into(),
        text: format!("comment number {n}: keep the Internet whole."),
    };
    sign(Body::Comment(body), &stakeholder())
}

pub fn endorsement(target: ObjectId, key: &Keypair, n: u64) -> SignedObject {
    let body = Endorsement {
        created_at: FEB_2024 + DAY + n,
        target,
        stance: Stance::Support,
        statement: None,
        on_behalf_of: None,
    };
    sign(Body::Endorsement(body), key)
}

pub fn draft(charter: ObjectId, comment: ObjectId) -> SignedObject {
    let body = Draft {
        created_at: FEB_2024 + 60 * DAY,
        charter,
        section: SECTION.into(),
        version: 1,
        parent: None,
        text: "The Internet should remain whole and open.".into(),
        goals: vec![],
        dispositions: vec![Disposition {
            comment,
            outcome: Outcome::Incorporated,
            rationale: "Reflected in the text.".into(),
        }],
    };
    sign(Body::Draft(body), &editor())
}

/// The objects' encodings concatenated: an RFC 8742 CBOR sequence.
pub fn cbor_seq(objects: &[&SignedObject]) -> Vec<u8> {
    objects.iter().flat_map(|o| o.bytes().to_vec()).collect()
}

/// `object`'s bytes with one letter of its text changed: canonical, but the
/// signature no longer matches.
pub fn tampered(object: &SignedObject) -> Vec<u8> {
    let mut bytes = object.bytes().to_vec();
    let at = bytes
        .windows(14)
        .position(|w| w == b"comment number")
        .expect("fixture comments contain the word");
    bytes[at] = b'C';
    bytes
}

/// Limits for tests: the defaults without a rate limit.
pub fn test_limits() -> ApiLimits {
    ApiLimits {
        rate_limit: None,
        ..ApiLimits::default()
    }
}

/// A running API server over a fresh data dir.
pub struct TestNode {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub state: ApiState,
    /// The raw HTTP client (of `api`), for tests about the wire itself.
    pub http: reqwest::Client,
    /// The typed client of `baraza-testkit`.
    pub api: Client,
    stop: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

/// The test nodes' key: fixed, so their receipts can be checked against it.
pub fn node_key() -> baraza_protocol::Keypair {
    baraza_protocol::Keypair::from_seed(&[42; 32])
}

impl TestNode {
    pub async fn start(limits: ApiLimits) -> TestNode {
        TestNode::start_with(limits, MAX_PENDING).await
    }

    pub async fn start_with(limits: ApiLimits, max_pending: usize) -> TestNode {
        let dir = tempfile::tempdir().expect("temp dir");
        let metrics = Arc::new(Metrics::new());
        let options = StoreOptions {
            max_pending,
            on_flush: Some(metrics.flush_observer()),
            ..StoreOptions::default()
        };
        let store = Arc::new(Store::open(dir.path(), options).expect("open store"));
        let notary = Arc::new(baraza_node::tlog::Notary::new(&node_key(), 1));
        let state = ApiState::new(store, metrics, limits, notary);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        let api = Client::new(&url);
        TestNode {
            url,
            state,
            http: api.http().clone(),
            api,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.api.url(path)
    }

    /// POSTs `body` with this content type.
    pub async fn post(&self, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.api.post(content_type, body).await
    }

    /// Submits one object; returns the status and the JSON body.
    pub async fn submit(&self, object: &SignedObject) -> (u16, serde_json::Value) {
        self.api.submit_json(object).await
    }

    /// Submits objects as one CBOR sequence.
    pub async fn submit_bulk(&self, body: Vec<u8>) -> (u16, serde_json::Value) {
        self.api.submit_seq_json(body).await
    }

    /// GETs `path`; returns the status and the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        self.api.get_json(path).await
    }

    /// Signals shutdown and waits for the server to finish.
    pub async fn stop(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => server.await.expect("server task"),
            None => Ok(()),
        }
    }
}
