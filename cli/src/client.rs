//! A small blocking client of a node's HTTP API (`/v1/…`).
//!
//! Blocking because the CLI does one thing at a time; the bulk import gets
//! its throughput from large `application/cbor-seq` batches, not from
//! concurrency. Every request that the node may refuse for load (429, 503)
//! is retried after the `Retry-After` it asks for, a bounded number of
//! times. Everything the node says is treated as untrusted input: bodies
//! are size-capped and parsed into typed values, and an object fetched by
//! id is checked against that id by the caller ([`NodeClient::object_bytes`]).

use std::io::Read;
use std::time::Duration;

use baraza_api_types::{
    ErrorBody, InclusionProof, LogEntries, LogInfo, P2pStatus, Page as ApiPage, SubmitResults,
    HEAD_SEQ_HEADER, LAST_SEQ_HEADER,
};
use baraza_protocol::{Body, Kind, ObjectId, PublicKey};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;

/// One page of an export.
pub(crate) struct ExportPage {
    /// The node's event-log head when the page was served.
    pub(crate) head: u64,
    /// Position of the page's last object (`after` when empty).
    pub(crate) last: u64,
    /// The objects, back to back.
    pub(crate) bytes: Vec<u8>,
}

/// Where the CLI looks for a node when neither `--node` nor `BARAZA_NODE` is set.
pub(crate) const DEFAULT_NODE: &str = "http://127.0.0.1:7070";

/// Media type of one signed object.
const CBOR: &str = "application/cbor";
/// Media type of a bulk submission: signed objects back to back (RFC 8742).
const CBOR_SEQ: &str = "application/cbor-seq";

/// Retries of one request refused for load before giving up.
const MAX_RETRIES: u32 = 10;
/// Longest wait honoured from a `Retry-After` (a misconfigured node could
/// ask for hours; the user would rather see an error).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Wait when a 429/503 carries no usable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// Largest JSON answer read (a listing page of 1000 large drafts fits).
const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;
/// Largest raw answer read (an object, or an audit bundle).
const MAX_RAW_BYTES: u64 = baraza_protocol::limits::MAX_BUNDLE_BYTES as u64;

/// Why a request to the node failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientError {
    /// `--node` is not an http(s) URL.
    #[error("--node {0:?} is not an http:// or https:// URL")]
    BadUrl(String),
    /// No answer: connection refused, DNS, timeout, TLS.
    #[error("cannot reach the node at {url}: {detail}; is it running? (choose another with --node URL or BARAZA_NODE)")]
    Unreachable {
        /// The node's base URL.
        url: String,
        /// What the transport said.
        detail: String,
    },
    /// The node answered with an error status.
    #[error("{}", refused_message(*status, code, message, *item))]
    Refused {
        /// HTTP status.
        status: u16,
        /// The node's stable error code (`http_<status>` when it sent none).
        code: String,
        /// The node's explanation.
        message: String,
        /// For bulk submissions: the index of the offending item.
        item: Option<usize>,
        /// For bulk submissions: what happened to each item.
        results: Vec<ItemResult>,
    },
    /// The node answered 2xx with something this client cannot read.
    #[error("unexpected answer from {url}: {detail}")]
    Unexpected {
        /// The request URL.
        url: String,
        /// What was wrong with the answer.
        detail: String,
    },
}

fn refused_message(status: u16, code: &str, message: &str, item: Option<usize>) -> String {
    let at = item.map(|i| format!(" (item {i})")).unwrap_or_default();
    format!("the node refused the request{at}: {message} [{code}, HTTP {status}]")
}

impl ClientError {
    /// Whether the node said it does not have the thing asked for.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Refused { status: 404, .. })
    }

    /// The node's error code, when it refused the request.
    pub(crate) fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// What the node did with one submitted object (the shared JSON shape of
/// `baraza-api-types`).
pub(crate) use baraza_api_types::ItemResult;

/// An object as a listing shows it, with its body typed.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    /// Its id.
    pub(crate) id: ObjectId,
    /// Its author.
    pub(crate) author: PublicKey,
    /// Its body (the kind is the variant).
    pub(crate) body: Body,
}

impl Listed {
    /// `{"id", "author", "kind", "body"}`, as everywhere else.
    pub(crate) fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id.to_string(),
            "author": self.author.to_did(),
            "kind": self.body.kind().as_str(),
            "body": self.body.to_json(),
        })
    }

    fn from_json(value: Value) -> Result<Listed, String> {
        #[derive(Deserialize)]
        struct Raw {
            id: ObjectId,
            author: PublicKey,
            kind: Kind,
            body: Value,
        }
        let raw: Raw = serde_json::from_value(value).map_err(|e| e.to_string())?;
        let body = Body::from_json(raw.kind, raw.body).map_err(|e| format!("{}: {e}", raw.id))?;
        Ok(Listed {
            id: raw.id,
            author: raw.author,
            body,
        })
    }
}

/// One page of a listing.
#[derive(Debug)]
pub(crate) struct Page {
    /// The objects, in the node's order.
    pub(crate) objects: Vec<Listed>,
    /// The cursor of the next page; `None` at the end.
    pub(crate) next: Option<String>,
}

/// A connection to one node.
pub(crate) struct NodeClient {
    /// Base URL without a trailing `/`.
    base: String,
    http: Client,
    /// Where "waiting for the node" notices go (a progress bar replaces it).
    notice: Box<dyn Fn(&str)>,
}

impl NodeClient {
    /// A client of the node at `url` (`http://host:port`, an optional path prefix).
    pub(crate) fn new(url: &str) -> Result<NodeClient, ClientError> {
        let base = url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::BadUrl(url.to_owned()));
        }
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("baraza-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: base.to_owned(),
                detail: e.to_string(),
            })?;
        Ok(NodeClient {
            base: base.to_owned(),
            http,
            notice: Box::new(|line| eprintln!("{line}")),
        })
    }

    /// The node's base URL.
    pub(crate) fn url(&self) -> &str {
        &self.base
    }

    /// Sends notices (retries) to `notice` instead of stderr.
    pub(crate) fn set_notice(&mut self, notice: impl Fn(&str) + 'static) {
        self.notice = Box::new(notice);
    }

    /// Submits one signed object (`application/cbor`).
    pub(crate) fn submit_one(&self, bytes: &[u8]) -> Result<ItemResult, ClientError> {
        let url = format!("{}/v1/objects", self.base);
        let response = self.send(&url, || {
            self.http
                .post(&url)
                .header(CONTENT_TYPE, CBOR)
                .body(bytes.to_vec())
        })?;
        let submitted: SubmitResults = read_json(response, &url)?;
        submitted
            .results
            .into_iter()
            .next()
            .ok_or_else(|| ClientError::Unexpected {
                url,
                detail: "no result for the submitted object".into(),
            })
    }

    /// Submits signed objects back to back (`application/cbor-seq`): one
    /// result per object, in order.
    pub(crate) fn submit_seq(&self, sequence: &[u8]) -> Result<Vec<ItemResult>, ClientError> {
        let url = format!("{}/v1/objects", self.base);
        let response = self.send(&url, || {
            self.http
                .post(&url)
                .header(CONTENT_TYPE, CBOR_SEQ)
                .body(sequence.to_vec())
        })?;
        Ok(read_json::<SubmitResults>(response, &url)?.results)
    }

    /// The stored bytes of object `id`. The caller must check that they
    /// hash to `id` and verify them: the node is not trusted.
    pub(crate) fn object_bytes(&self, id: &ObjectId) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}/v1/objects/{id}", self.base);
        let response = self.send(&url, || self.http.get(&url).header(ACCEPT, CBOR))?;
        read_raw(
            response,
            &url,
            baraza_protocol::limits::MAX_OBJECT_BYTES as u64,
        )
    }

    /// `GET path` (relative to the base, starting with `/`) as JSON.
    pub(crate) fn get_json(&self, path: &str) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = self.send(&url, || {
            self.http.get(&url).header(ACCEPT, "application/json")
        })?;
        read_json(response, &url)
    }

    /// `GET /v1/p2p`: the node's peer-protocol state, typed.
    pub(crate) fn p2p_status(&self) -> Result<P2pStatus, ClientError> {
        let url = format!("{}/v1/p2p", self.base);
        let response = self.send(&url, || {
            self.http.get(&url).header(ACCEPT, "application/json")
        })?;
        read_json(response, &url)
    }

    /// `GET /v1/log`: which log the node keeps and its latest checkpoint.
    pub(crate) fn log_info(&self) -> Result<LogInfo, ClientError> {
        self.get_typed("/v1/log", &[])
    }

    /// `GET /v1/log/inclusion?id=`: the proof that object `id` is in the
    /// tree of the node's latest checkpoint, with that checkpoint. The
    /// caller verifies it: the node is not trusted.
    pub(crate) fn log_inclusion(
        &self,
        id: &ObjectId,
        first: bool,
    ) -> Result<InclusionProof, ClientError> {
        let mut query = vec![("id", id.to_string())];
        if first {
            query.push(("first", "true".to_owned()));
        }
        self.get_typed("/v1/log/inclusion", &query)
    }

    /// `GET /v1/log/entries?start=&limit=`: a page of log entries.
    pub(crate) fn log_entries(&self, start: u64, limit: usize) -> Result<LogEntries, ClientError> {
        self.get_typed(
            "/v1/log/entries",
            &[("start", start.to_string()), ("limit", limit.to_string())],
        )
    }

    /// `GET path?query` as JSON, parsed into `T`.
    fn get_typed<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = self.send(&url, || {
            self.http
                .get(&url)
                .query(query)
                .header(ACCEPT, "application/json")
        })?;
        read_json(response, &url)
    }

    /// `POST path` with a JSON body, answered with JSON; waits up to
    /// `timeout` (a sync of a long catch-up takes a while).
    pub(crate) fn post_json(
        &self,
        path: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = self.send(&url, || {
            self.http
                .post(&url)
                .timeout(timeout)
                .header(ACCEPT, "application/json")
                .json(body)
        })?;
        read_json(response, &url)
    }

    /// One page of `GET /v1/export`: the objects after event `after` up
    /// to `upto` (the head when `None`), as a CBOR sequence, with the
    /// log's head and the position of the page's last object.
    pub(crate) fn export_page(
        &self,
        after: u64,
        upto: Option<u64>,
    ) -> Result<ExportPage, ClientError> {
        let url = format!("{}/v1/export", self.base);
        let mut query = vec![("after", after.to_string())];
        if let Some(upto) = upto {
            query.push(("upto", upto.to_string()));
        }
        let response = self.send(&url, || self.http.get(&url).query(&query))?;
        let number = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| ClientError::Unexpected {
                    url: url.clone(),
                    detail: format!("no {name} header: is this a baraza node?"),
                })
        };
        let (head, last) = (number(HEAD_SEQ_HEADER)?, number(LAST_SEQ_HEADER)?);
        let bytes = read_raw(
            response,
            &url,
            1000 * baraza_protocol::limits::MAX_OBJECT_BYTES as u64,
        )?;
        Ok(ExportPage { head, last, bytes })
    }

    /// `GET path` as raw bytes (at most the audit bundle limit).
    pub(crate) fn get_raw(&self, path: &str) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = self.send(&url, || self.http.get(&url))?;
        read_raw(response, &url, MAX_RAW_BYTES)
    }

    /// One page of the listing at `path` (e.g. `/v1/charters`), with extra
    /// `query` pairs, after cursor `after`, at most `limit` objects.
    pub(crate) fn list_page(
        &self,
        path: &str,
        query: &[(&str, &str)],
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, ClientError> {
        let url = format!("{}{path}", self.base);
        let limit = limit.to_string();
        let mut pairs: Vec<(&str, &str)> = query.to_vec();
        pairs.push(("limit", &limit));
        if let Some(after) = after {
            pairs.push(("after", after));
        }
        let response = self.send(&url, || {
            self.http
                .get(&url)
                .query(&pairs)
                .header(ACCEPT, "application/json")
        })?;
        let raw: ApiPage = read_json(response, &url)?;
        let objects = raw
            .objects
            .into_iter()
            .map(Listed::from_json)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|detail| ClientError::Unexpected {
                url: url.clone(),
                detail: format!("a listed object does not parse: {detail}"),
            })?;
        Ok(Page {
            objects,
            next: raw.next,
        })
    }

    /// Walks every page of a listing, handing each page to `each`, until
    /// the listing ends or `max` objects were handed over.
    pub(crate) fn list_all(
        &self,
        path: &str,
        query: &[(&str, &str)],
        max: Option<usize>,
        mut each: impl FnMut(Vec<Listed>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        /// Objects asked for per page; the node caps it (1000 today).
        const PAGE: usize = 1000;
        let mut after: Option<String> = None;
        let mut seen = 0usize;
        loop {
            let want = max.map_or(PAGE, |m| m.saturating_sub(seen).min(PAGE));
            if want == 0 {
                return Ok(());
            }
            let page = self.list_page(path, query, after.as_deref(), want)?;
            let mut objects = page.objects;
            objects.truncate(want);
            seen += objects.len();
            let empty = objects.is_empty();
            each(objects)?;
            match page.next {
                // A page with nothing in it and a cursor would loop forever.
                Some(next) if !empty && after.as_deref() != Some(next.as_str()) => {
                    after = Some(next)
                }
                _ => return Ok(()),
            }
        }
    }

    /// Sends the request `build` makes, again after a wait while the node
    /// answers 429 or 503; turns error statuses into [`ClientError::Refused`].
    fn send(&self, url: &str, build: impl Fn() -> RequestBuilder) -> Result<Response, ClientError> {
        let mut attempt = 0;
        loop {
            let response = build().send().map_err(|e| ClientError::Unreachable {
                url: self.base.clone(),
                detail: if e.is_timeout() {
                    "no answer in time".to_owned()
                } else {
                    root_cause(&e)
                },
            })?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let busy = matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            );
            if busy && attempt < MAX_RETRIES {
                attempt += 1;
                let wait = retry_after(&response).unwrap_or(DEFAULT_RETRY_AFTER);
                (self.notice)(&format!(
                    "the node is busy (HTTP {}); retrying in {}s ({attempt}/{MAX_RETRIES})",
                    status.as_u16(),
                    wait.as_secs_f32()
                ));
                std::thread::sleep(wait);
                continue;
            }
            return Err(refusal(response, url));
        }
    }
}

/// The wait a 429/503 asks for, capped.
fn retry_after(response: &Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// Reads an error answer: the node's JSON `{"error", "message", "item"?,
/// "results"?}`, or whatever text a proxy sent.
fn refusal(response: Response, url: &str) -> ClientError {
    let status = response.status().as_u16();
    let text = match read_limited(response, 64 * 1024) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => e.to_string(),
    };
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ClientError::Refused {
            status,
            code: body.error,
            message: body.message,
            item: body.item,
            results: body.results.unwrap_or_default(),
        },
        Err(_) => {
            let text: String = text.trim().chars().take(300).collect();
            ClientError::Refused {
                status,
                code: format!("http_{status}"),
                message: if text.is_empty() {
                    format!("HTTP {status} from {url}")
                } else {
                    text
                },
                item: None,
                results: Vec::new(),
            }
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(
    response: Response,
    url: &str,
) -> Result<T, ClientError> {
    let bytes = read_raw(response, url, MAX_JSON_BYTES)?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Unexpected {
        url: url.to_owned(),
        detail: format!("not the JSON expected: {e}"),
    })
}

fn read_raw(response: Response, url: &str, limit: u64) -> Result<Vec<u8>, ClientError> {
    let bytes = read_limited(response, limit).map_err(|e| ClientError::Unexpected {
        url: url.to_owned(),
        detail: e.to_string(),
    })?;
    if bytes.len() as u64 > limit {
        return Err(ClientError::Unexpected {
            url: url.to_owned(),
            detail: format!("the answer is larger than {limit} bytes"),
        });
    }
    Ok(bytes)
}

/// Reads at most `limit + 1` bytes, so an oversized answer is detectable
/// without being held whole.
fn read_limited(response: Response, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    response.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The innermost cause of a transport error: reqwest's own message is
/// "error sending request for url (…)"; the useful part ("Connection
/// refused", a certificate problem) is at the end of the chain.
fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Serves `answers` in order, one per connection, on a loopback port;
    /// returns the base URL.
    fn serve(answers: Vec<String>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        std::thread::spawn(move || {
            for answer in answers {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let mut reader = BufReader::new(stream);
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(value) = lower.strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; length];
                let _ = std::io::Read::read_exact(&mut reader, &mut body);
                let _ = reader.get_mut().write_all(answer.as_bytes());
            }
        });
        url
    }

    fn answer(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn retries_after_429_as_asked_then_succeeds() {
        let stored = format!(
            r#"{{"results":[{{"id":"{}","status":"stored"}}]}}"#,
            "ab".repeat(32)
        );
        let url = serve(vec![
            answer(
                "429 Too Many Requests",
                "Retry-After: 0\r\n",
                r#"{"error":"rate_limited","message":"slow down"}"#,
            ),
            answer("503 Service Unavailable", "Retry-After: 0\r\n", "{}"),
            answer("201 Created", "", &stored),
        ]);
        let mut client = NodeClient::new(&url).expect("client");
        let notices = Arc::new(Mutex::new(Vec::new()));
        let seen = notices.clone();
        client.set_notice(move |line| seen.lock().expect("lock").push(line.to_owned()));
        let result = client.submit_one(b"object").expect("stored after retries");
        assert_eq!(result.status, baraza_api_types::ItemStatus::Stored);
        let notices = notices.lock().expect("lock");
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].contains("HTTP 429"), "{notices:?}");
    }

    #[test]
    fn refusals_carry_the_nodes_code_and_message() {
        let url = serve(vec![answer(
            "400 Bad Request",
            "",
            r#"{"error":"bad_signature","message":"signature does not verify","item":3}"#,
        )]);
        let client = NodeClient::new(&url).expect("client");
        let err = client.submit_seq(b"objects").expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("(item 3): signature does not verify [bad_signature, HTTP 400]"),
            "{text}"
        );
        assert!(!err.is_not_found());
    }

    #[test]
    fn non_json_errors_are_shown_as_text() {
        let url = serve(vec![format!(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 11\r\nConnection: close\r\n\r\nproxy says!"
        )]);
        let client = NodeClient::new(&url).expect("client");
        let err = client.get_json("/v1/charters").expect_err("refused");
        assert!(
            err.to_string().contains("proxy says! [http_502, HTTP 502]"),
            "{err}"
        );
    }

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(matches!(
            NodeClient::new("ftp://x"),
            Err(ClientError::BadUrl(_))
        ));
        let client = NodeClient::new("http://127.0.0.1:7070/").expect("client");
        assert_eq!(client.url(), "http://127.0.0.1:7070");
    }
}
