//! The load generator: keep-alive HTTP/1.1 connections on their own
//! runtime thread, posting pre-built requests to the node over loopback and
//! timing each acknowledgement (a 2xx is sent only once the object is
//! durable).
//!
//! The client is a minimal one (write the request bytes, read the status
//! line, headers and a `Content-Length` body), like `wrk`: it shares the
//! machine's two cores with the node, so it must cost as little as
//! possible. A general client (reqwest) cost ~60 µs of CPU per request here,
//! about a seventh of the whole budget per submission.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::BenchResult;

/// A complete `POST /v1/objects` request carrying `body`.
pub(crate) fn request(addr: SocketAddr, content_type: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST /v1/objects HTTP/1.1\r\nhost: {addr}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body);
    out
}

/// One keep-alive connection, one request at a time.
pub(crate) struct Connection {
    stream: TcpStream,
    /// Bytes read and not yet consumed.
    buffer: Vec<u8>,
}

impl Connection {
    pub(crate) async fn open(addr: SocketAddr) -> BenchResult<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buffer: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends one request; returns the status and the body.
    async fn exchange(&mut self, request: &[u8]) -> BenchResult<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buffer[..head_end])?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or("a response without a status line")?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or("a response without Content-Length")?;
        while self.buffer.len() < head_end + length {
            self.fill().await?;
        }
        let body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Ok((status, body))
    }

    async fn fill(&mut self) -> BenchResult<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err("the node closed the connection".into());
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Opens `count` connections.
pub(crate) async fn connect(addr: SocketAddr, count: usize) -> BenchResult<Vec<Connection>> {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(Connection::open(addr).await?);
    }
    Ok(out)
}

/// Latencies, sorted, for nearest-rank percentiles.
#[derive(Debug, Clone, Default)]
pub(crate) struct Latencies(Vec<Duration>);

impl Latencies {
    pub(crate) fn new(mut all: Vec<Duration>) -> Latencies {
        all.sort_unstable();
        Latencies(all)
    }

    /// The nearest-rank `p`-quantile (0 < p ≤ 1).
    pub(crate) fn quantile(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1]
    }

    pub(crate) fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }

    pub(crate) fn mean(&self) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        self.0.iter().sum::<Duration>() / self.0.len() as u32
    }
}

/// What a run of requests came to.
#[derive(Debug)]
pub(crate) struct Run {
    /// From the first request sent to the last acknowledgement received.
    pub(crate) elapsed: Duration,
    /// Of each request, from sending to the end of the response body.
    pub(crate) latencies: Latencies,
    /// Acknowledgements received in each whole second of the run.
    pub(crate) per_second: Vec<u64>,
    /// Response bodies, in request order (only kept when asked for).
    pub(crate) bodies: Vec<Vec<u8>>,
}

/// Sends every request in `requests` once, over all `connections` at once
/// (each sends the next request when its previous one is answered). Any
/// status other than `expect` fails the run. Returns the connections for
/// the next run.
pub(crate) async fn post_all(
    connections: Vec<Connection>,
    requests: Arc<Vec<Vec<u8>>>,
    expect: u16,
    keep_responses: bool,
) -> BenchResult<(Run, Vec<Connection>)> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = connections
        .into_iter()
        .map(|mut connection| {
            let (requests, next) = (requests.clone(), next.clone());
            tokio::spawn(async move {
                // (index, completed at, latency, response)
                let mut done: Vec<(usize, Duration, Duration, Vec<u8>)> = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(i) else {
                        return Ok::<_, String>((done, connection));
                    };
                    let sent = Instant::now();
                    let (status, body) = connection
                        .exchange(request)
                        .await
                        .map_err(|e| format!("request {i}: {e}"))?;
                    let latency = sent.elapsed();
                    if status != expect {
                        let head = String::from_utf8_lossy(&body[..body.len().min(400)]);
                        return Err(format!("request {i}: {status} (expected {expect}): {head}"));
                    }
                    let kept = if keep_responses { body } else { Vec::new() };
                    done.push((i, started.elapsed(), latency, kept));
                }
            })
        })
        .collect();
    let mut all = Vec::with_capacity(requests.len());
    let mut connections = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (done, connection) = task.await??;
        all.extend(done);
        connections.push(connection);
    }
    let elapsed = started.elapsed();
    all.sort_by_key(|(i, ..)| *i);
    let mut per_second = vec![0u64; elapsed.as_secs() as usize + 1];
    for (_, at, ..) in &all {
        per_second[at.as_secs() as usize] += 1;
    }
    // The last, partial second says nothing about the rate.
    if per_second.len() > 1 {
        per_second.pop();
    }
    let latencies = Latencies::new(all.iter().map(|(_, _, l, _)| *l).collect());
    let run = Run {
        elapsed,
        latencies,
        per_second,
        bodies: all.into_iter().map(|(.., body)| body).collect(),
    };
    Ok((run, connections))
}

/// Counts the `"status": "stored"` entries of bulk responses.
pub(crate) fn count_stored(responses: &[Vec<u8>]) -> BenchResult<usize> {
    let mut stored = 0;
    for body in responses {
        let value: serde_json::Value = serde_json::from_slice(body)?;
        let results = value["results"]
            .as_array()
            .ok_or("a bulk response without results")?;
        stored += results.iter().filter(|r| r["status"] == "stored").count();
    }
    Ok(stored)
}
