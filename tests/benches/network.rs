//! Peer-network benchmarks with the real `baraza` binary over loopback
//! (`harness = false`; prints numbers, asserts nothing about time):
//!
//! - **(b) catch-up**: node A holds N objects; node B starts empty with A
//!   as its only bootstrap peer (discovery off) and syncs on connect. Timed
//!   from B's start until B's sync index equals A's; compared with A's own
//!   durable ingest rate, measured first by submitting the same N objects
//!   to A in bulk batches (`NodeProcess::submit`, 2,000 per request).
//! - **(c) propagation**: a network of nodes with Kademlia discovery, all
//!   bootstrapping from node 0. K comments are submitted one at a time to
//!   nodes picked by a seeded generator; for each, the time from the
//!   submission until every node holds it, and the gossip messages the
//!   application saw (duplicates included).
//!
//! ```sh
//! cargo build --release -p baraza-cli      # the bench does not rebuild a present binary
//! cargo bench -p baraza-tests --bench network [-- catchup | propagation]
//! ```
//!
//! Environment:
//! - `BARAZA_BENCH_CATCHUP_N` (100000): objects for (b);
//! - `BARAZA_BENCH_NODES` (20), `BARAZA_BENCH_K` (50): size of (c);
//! - `BARAZA_BENCH_WATCH` (`events`): how (c) learns that a node holds an
//!   object — `events` follows every node's `GET /v1/events` stream (push,
//!   no load on the nodes while waiting), `poll` asks `GET /v1/objects/{id}`
//!   of every node every `BARAZA_BENCH_POLL_MS` (5) ms, one thread per node.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use baraza_protocol::{ObjectId, SignedObject};
use baraza_tests::{charter, comment, eventually_every, NodeApi, NodeOptions, NodeProcess};
use reqwest::blocking::Client;

/// How long to wait before declaring that something will not happen.
const LIMIT: Duration = Duration::from_secs(600);

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |name: &str| args.is_empty() || args.iter().any(|a| a == name || a == "all");
    println!("machine: {} CPUs, load average {}", cpus(), loadavg());
    println!("binary: {}", baraza_tests::baraza_bin().display());
    if want("catchup") {
        catch_up();
    }
    if want("propagation") {
        propagation();
    }
    println!("load average at the end: {}", loadavg());
}

// ---------------------------------------------------------------- (b) --

fn catch_up() {
    let n = env_u64("BARAZA_BENCH_CATCHUP_N", 100_000).max(2);
    println!("\n== (b) catch-up: {n} objects ==");

    let started = Instant::now();
    let objects = generate(n);
    let bytes: usize = objects.iter().map(|o| o.bytes().len()).sum();
    println!(
        "generated {n} signed objects ({bytes} bytes, {:.0} B each) in {:.1} s (not timed)",
        bytes as f64 / n as f64,
        started.elapsed().as_secs_f64()
    );

    let (a_dir, b_dir) = (tempdir(), tempdir());
    let a = NodeProcess::start_with(a_dir.path(), &NodeOptions::default());
    let a_api: &NodeApi = &a;
    let a_pid = pid_of(a_dir.path());

    // A's durable ingest rate: the same objects, bulk batches of 2,000, one client.
    let a_cpu0 = a_pid.map(threads_cpu);
    let machine0 = machine_cpu();
    let started = Instant::now();
    a.submit(&objects);
    let ingest = started.elapsed().as_secs_f64();
    let machine = machine_cpu().since(&machine0);
    let a_index = a.index();
    assert_eq!(a_index.0, n, "A holds every object");
    let ingest_rate = n as f64 / ingest;
    println!(
        "A ingest (POST /v1/objects, cbor-seq batches of 2000, sequential): {ingest:.2} s, {ingest_rate:.0} objects/s"
    );
    print_cpu("A during ingest", a_pid, a_cpu0.as_ref(), ingest);
    println!("machine during ingest: {machine}");
    drop(objects);

    // B starts empty, A as bootstrap; sync on connect does the rest.
    let bootstrap = vec![a.peer_addr()];
    let a_cpu0 = a_pid.map(threads_cpu);
    let machine0 = machine_cpu();
    let started = Instant::now();
    let b = NodeProcess::start_with(
        b_dir.path(),
        &NodeOptions {
            bootstrap,
            ..NodeOptions::default()
        },
    );
    let serving = started.elapsed();
    let b_api: &NodeApi = &b;
    let b_pid = pid_of(b_dir.path());
    let b_cpu0 = b_pid.map(threads_cpu);
    let mut first_object = None;
    let mut progress = Vec::new();
    let mut next_mark = Duration::from_secs(1);
    let mut last_session = None;
    let caught_up = loop {
        let elapsed = started.elapsed();
        let status = b_api.p2p();
        let keys = status["index"]["keys"].as_u64().unwrap_or(0);
        if keys > 0 && first_object.is_none() {
            first_object = Some(elapsed);
        }
        if let Some(s) = status["sessions"].as_array().and_then(|s| s.first()) {
            last_session = Some(s["report"].clone());
        }
        if elapsed >= next_mark {
            progress.push((elapsed, keys));
            next_mark += Duration::from_secs(1);
        }
        if keys == a_index.0 && status["index"]["fingerprint"].as_str() == Some(&a_index.1) {
            break Some(elapsed);
        }
        if elapsed > LIMIT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let Some(caught_up) = caught_up else {
        println!(
            "B DID NOT CATCH UP within {} s: {:?} vs A {:?}",
            LIMIT.as_secs(),
            b.index(),
            a_index
        );
        return;
    };
    let machine = machine_cpu().since(&machine0);
    let secs = caught_up.as_secs_f64();
    let rate = n as f64 / secs;
    let metrics = b_api.metrics();
    let a_metrics = a_api.metrics();
    println!(
        "B caught up in {secs:.2} s (resolution 20 ms): {rate:.0} objects/s; \
         catch-up / ingest = {:.2} (target >= 0.50)",
        rate / ingest_rate
    );
    println!(
        "  B serving its API after {:.0} ms; first object stored after {:.0} ms",
        serving.as_secs_f64() * 1e3,
        first_object.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    );
    println!(
        "  B received {} sync bytes ({:.0} B per object; sent {}), fetched {} objects, sessions ok {} failed {}; A sent {} sync bytes",
        metric(&metrics, "baraza_sync_bytes_total{direction=\"in\"}"),
        metric(&metrics, "baraza_sync_bytes_total{direction=\"in\"}") as f64 / n as f64,
        metric(&metrics, "baraza_sync_bytes_total{direction=\"out\"}"),
        metric(&metrics, "baraza_sync_objects_fetched_total"),
        metric(&metrics, "baraza_sync_sessions_total{result=\"ok\"}"),
        metric(&metrics, "baraza_sync_sessions_total{result=\"failed\"}"),
        metric(&a_metrics, "baraza_sync_bytes_total{direction=\"out\"}"),
    );
    if let Some(report) = last_session {
        println!("  B's session as last seen running: {report}");
    }
    let marks: Vec<String> = progress
        .iter()
        .map(|(t, k)| format!("{:.0}s:{k}", t.as_secs_f64()))
        .collect();
    println!("  B's keys over time: {}", marks.join(" "));
    print_cpu("B during catch-up", b_pid, b_cpu0.as_ref(), secs);
    print_cpu("A during catch-up", a_pid, a_cpu0.as_ref(), secs);
    println!("machine during catch-up: {machine}");
}

/// The charter and `n - 1` comments, signed on two threads.
fn generate(n: u64) -> Vec<SignedObject> {
    let c = charter();
    let id = c.id();
    let mid = n / 2;
    let (first, second) = std::thread::scope(|s| {
        let first = s.spawn(move || (1..mid).map(|i| comment(id, i)).collect::<Vec<_>>());
        let second = s.spawn(move || (mid..n).map(|i| comment(id, i)).collect::<Vec<_>>());
        (
            first.join().expect("signing thread"),
            second.join().expect("signing thread"),
        )
    });
    let mut objects = Vec::with_capacity(n as usize);
    objects.push(c);
    objects.extend(first);
    objects.extend(second);
    objects
}

// ---------------------------------------------------------------- (c) --

fn propagation() {
    let count = env_u64("BARAZA_BENCH_NODES", 20).max(2) as usize;
    let k = env_u64("BARAZA_BENCH_K", 50).max(1) as usize;
    let watch_events = std::env::var("BARAZA_BENCH_WATCH").map_or(true, |v| v != "poll");
    let poll = Duration::from_millis(env_u64("BARAZA_BENCH_POLL_MS", 5));
    println!(
        "\n== (c) propagation: {count} nodes, discovery on, {k} objects, watching by {} ==",
        if watch_events {
            "event streams".to_owned()
        } else {
            format!("polling every {} ms", poll.as_millis())
        }
    );

    let copy = wire_copy_size();

    let dirs: Vec<_> = (0..count).map(|_| tempdir()).collect();
    let options = |bootstrap: Vec<String>| NodeOptions {
        bootstrap,
        discovery: true,
        ..NodeOptions::default()
    };
    let started = Instant::now();
    let mut nodes = vec![NodeProcess::start_with(
        dirs[0].path(),
        &options(Vec::new()),
    )];
    let seed = nodes[0].peer_addr();
    for dir in &dirs[1..] {
        nodes.push(NodeProcess::start_with(
            dir.path(),
            &options(vec![seed.clone()]),
        ));
    }
    println!(
        "started {count} nodes in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let apis: Vec<NodeApi> = nodes.iter().map(|n| NodeApi::new(&n.url)).collect();
    let sockets = PeerSockets::of(&dirs, &apis);

    let confirmed = |api: &NodeApi| {
        api.p2p()["peers"].as_array().map_or(0, |peers| {
            peers
                .iter()
                .filter(|p| p["confirmed"].as_bool() == Some(true))
                .count()
        })
    };
    let meshed = started.elapsed();
    let formed = eventually_every(Duration::from_secs(120), Duration::from_millis(200), || {
        apis.iter().all(|a| confirmed(a) >= 3)
    });
    let formed_after = started.elapsed() - meshed;
    std::thread::sleep(Duration::from_secs(5));
    let mut peers: Vec<usize> = apis.iter().map(confirmed).collect();
    peers.sort_unstable();
    println!(
        "every node has >= 3 confirmed peers: {} (after {:.1} s), then 5 s to settle; \
         confirmed peers per node: min {} median {} max {}",
        if formed { "yes" } else { "NO" },
        formed_after.as_secs_f64(),
        peers[0],
        peers[count / 2],
        peers[count - 1]
    );

    let watcher = watch_events.then(|| Watcher::start(&apis));

    // The charter first, everywhere.
    let c = charter();
    let charter_id = c.id();
    let t0 = Instant::now();
    apis[0].submit(std::slice::from_ref(&c));
    let everywhere = match &watcher {
        Some(w) => w.wait_all(&c.id(), count, Duration::from_secs(60)),
        None => eventually_every(Duration::from_secs(60), Duration::from_millis(5), || {
            apis.iter().all(|a| a.has(&charter_id))
        }),
    };
    println!(
        "charter everywhere: {} after {:.0} ms",
        if everywhere { "yes" } else { "NO" },
        t0.elapsed().as_secs_f64() * 1e3
    );

    // Background peer traffic (heartbeats, pings, Kademlia) over a quiet spell.
    let quiet = Duration::from_secs(10);
    let (q0, c0, t_q0) = (sockets.received(), sockets.cpu_ticks(), Instant::now());
    std::thread::sleep(quiet);
    let background = (sockets.received().saturating_sub(q0)) as f64 / t_q0.elapsed().as_secs_f64();
    let background_cpu =
        (sockets.cpu_ticks().saturating_sub(c0)) as f64 / 100.0 / t_q0.elapsed().as_secs_f64();

    let before: Vec<String> = apis.iter().map(NodeApi::metrics).collect();
    let (w0, cpu0, t_w0) = (sockets.received(), sockets.cpu_ticks(), Instant::now());
    let mut rng = 0x5eed_u64;
    let mut all_ms = Vec::new(); // until every node holds the object
    let mut delivery_ms = Vec::new(); // each node other than the target
    let mut ack_ms = Vec::new();
    let mut missed = 0;
    let mut objects = Vec::new();
    for i in 0..k {
        let object = comment(charter_id, 1_000_000 + i as u64);
        let id = object.id();
        let target = (xorshift(&mut rng) % count as u64) as usize;
        let t0 = Instant::now();
        let seen: Vec<Option<Instant>> = match &watcher {
            Some(w) => {
                apis[target].submit(std::slice::from_ref(&object));
                ack_ms.push(ms(t0.elapsed()));
                w.wait_all(&id, count, Duration::from_secs(30));
                w.seen(&id, count)
            }
            None => std::thread::scope(|s| {
                let pollers: Vec<_> = apis
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != target)
                    .map(|(j, api)| {
                        let id = &id;
                        (
                            j,
                            s.spawn(move || {
                                let deadline = t0 + Duration::from_secs(30);
                                loop {
                                    if api.has(id) {
                                        return Some(Instant::now());
                                    }
                                    if Instant::now() > deadline {
                                        return None;
                                    }
                                    std::thread::sleep(poll);
                                }
                            }),
                        )
                    })
                    .collect();
                apis[target].submit(std::slice::from_ref(&object));
                let acked = Instant::now();
                ack_ms.push(ms(acked - t0));
                let mut seen = vec![Some(acked); count];
                for (j, poller) in pollers {
                    seen[j] = poller.join().expect("poller");
                }
                seen
            }),
        };
        if seen.iter().any(Option::is_none) {
            missed += 1;
            println!(
                "object {i} ({id}) reached only {} of {count} nodes within 30 s",
                seen.iter().flatten().count()
            );
        } else {
            let last = seen.iter().flatten().max().copied().unwrap_or(t0);
            all_ms.push(ms(last - t0));
            for (j, at) in seen.iter().enumerate() {
                if let (true, Some(at)) = (j != target, at) {
                    delivery_ms.push(ms(at.saturating_duration_since(t0)));
                }
            }
        }
        objects.push(object);
        // Let the mesh go quiet (IHAVE/IWANT of this object) before the next.
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    let wire =
        sockets.received().saturating_sub(w0) as f64 - background * t_w0.elapsed().as_secs_f64();
    let cpu = sockets.cpu_ticks().saturating_sub(cpu0) as f64 / 100.0
        - background_cpu * t_w0.elapsed().as_secs_f64();
    let after: Vec<String> = apis.iter().map(NodeApi::metrics).collect();

    // Confirm with the object API what the watcher said (not timed).
    let held = objects
        .iter()
        .map(|o| apis.iter().filter(|a| a.has(&o.id())).count())
        .sum::<usize>();
    println!(
        "check: {held} of {} (object, node) pairs held at the end",
        objects.len() * count
    );

    let delta = |name: &str| -> u64 {
        before
            .iter()
            .zip(&after)
            .map(|(b, a)| metric(a, name).saturating_sub(metric(b, name)))
            .sum()
    };
    let accepted = delta("baraza_gossip_messages_total{result=\"accepted\"}");
    let ignored = delta("baraza_gossip_messages_total{result=\"ignored\"}");
    let rejected = delta("baraza_gossip_messages_total{result=\"rejected\"}");
    let published = delta("baraza_gossip_published_total");
    let fetched = delta("baraza_sync_objects_fetched_total");
    let sessions = delta("baraza_sync_sessions_total{result=\"ok\"}");
    let expected = (k * (count - 1)) as f64;

    let resolution = if watch_events {
        "event streams: push, < 1 ms after the node's broadcast".to_owned()
    } else {
        format!(
            "polling every {} ms per node (+ one GET, ~1 ms on this machine)",
            poll.as_millis()
        )
    };
    println!("timed from the start of the submission ({resolution})");
    println!(
        "submission acknowledged (durable at the target): p50 {:.1} ms, p99 {:.1} ms",
        percentile(&ack_ms, 50.0),
        percentile(&ack_ms, 99.0)
    );
    println!(
        "until every node holds it ({} objects, {missed} missed): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all_ms.len(),
        percentile(&all_ms, 50.0),
        percentile(&all_ms, 99.0),
        percentile(&all_ms, 100.0)
    );
    println!(
        "each delivery to a node other than the target ({}): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delivery_ms.len(),
        percentile(&delivery_ms, 50.0),
        percentile(&delivery_ms, 90.0),
        percentile(&delivery_ms, 99.0),
        percentile(&delivery_ms, 100.0)
    );
    println!(
        "gossip messages seen by the application, all nodes: accepted {accepted}, ignored {ignored}, \
         rejected {rejected} = {:.3} per (object, receiving node) (1.000 = no duplicates); \
         published {published}; objects fetched by sync meanwhile {fetched} ({sessions} sync sessions)",
        (accepted + ignored + rejected) as f64 / expected
    );
    let per_pair = wire / expected;
    println!(
        "peer-connection bytes received (tcp_info, all nodes, minus {background:.0} B/s of background): \
         {wire:.0} = {per_pair:.0} B per (object, receiving node) = {:.1} times one delivery ({copy:.0} B, \
         measured on a 2-node network); includes IHAVE/IWANT control traffic, so an upper bound on wire copies",
        per_pair / copy
    );
    println!(
        "CPU of all nodes: {:.1} ms per object (minus {:.0} ms/s of background), \
         i.e. {:.1} ms of wall time on {} cores if nothing else ran",
        cpu * 1e3 / k as f64,
        background_cpu * 1e3,
        cpu * 1e3 / k as f64 / cpus() as f64,
        cpus()
    );
}

/// Bytes one comment costs on a peer connection when delivered once: two
/// nodes, the charter and a comment submitted to one, bytes received on
/// both sides' peer connections for the comment.
fn wire_copy_size() -> f64 {
    let dirs = [tempdir(), tempdir()];
    let a = NodeProcess::start_with(dirs[0].path(), &NodeOptions::default());
    let b = NodeProcess::start_with(
        dirs[1].path(),
        &NodeOptions {
            bootstrap: vec![a.peer_addr()],
            ..NodeOptions::default()
        },
    );
    let apis = [NodeApi::new(&a.url), NodeApi::new(&b.url)];
    let c = charter();
    eventually_every(Duration::from_secs(30), Duration::from_millis(50), || {
        apis[1].p2p()["peers"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    });
    // A gossipsub mesh forms on a heartbeat (500 ms) after the connection.
    std::thread::sleep(Duration::from_secs(2));
    apis[0].submit(std::slice::from_ref(&c));
    eventually_every(Duration::from_secs(30), Duration::from_millis(5), || {
        apis[1].has(&c.id())
    });
    std::thread::sleep(Duration::from_millis(500));
    let sockets = PeerSockets::of(&dirs, &apis);
    let object = comment(c.id(), 999_999);
    let before = sockets.received();
    apis[0].submit(std::slice::from_ref(&object));
    eventually_every(Duration::from_secs(30), Duration::from_millis(5), || {
        apis[1].has(&object.id())
    });
    std::thread::sleep(Duration::from_millis(300));
    let copy = sockets.received().saturating_sub(before) as f64;
    println!(
        "one gossip delivery of a {}-byte comment, 2 nodes: {copy:.0} bytes received on peer connections",
        object.bytes().len()
    );
    copy
}

/// The TCP connections between nodes, found with `ss` (the nodes' own
/// sockets that are not their HTTP API).
struct PeerSockets {
    pids: Vec<u32>,
    api_ports: Vec<u16>,
}

impl PeerSockets {
    fn of(dirs: &[tempfile::TempDir], apis: &[NodeApi]) -> PeerSockets {
        PeerSockets {
            pids: dirs.iter().filter_map(|d| pid_of(d.path())).collect(),
            api_ports: apis
                .iter()
                .filter_map(|a| a.url.rsplit(':').next()?.parse().ok())
                .collect(),
        }
    }

    /// CPU ticks (1/100 s) used so far by all the nodes.
    fn cpu_ticks(&self) -> u64 {
        self.pids.iter().map(|p| threads_cpu(*p).total).sum()
    }

    /// Sum of `bytes_received` (TCP payload, i.e. Noise + Yamux + libp2p
    /// frames) over every established peer connection of the nodes.
    fn received(&self) -> u64 {
        let Ok(out) = std::process::Command::new("ss")
            .args(["-tinpH", "state", "established"])
            .output()
        else {
            return 0;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let port = |token: &str| token.rsplit(':').next()?.parse::<u16>().ok();
        let mut total = 0;
        let mut counting = false;
        for line in text.lines() {
            if !line.starts_with(char::is_whitespace) {
                let tokens: Vec<&str> = line.split_whitespace().collect();
                let ports: Vec<u16> = tokens
                    .iter()
                    .filter(|t| t.contains("127.0.0.1:"))
                    .filter_map(|t| port(t))
                    .collect();
                let pid = line
                    .split("pid=")
                    .nth(1)
                    .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|p| p.parse::<u32>().ok());
                counting = pid.is_some_and(|p| self.pids.contains(&p))
                    && ports.len() == 2
                    && !ports.iter().any(|p| self.api_ports.contains(p));
            } else if counting {
                total += line
                    .split_whitespace()
                    .find_map(|f| f.strip_prefix("bytes_received:"))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        total
    }
}

/// When each node (by index) stored each object (by id), and a condvar
/// signalled on every arrival.
type Arrivals = Arc<(Mutex<HashMap<String, Vec<Option<Instant>>>>, Condvar)>;

/// Follows `GET /v1/events` of every node and notes when each object arrived.
struct Watcher {
    seen: Arrivals,
}

impl Watcher {
    fn start(apis: &[NodeApi]) -> Watcher {
        let seen: Arrivals = Arc::default();
        let count = apis.len();
        let connected = Arc::new(std::sync::Barrier::new(count + 1));
        for (j, api) in apis.iter().enumerate() {
            let url = format!("{}/v1/events", api.url);
            let seen = Arc::clone(&seen);
            let connected = Arc::clone(&connected);
            std::thread::spawn(move || {
                let client = Client::builder()
                    .timeout(None::<Duration>)
                    .build()
                    .expect("http client");
                let response = client
                    .get(url)
                    .send()
                    .and_then(|r| r.error_for_status())
                    .expect("GET /v1/events");
                connected.wait();
                for line in BufReader::new(response).lines() {
                    let Ok(line) = line else { break };
                    let Some(data) = line.strip_prefix("data:") else {
                        continue;
                    };
                    let at = Instant::now();
                    let Ok(value) = serde_json::from_str::<serde_json::Value>(data.trim()) else {
                        continue;
                    };
                    let Some(id) = value["id"].as_str() else {
                        continue;
                    };
                    let (map, changed) = &*seen;
                    let mut map = map.lock().expect("watcher lock");
                    let slots = map
                        .entry(id.to_owned())
                        .or_insert_with(|| vec![None; count]);
                    slots[j].get_or_insert(at);
                    changed.notify_all();
                }
            });
        }
        connected.wait();
        Watcher { seen }
    }

    /// Waits until all `count` nodes have stored `id`; false on timeout.
    fn wait_all(&self, id: &ObjectId, count: usize, limit: Duration) -> bool {
        let key = id.to_string();
        let deadline = Instant::now() + limit;
        let (map, changed) = &*self.seen;
        let mut map = map.lock().expect("watcher lock");
        loop {
            if map
                .get(&key)
                .is_some_and(|s| s.iter().flatten().count() == count)
            {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            map = changed
                .wait_timeout(map, deadline - now)
                .expect("watcher lock")
                .0;
        }
    }

    fn seen(&self, id: &ObjectId, count: usize) -> Vec<Option<Instant>> {
        let map = self.seen.0.lock().expect("watcher lock");
        map.get(&id.to_string())
            .cloned()
            .unwrap_or_else(|| vec![None; count])
    }
}

// ------------------------------------------------------------ helpers --

/// The value of one Prometheus sample line (`name{labels} value`), or 0.
fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

/// Nearest-rank percentile of `values` (p = 100 gives the maximum).
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The pid of the `baraza` process serving `data_dir` (a child of this bench).
fn pid_of(data_dir: &Path) -> Option<u32> {
    let want = data_dir.as_os_str().to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let is_node = args.first()?.ends_with("baraza")
                && args
                    .windows(2)
                    .any(|w| w[0] == "--data-dir" && w[1] == want);
            is_node.then_some(pid)
        })
}

/// CPU ticks (user + system) of `pid` and of each of its live threads.
struct ProcessCpu {
    total: u64,
    /// By thread id: (name, ticks).
    threads: BTreeMap<u32, (String, u64)>,
}

fn threads_cpu(pid: u32) -> ProcessCpu {
    let ticks = |stat: &str| -> Option<(String, u64)> {
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        // Numbered threads of one pool together: `sled-io-3` → `sled-io`.
        let name = stat[open + 1..close]
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches('-')
            .to_owned();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let user: u64 = fields.get(11)?.parse().ok()?;
        let system: u64 = fields.get(12)?.parse().ok()?;
        Some((name, user + system))
    };
    let mut threads = BTreeMap::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            if let Some(entry) = std::fs::read_to_string(task.path().join("stat"))
                .ok()
                .and_then(|s| ticks(&s))
            {
                threads.insert(tid, entry);
            }
        }
    }
    let total = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| ticks(&s))
        .map_or(0, |(_, t)| t);
    ProcessCpu { total, threads }
}

/// Prints CPU seconds by thread name since `before` (assumes 100 ticks/s);
/// threads that exited meanwhile are counted only in the total.
fn print_cpu(what: &str, pid: Option<u32>, before: Option<&ProcessCpu>, wall: f64) {
    let (Some(pid), Some(before)) = (pid, before) else {
        println!("{what}: CPU not available");
        return;
    };
    let now = threads_cpu(pid);
    let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
    for (tid, (name, t)) in &now.threads {
        let was = before.threads.get(tid).map_or(0, |(_, t)| *t);
        *by_name.entry(name.clone()).or_insert(0) += t.saturating_sub(was);
    }
    let live: u64 = by_name.values().sum();
    let total = now.total.saturating_sub(before.total);
    if total > live {
        by_name.insert("(exited threads)".to_owned(), total - live);
    }
    let mut by_name: Vec<(String, u64)> = by_name.into_iter().filter(|(_, t)| *t > 0).collect();
    by_name.sort_by_key(|b| std::cmp::Reverse(b.1));
    let parts: Vec<String> = by_name
        .iter()
        .take(8)
        .map(|(name, t)| format!("{name} {:.2}", *t as f64 / 100.0))
        .collect();
    let total = total as f64 / 100.0;
    println!(
        "{what}: {total:.2} CPU-s over {wall:.2} s ({:.2} cores); by thread: {}",
        total / wall,
        parts.join(", ")
    );
}

/// Machine-wide CPU counters from `/proc/stat` (busy and idle jiffies).
struct MachineCpu {
    busy: u64,
    idle: u64,
}

impl MachineCpu {
    fn since(&self, before: &MachineCpu) -> String {
        let busy = self.busy.saturating_sub(before.busy) as f64;
        let idle = self.idle.saturating_sub(before.idle) as f64;
        format!(
            "{:.0} % busy ({:.2} of {} cores)",
            100.0 * busy / (busy + idle).max(1.0),
            cpus() as f64 * busy / (busy + idle).max(1.0),
            cpus()
        )
    }
}

fn machine_cpu() -> MachineCpu {
    let line = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_default();
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let get = |i: usize| v.get(i).copied().unwrap_or(0);
    let idle = get(3) + get(4);
    let busy: u64 = v.iter().take(8).sum::<u64>() - idle;
    MachineCpu { busy, idle }
}
