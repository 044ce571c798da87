//! Scenarios 1 and 2: sustained single submissions from many clients, and a
//! burst of bulk submissions, each against a fresh node in a temporary dir.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use baraza_node::run::{self, RunningNode};
use baraza_protocol::SignedObject;
use tokio::runtime::Runtime;

use crate::fixtures::{self, TextSize};
use crate::load::{self, Connection, Latencies};
use crate::procfs::{self, MachineCpu, ThreadCpu};
use crate::{node_config, BenchResult};

/// Flushes (group commits) the node reports, from `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flushes {
    pub(crate) count: u64,
    pub(crate) seconds: f64,
}

impl Flushes {
    async fn scrape(addr: SocketAddr) -> BenchResult<Flushes> {
        let text = reqwest::get(format!("http://{addr}/metrics"))
            .await?
            .text()
            .await?;
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        Ok(Flushes {
            count: value("baraza_flush_seconds_count ") as u64,
            seconds: value("baraza_flush_seconds_sum "),
        })
    }

    fn since(self, earlier: Flushes) -> Flushes {
        Flushes {
            count: self.count - earlier.count,
            seconds: self.seconds - earlier.seconds,
        }
    }
}

/// What one submission scenario measured.
#[derive(Debug)]
pub(crate) struct Measured {
    /// Objects acknowledged in the timed part.
    pub(crate) objects: usize,
    /// Requests made in the timed part.
    pub(crate) requests: usize,
    pub(crate) elapsed: Duration,
    pub(crate) latencies: Latencies,
    /// Lowest and highest acknowledgements in a whole second.
    pub(crate) per_second_range: (u64, u64),
    pub(crate) flushes: Flushes,
    /// CPU by thread group during the timed part.
    pub(crate) cpu: String,
}

impl Measured {
    pub(crate) fn rate(&self) -> f64 {
        self.objects as f64 / self.elapsed.as_secs_f64()
    }
}

/// A node on a fresh temporary dir, with the charter already stored.
struct FreshNode {
    node: RunningNode,
    _dir: tempfile::TempDir,
    charter: SignedObject,
}

fn fresh_node(node_rt: &Runtime) -> BenchResult<FreshNode> {
    let dir = tempfile::tempdir()?;
    let node = node_rt.block_on(run::start(node_config(dir.path())))?;
    let charter = fixtures::charter();
    node_rt.block_on(node.store.put(std::slice::from_ref(&charter)))?;
    Ok(FreshNode {
        node,
        _dir: dir,
        charter,
    })
}

/// Posts `bodies` over `connections` and measures it, with the node's
/// flushes and the CPU each thread group used.
fn measure(
    client_rt: &Runtime,
    addr: SocketAddr,
    connections: Vec<Connection>,
    bodies: Vec<Vec<u8>>,
    content_type: &'static str,
    objects: usize,
) -> BenchResult<(Measured, Vec<Vec<u8>>, Vec<Connection>)> {
    let requests = bodies.len();
    let requests_bytes: Vec<Vec<u8>> = bodies
        .iter()
        .map(|b| load::request(addr, content_type, b))
        .collect();
    drop(bodies);
    let flushes_before = client_rt.block_on(Flushes::scrape(addr))?;
    let cpu_before = ThreadCpu::now();
    let machine_before = MachineCpu::now();
    let (run, connections) = client_rt.block_on(load::post_all(
        connections,
        Arc::new(requests_bytes),
        201,
        content_type == BULK,
    ))?;
    let cpu = ThreadCpu::now().since(&cpu_before);
    let machine = MachineCpu::now().describe_since(&machine_before, run.elapsed);
    let flushes = client_rt
        .block_on(Flushes::scrape(addr))?
        .since(flushes_before);
    let per_second_range = (
        run.per_second.iter().copied().min().unwrap_or(0),
        run.per_second.iter().copied().max().unwrap_or(0),
    );
    let measured = Measured {
        objects,
        requests,
        elapsed: run.elapsed,
        latencies: run.latencies,
        per_second_range,
        flushes,
        cpu: format!("{}; {machine}", procfs::describe_cpu(&cpu, run.elapsed)),
    };
    Ok((measured, run.bodies, connections))
}

const SINGLE: &str = "application/cbor";
const BULK: &str = "application/cbor-seq";

/// Scenario 1: `clients` clients each posting one object per request,
/// `objects` objects in the timed part after `warmup` untimed ones.
pub(crate) fn sustained(
    node_rt: &Runtime,
    client_rt: &Runtime,
    clients: usize,
    warmup: usize,
    objects: usize,
) -> BenchResult<Measured> {
    let fresh = fresh_node(node_rt)?;
    let addr = fresh.node.http_addr;
    let signed = fixtures::sign_comments(
        fresh.charter.id(),
        0..(warmup + objects) as u64,
        TextSize::Typical,
    );
    let mut bodies: Vec<Vec<u8>> = signed.iter().map(|o| o.bytes().to_vec()).collect();
    drop(signed);
    let timed = bodies.split_off(warmup);
    let connections = client_rt.block_on(load::connect(addr, clients))?;
    let (_, _, connections) = measure(client_rt, addr, connections, bodies, SINGLE, warmup)?;
    let (measured, _, connections) = measure(client_rt, addr, connections, timed, SINGLE, objects)?;
    let stored = fresh.node.store.len();
    let expected = (1 + warmup + objects) as u64;
    if stored != expected {
        return Err(format!("the node holds {stored} objects, expected {expected}").into());
    }
    drop(connections);
    node_rt.block_on(fresh.node.shutdown())?;
    Ok(measured)
}

/// Scenario 2: `objects` objects in bulk requests of `per_request`, posted
/// by `clients` clients at once; done when the last request is
/// acknowledged (every object verified and durable).
pub(crate) fn burst(
    node_rt: &Runtime,
    client_rt: &Runtime,
    clients: usize,
    objects: usize,
    per_request: usize,
) -> BenchResult<Measured> {
    let fresh = fresh_node(node_rt)?;
    let addr = fresh.node.http_addr;
    // Numbered apart from scenario 1's, in case both ever share a store.
    let base = 10_000_000;
    let signed = fixtures::sign_comments(
        fresh.charter.id(),
        base..base + objects as u64,
        TextSize::Typical,
    );
    let bodies = fixtures::cbor_seq_bodies(&signed, per_request);
    drop(signed);
    let mut connections = client_rt.block_on(load::connect(addr, clients))?;
    // Warm one connection (and the node) with one small bulk request.
    let warm = fixtures::sign_comments(fresh.charter.id(), 0..16, TextSize::Typical);
    let rest = connections.split_off(1);
    let (_, _, warmed) = measure(
        client_rt,
        addr,
        connections,
        fixtures::cbor_seq_bodies(&warm, 16),
        BULK,
        16,
    )?;
    let connections: Vec<Connection> = warmed.into_iter().chain(rest).collect();
    let (measured, responses, connections) =
        measure(client_rt, addr, connections, bodies, BULK, objects)?;
    let stored = load::count_stored(&responses)?;
    if stored != objects {
        return Err(format!("{stored} of {objects} burst objects were reported stored").into());
    }
    let held = fresh.node.store.len();
    if held != (1 + 16 + objects) as u64 {
        return Err(format!("the node holds {held} objects after the burst").into());
    }
    drop(connections);
    node_rt.block_on(fresh.node.shutdown())?;
    Ok(measured)
}

/// Diagnostic: the store alone. `tasks` tasks on the node's runtime each
/// call `Store::put` with one already verified object at a time, as the
/// API's single-object path does, without HTTP or verification: the
/// ceiling the storage layer puts on scenario 1.
pub(crate) fn store_only(node_rt: &Runtime, tasks: usize, objects: usize) -> BenchResult<Measured> {
    let fresh = fresh_node(node_rt)?;
    let signed = fixtures::sign_comments(
        fresh.charter.id(),
        20_000_000..20_000_000 + objects as u64,
        TextSize::Typical,
    );
    let signed = Arc::new(signed);
    let store = fresh.node.store.clone();
    let flushes_before = node_rt.block_on(Flushes::scrape(fresh.node.http_addr))?;
    let cpu_before = ThreadCpu::now();
    let machine_before = MachineCpu::now();
    let started = std::time::Instant::now();
    let latencies = node_rt.block_on(async {
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let workers: Vec<_> = (0..tasks)
            .map(|_| {
                let (store, signed, next) = (store.clone(), signed.clone(), next.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(object) = signed.get(i) else {
                            return Ok::<_, String>(latencies);
                        };
                        let t = std::time::Instant::now();
                        store
                            .put(std::slice::from_ref(object))
                            .await
                            .map_err(|e| e.to_string())?;
                        latencies.push(t.elapsed());
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await??);
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(all)
    })?;
    let elapsed = started.elapsed();
    let cpu = ThreadCpu::now().since(&cpu_before);
    let machine = MachineCpu::now().describe_since(&machine_before, elapsed);
    let flushes = node_rt
        .block_on(Flushes::scrape(fresh.node.http_addr))?
        .since(flushes_before);
    drop(store);
    node_rt.block_on(fresh.node.shutdown())?;
    Ok(Measured {
        objects,
        requests: objects,
        elapsed,
        latencies: Latencies::new(latencies),
        per_second_range: (0, 0),
        flushes,
        cpu: format!("{}; {machine}", procfs::describe_cpu(&cpu, elapsed)),
    })
}
