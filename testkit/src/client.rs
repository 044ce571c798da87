//! One typed client of a node's HTTP API for the test suites, over the
//! JSON shapes of `baraza-api-types`: [`Client`] (async, for tests that
//! run the server in-process) and [`BlockingClient`] (for tests that drive
//! node processes). Both also hand out the raw `reqwest` client and JSON
//! values, for tests about the wire itself (headers, streaming bodies,
//! exact JSON).
//!
//! A test client panics on transport failures (the node under test is
//! expected to answer); answers with an error status come back as
//! [`Answer::body`] `Err(ErrorBody)`.

use std::time::Duration;

use baraza_api_types::{
    Dialling, ErrorBody, Health, IndexStatus, P2pStatus, Page, PeerRequest, SubmitResults,
};
use baraza_protocol::{ObjectId, SignedObject};
use serde::de::DeserializeOwned;

/// Media type of one signed object.
pub const CBOR: &str = "application/cbor";
/// Media type of a bulk submission: signed objects back to back (RFC 8742).
pub const CBOR_SEQ: &str = "application/cbor-seq";
/// How long a blocking request may take (a big bulk submission on a busy
/// test machine takes a while).
const BLOCKING_TIMEOUT: Duration = Duration::from_secs(120);

/// A node's answer: its status, and its body as `T` (2xx) or as the
/// error body (otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Result<T, ErrorBody>,
}

impl<T: std::fmt::Debug> Answer<T> {
    /// The body of a successful answer; panics with the error otherwise.
    pub fn ok(self) -> T {
        match self.body {
            Ok(body) => body,
            Err(e) => panic!("HTTP {}: {} ({})", self.status, e.message, e.error),
        }
    }

    /// The error body; panics if the answer succeeded.
    pub fn err(self) -> ErrorBody {
        match self.body {
            Ok(body) => panic!("HTTP {} succeeded: {body:?}", self.status),
            Err(e) => e,
        }
    }
}

/// Why an answer's body could not be read as expected.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The body is not the JSON expected.
    #[error("HTTP {status}: not the JSON expected ({detail}): {text}")]
    Shape {
        /// The status.
        status: u16,
        /// What serde said.
        detail: String,
        /// The body, as text.
        text: String,
    },
}

/// Reads a body as `T` when `status` is 2xx, as [`ErrorBody`] otherwise.
pub fn parse<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<Answer<T>, ClientError> {
    let shape = |e: serde_json::Error| ClientError::Shape {
        status,
        detail: e.to_string(),
        text: String::from_utf8_lossy(bytes).chars().take(500).collect(),
    };
    let body = if (200..300).contains(&status) {
        Ok(serde_json::from_slice(bytes).map_err(shape)?)
    } else {
        Err(serde_json::from_slice(bytes).map_err(shape)?)
    };
    Ok(Answer { status, body })
}

fn answer<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Answer<T> {
    parse(status, bytes).unwrap_or_else(|e| panic!("{e}"))
}

/// The encodings of `objects`, back to back: a bulk submission's body.
pub fn cbor_seq<'a>(objects: impl IntoIterator<Item = &'a SignedObject>) -> Vec<u8> {
    objects
        .into_iter()
        .flat_map(|o| o.bytes().to_vec())
        .collect()
}

/// The async client of one node.
#[derive(Debug, Clone)]
pub struct Client {
    /// Base URL without a trailing `/`, e.g. `http://127.0.0.1:41234`.
    base: String,
    http: reqwest::Client,
}

impl Client {
    /// A client of the node at `base`.
    pub fn new(base: &str) -> Client {
        Client {
            base: base.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `path` on this node.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The raw client, for requests this one has no method for.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST /v1/objects` with this content type and body.
    pub async fn post(&self, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.try_post(content_type, body)
            .await
            .expect("POST /v1/objects sent")
    }

    /// `POST /v1/objects`, or the transport error (for tests that kill
    /// the node mid-request).
    pub async fn try_post(
        &self,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        self.http
            .post(self.url("/v1/objects"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
    }

    /// Submits a CBOR sequence in one request; `None` if the node did not
    /// answer, or its answer was cut off.
    pub async fn try_submit_seq(&self, body: Vec<u8>) -> Option<Answer<SubmitResults>> {
        let response = self.try_post(CBOR_SEQ, body).await.ok()?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.ok()?;
        Some(answer(status, &bytes))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Answer<T> {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("a body");
        answer(status, &bytes)
    }

    async fn read_json(response: reqwest::Response) -> (u16, serde_json::Value) {
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Submits one object.
    pub async fn submit(&self, object: &SignedObject) -> Answer<SubmitResults> {
        Self::read(self.post(CBOR, object.bytes().to_vec()).await).await
    }

    /// Submits a CBOR sequence in one request.
    pub async fn submit_seq(&self, body: Vec<u8>) -> Answer<SubmitResults> {
        Self::read(self.post(CBOR_SEQ, body).await).await
    }

    /// Submits one object; the status and the JSON answer as it is.
    pub async fn submit_json(&self, object: &SignedObject) -> (u16, serde_json::Value) {
        Self::read_json(self.post(CBOR, object.bytes().to_vec()).await).await
    }

    /// Submits a CBOR sequence; the status and the JSON answer as it is.
    pub async fn submit_seq_json(&self, body: Vec<u8>) -> (u16, serde_json::Value) {
        Self::read_json(self.post(CBOR_SEQ, body).await).await
    }

    /// `GET path` as JSON, as it is.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        Self::read_json(self.get(path).await).await
    }

    /// `GET path` as `T` (or the error body).
    pub async fn get_typed<T: DeserializeOwned>(&self, path: &str) -> Answer<T> {
        Self::read(self.get(path).await).await
    }

    /// One page of the listing at `path` (a query may be part of it).
    pub async fn page(&self, path: &str) -> Answer<Page> {
        self.get_typed(path).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Answer<Health> {
        self.get_typed("/healthz").await
    }
}

/// The blocking client of one node (one keep-alive connection pool, made
/// on first use, so a node can be started and dropped inside an async test).
#[derive(Debug)]
pub struct BlockingClient {
    /// Base URL without a trailing `/`.
    base: String,
    http: std::sync::OnceLock<reqwest::blocking::Client>,
}

impl BlockingClient {
    /// A client of the node at `base`.
    pub fn new(base: &str) -> BlockingClient {
        BlockingClient {
            base: base.trim_end_matches('/').to_owned(),
            http: std::sync::OnceLock::new(),
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `path` on this node.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The raw keep-alive client.
    pub fn http(&self) -> &reqwest::blocking::Client {
        self.http.get_or_init(|| {
            reqwest::blocking::Client::builder()
                .timeout(BLOCKING_TIMEOUT)
                .build()
                .expect("http client")
        })
    }

    fn read<T: DeserializeOwned>(response: reqwest::blocking::Response) -> Answer<T> {
        let status = response.status().as_u16();
        let bytes = response.bytes().expect("a body");
        answer(status, &bytes)
    }

    /// `POST /v1/objects` with this content type and body.
    pub fn post(&self, content_type: &str, body: Vec<u8>) -> reqwest::blocking::Response {
        self.http()
            .post(self.url("/v1/objects"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .expect("POST /v1/objects sent")
    }

    /// Submits one encoded object.
    pub fn submit_bytes(&self, bytes: &[u8]) -> Answer<SubmitResults> {
        Self::read(self.post(CBOR, bytes.to_vec()))
    }

    /// Submits a CBOR sequence in one request.
    pub fn submit_seq(&self, body: Vec<u8>) -> Answer<SubmitResults> {
        Self::read(self.post(CBOR_SEQ, body))
    }

    /// Submits one encoded object; the status and the JSON answer as it is.
    pub fn submit_bytes_json(&self, bytes: &[u8]) -> (u16, serde_json::Value) {
        let response = self.post(CBOR, bytes.to_vec());
        let status = response.status().as_u16();
        (status, response.json().expect("a JSON answer"))
    }

    /// `GET path` as `T` (or the error body).
    pub fn get_typed<T: DeserializeOwned>(&self, path: &str) -> Answer<T> {
        let response = self
            .http()
            .get(self.url(path))
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        Self::read(response)
    }

    /// Whether the node holds object `id` (a transport error reads as no).
    pub fn has(&self, id: &ObjectId) -> bool {
        self.http()
            .get(self.url(&format!("/v1/objects/{id}")))
            .header("accept", CBOR)
            .send()
            .map(|r| r.status().is_success())
            .unwrap_or(false)
    }

    /// `GET /v1/p2p`, typed.
    pub fn p2p_status(&self) -> Answer<P2pStatus> {
        self.get_typed("/v1/p2p")
    }

    /// `GET /v1/p2p` as JSON; panics unless it succeeds.
    pub fn p2p_json(&self) -> serde_json::Value {
        self.http()
            .get(self.url("/v1/p2p"))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .expect("GET /v1/p2p")
    }

    /// `(keys, fingerprint)` of the sync index, or `None` while it loads.
    pub fn index(&self) -> Option<(usize, String)> {
        match self.p2p_status().ok().index {
            IndexStatus::Ready { keys, fingerprint } => Some((keys, fingerprint)),
            IndexStatus::Loading { .. } => None,
        }
    }

    /// `POST /v1/p2p/dial`.
    pub fn dial(&self, peer: &str) -> Answer<Dialling> {
        let response = self
            .http()
            .post(self.url("/v1/p2p/dial"))
            .json(&PeerRequest {
                peer: peer.to_owned(),
            })
            .send()
            .expect("POST /v1/p2p/dial");
        Self::read(response)
    }

    /// The Prometheus text of `/metrics`.
    pub fn metrics(&self) -> String {
        self.http()
            .get(self.url("/metrics"))
            .send()
            .and_then(|r| r.text())
            .expect("GET /metrics")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baraza_api_types::ItemStatus;

    #[test]
    fn answers_split_on_the_status() {
        let ok: Answer<SubmitResults> =
            parse(201, br#"{"results":[{"status":"stored"}]}"#).expect("parses");
        assert_eq!(ok.ok().results[0].status, ItemStatus::Stored);
        let refused: Answer<SubmitResults> =
            parse(400, br#"{"error":"bad_id","message":"no","item":3}"#).expect("parses");
        let error = refused.err();
        assert_eq!((error.error.as_str(), error.item), ("bad_id", Some(3)));
        assert!(parse::<SubmitResults>(200, b"<html>").is_err());
    }
}
