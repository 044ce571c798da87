//! Node ingest benchmark (issue 4, item 7): a real node in this process,
//! its own HTTP load generator, loopback only, bounded in objects and time.
//!
//! ```sh
//! cargo bench -p baraza-node --bench ingest -- [sustained|burst|startup|store|verify|all]…
//! ```
//!
//! 1. `sustained`: 64 clients, each POSTing one pre-signed object per
//!    request (`application/cbor`); durable acknowledgements per second,
//!    p50/p99 latency. Target ≥ 5,000/s with p99 ≤ 50 ms.
//! 2. `burst`: 75,000 pre-signed objects in bulk requests of 1,000
//!    (`application/cbor-seq`) from 4 clients at once, until every request
//!    is acknowledged (all verified and durable). Target ≤ 10 s.
//! 3. `startup`: start-up time and RSS of a node holding 1,000,000 objects
//!    (a store filled once and cached under `target/tmp`; the first fill
//!    takes about four minutes). Targets ≤ 2 s and ≤ 300 MB.
//! 4. `verify` (always): the raw Ed25519 `verify_strict` rate, and the
//!    protocol's single and batch verification, measured in the same run.
//!
//! `store` is a diagnostic: `Store::put` alone from 64 tasks, without HTTP
//! or verification, the ceiling the storage layer sets on scenario 1.
//!
//! With no scenario named, runs `sustained` and `burst`; `all` runs every
//! one. Sizes can be changed with `INGEST_*` environment variables (see
//! [`Settings`]). Details (flushes, CPU by thread) go to stderr, the results
//! table to stdout as Markdown; `BENCHMARKS.md` records a run.

mod fixtures;
mod load;
mod procfs;
mod startup;
mod submit;
mod verify_rate;

use std::path::Path;
use std::time::Duration;

use baraza_node::config::{Config, HttpConfig};

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The node's configuration for every scenario: a given data dir, an
/// ephemeral loopback port, and rate limits far above anything sent (the
/// load generator is one client IP; limits are not what is measured).
fn node_config(data_dir: &Path) -> Config {
    Config {
        data_dir: data_dir.to_owned(),
        http: HttpConfig {
            listen: "127.0.0.1:0".parse().expect("a literal address"),
            rate_per_sec: 1_000_000_000,
            rate_burst: 1_000_000_000,
            ..HttpConfig::default()
        },
        ..Config::default()
    }
}

/// Sizes of each scenario, from `INGEST_*` variables or the defaults.
#[derive(Debug)]
struct Settings {
    /// `INGEST_CLIENTS`: concurrent clients in scenario 1.
    clients: usize,
    /// `INGEST_WARMUP`: untimed submissions before scenario 1's timed part.
    warmup: usize,
    /// `INGEST_SUSTAINED_OBJECTS`: timed submissions in scenario 1.
    sustained_objects: usize,
    /// `INGEST_BURST_OBJECTS`: objects in scenario 2's burst.
    burst_objects: usize,
    /// `INGEST_BURST_PER_REQUEST`: objects per bulk request.
    burst_per_request: usize,
    /// `INGEST_BURST_CLIENTS`: concurrent bulk clients.
    burst_clients: usize,
    /// `INGEST_STORE_OBJECTS`: comments in scenario 3's store.
    store_objects: usize,
    /// `INGEST_STARTS`: warm starts measured in scenario 3 (after one cold).
    warm_starts: usize,
    /// `INGEST_VERIFIES`: items per verification loop.
    verifies: usize,
}

impl Settings {
    fn from_env() -> BenchResult<Settings> {
        let get = |name: &str, default: usize| -> BenchResult<usize> {
            match std::env::var(name) {
                Ok(v) => v
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("{name}={v:?} is not a count").into()),
                Err(_) => Ok(default),
            }
        };
        Ok(Settings {
            clients: get("INGEST_CLIENTS", 64)?,
            warmup: get("INGEST_WARMUP", 2_000)?,
            sustained_objects: get("INGEST_SUSTAINED_OBJECTS", 30_000)?,
            burst_objects: get("INGEST_BURST_OBJECTS", 75_000)?,
            burst_per_request: get("INGEST_BURST_PER_REQUEST", 1_000)?,
            burst_clients: get("INGEST_BURST_CLIENTS", 4)?,
            store_objects: get("INGEST_STORE_OBJECTS", 1_000_000)?,
            warm_starts: get("INGEST_STARTS", 2)?,
            verifies: get("INGEST_VERIFIES", 3_000)?,
        })
    }
}

/// Which scenarios to run.
#[derive(Debug, Default)]
struct Chosen {
    sustained: bool,
    burst: bool,
    startup: bool,
    store: bool,
}

fn choose(args: &[String]) -> BenchResult<Chosen> {
    let mut chosen = Chosen::default();
    let mut any = false;
    for arg in args {
        match arg.as_str() {
            // cargo bench passes --bench to harness = false binaries.
            "--bench" => continue,
            "sustained" => chosen.sustained = true,
            "burst" => chosen.burst = true,
            "startup" => chosen.startup = true,
            "store" => chosen.store = true,
            "verify" => {}
            "all" => {
                chosen = Chosen {
                    sustained: true,
                    burst: true,
                    startup: true,
                    store: true,
                }
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}: name scenarios among sustained, burst, startup, verify, all"
                )
                .into())
            }
        }
        any = true;
    }
    if !any {
        chosen.sustained = true;
        chosen.burst = true;
    }
    Ok(chosen)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(startup::CHILD_ARG) {
        let Some(dir) = args.get(1) else {
            eprintln!("{} needs a data dir", startup::CHILD_ARG);
            std::process::exit(2);
        };
        if let Err(e) = startup::child(Path::new(dir)) {
            eprintln!("start-up child: {e}");
            std::process::exit(1);
        }
        return;
    }
    if let Err(e) = run(&args) {
        eprintln!("ingest bench failed: {e}");
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> BenchResult<()> {
    let chosen = choose(args)?;
    let settings = Settings::from_env()?;
    let mut rows: Vec<Row> = Vec::new();

    eprintln!("verify rates ({} items per loop)…", settings.verifies);
    let rates = verify_rate::measure(settings.verifies);

    // The node runs as `baraza node run` runs it (a multi-thread runtime
    // with one worker per core); the load generator has its own one-thread
    // runtime, so the two show up apart in the CPU figures.
    let node_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("node-worker")
        .build()?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .thread_name("bench-client")
        .build()?;

    if chosen.sustained {
        eprintln!(
            "sustained: {} clients, {} objects after {} warm-up…",
            settings.clients, settings.sustained_objects, settings.warmup
        );
        let m = submit::sustained(
            &node_rt,
            &client_rt,
            settings.clients,
            settings.warmup,
            settings.sustained_objects,
        )?;
        print_details("sustained", &m);
        rows.push(Row::new(
            "1",
            format!(
                "sustained single submissions, {} clients, {} objects",
                settings.clients,
                group(m.objects as f64)
            ),
            format!(
                "**{}/s** ({} in {:.2} s; whole seconds {}–{})",
                group(m.rate()),
                group(m.objects as f64),
                m.elapsed.as_secs_f64(),
                group(m.per_second_range.0 as f64),
                group(m.per_second_range.1 as f64)
            ),
            "≥ 5 000/s",
            m.rate() >= 5_000.0,
        ));
        let (p50, p99) = (m.latencies.quantile(0.50), m.latencies.quantile(0.99));
        rows.push(Row::new(
            "1",
            "acknowledgement latency p50 / p99 (p99.9, max)",
            format!(
                "{} / **{}** ({}, {})",
                ms(p50),
                ms(p99),
                ms(m.latencies.quantile(0.999)),
                ms(m.latencies.max())
            ),
            "p99 ≤ 50 ms",
            p99 <= Duration::from_millis(50),
        ));
    }

    if chosen.store {
        eprintln!(
            "store only: {} tasks, {} objects…",
            settings.clients, settings.sustained_objects
        );
        let m = submit::store_only(&node_rt, settings.clients, settings.sustained_objects)?;
        print_details("store only", &m);
        rows.push(Row::info(
            "1",
            &format!(
                "diagnostic: `Store::put` alone, one object per call, {} tasks (no HTTP, no verification)",
                settings.clients
            ),
            format!(
                "{}/s; p50 {}, p99 {}",
                group(m.rate()),
                ms(m.latencies.quantile(0.5)),
                ms(m.latencies.quantile(0.99))
            ),
        ));
    }

    if chosen.burst {
        eprintln!(
            "burst: {} objects, {} per request, {} clients…",
            settings.burst_objects, settings.burst_per_request, settings.burst_clients
        );
        let m = submit::burst(
            &node_rt,
            &client_rt,
            settings.burst_clients,
            settings.burst_objects,
            settings.burst_per_request,
        )?;
        print_details("burst", &m);
        rows.push(Row::new(
            "2",
            format!(
                "burst of {} in {} bulk requests of {}, {} clients",
                group(m.objects as f64),
                m.requests,
                group(settings.burst_per_request as f64),
                settings.burst_clients
            ),
            format!(
                "**{:.2} s** ({}/s; request latency p50 {}, max {})",
                m.elapsed.as_secs_f64(),
                group(m.rate()),
                ms(m.latencies.quantile(0.5)),
                ms(m.latencies.max())
            ),
            "≤ 10 s",
            m.elapsed <= Duration::from_secs(10),
        ));
    }
    drop(node_rt);
    drop(client_rt);

    if chosen.startup {
        eprintln!(
            "startup: preparing a store of {} objects…",
            settings.store_objects
        );
        let filled = startup::prepare(settings.store_objects)?;
        eprintln!(
            "  {} objects, {:.0} MiB on disk, {}",
            filled.objects,
            procfs::mib(filled.disk_bytes),
            match filled.filled_in {
                Some(t) => format!("filled in {:.0} s", t.as_secs_f64()),
                None => "reused from an earlier run".into(),
            }
        );
        let mut starts = vec![startup::measure(&filled, true)?];
        for _ in 0..settings.warm_starts {
            starts.push(startup::measure(&filled, false)?);
        }
        for s in &starts {
            eprintln!(
                "  {} start: run::start returned {}, serving {}; RSS {:.0} MiB (peak {:.0}), after reading {} objects {:.0} MiB (peak {:.0})",
                if s.cold { "cold" } else { "warm" },
                ms(s.start_returned),
                ms(s.serving),
                procfs::mib(s.at_start.rss),
                procfs::mib(s.at_start.peak),
                s.objects_read,
                procfs::mib(s.after_reads.rss),
                procfs::mib(s.after_reads.peak),
            );
        }
        let slowest = starts.iter().map(|s| s.serving).max().unwrap_or_default();
        let warm: Vec<String> = starts[1..].iter().map(|s| ms(s.serving)).collect();
        rows.push(Row::new(
            "3",
            format!(
                "start-up to serving /healthz, {} objects ({:.0} MiB on disk): cold / warm",
                group(filled.objects as f64),
                procfs::mib(filled.disk_bytes)
            ),
            format!("**{}** / {}", ms(starts[0].serving), warm.join(", ")),
            "≤ 2 s",
            slowest <= Duration::from_secs(2),
        ));
        let peak = starts.iter().map(|s| s.after_reads.peak).max().unwrap_or(0);
        let cold = &starts[0];
        rows.push(Row::new(
            "3",
            format!(
                "RSS after start-up / after reading {} objects (peak, any start)",
                cold.objects_read
            ),
            format!(
                "{:.0} MiB / {:.0} MiB (**{:.0} MiB**)",
                procfs::mib(cold.at_start.rss),
                procfs::mib(cold.after_reads.rss),
                procfs::mib(peak)
            ),
            "≤ 300 MB",
            peak <= 300_000_000,
        ));
    }

    rows.push(Row::info(
        "4",
        "raw `verify_strict` (one thread, same run)",
        format!("{}/s", group(rates.raw)),
    ));
    rows.push(Row::info(
        "4",
        "`SignedObject::decode` single / `verify_batch` (one thread)",
        format!(
            "{}/s / {}/s",
            group(rates.decode_single),
            group(rates.decode_batch)
        ),
    ));

    println!();
    println!("| # | measurement | result | target | verdict |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            row.scenario, row.what, row.result, row.target, row.verdict
        );
    }
    Ok(())
}

/// One line of the results table.
struct Row {
    scenario: &'static str,
    what: String,
    result: String,
    target: &'static str,
    verdict: &'static str,
}

impl Row {
    fn new(
        scenario: &'static str,
        what: impl Into<String>,
        result: String,
        target: &'static str,
        pass: bool,
    ) -> Row {
        Row {
            scenario,
            what: what.into(),
            result,
            target,
            verdict: if pass { "PASS" } else { "MISS" },
        }
    }

    fn info(scenario: &'static str, what: &str, result: String) -> Row {
        Row {
            scenario,
            what: what.into(),
            result,
            target: "—",
            verdict: "—",
        }
    }
}

fn print_details(name: &str, m: &submit::Measured) {
    let per_flush = if m.flushes.count == 0 {
        0.0
    } else {
        m.objects as f64 / m.flushes.count as f64
    };
    eprintln!(
        "  {name}: {} objects in {:.2} s = {}/s; latency p50 {} p90 {} p99 {} max {} mean {}",
        m.objects,
        m.elapsed.as_secs_f64(),
        group(m.rate()),
        ms(m.latencies.quantile(0.5)),
        ms(m.latencies.quantile(0.9)),
        ms(m.latencies.quantile(0.99)),
        ms(m.latencies.max()),
        ms(m.latencies.mean()),
    );
    eprintln!(
        "  {name}: {} flushes, mean {:.2} ms, {:.1} objects per flush; CPU {}",
        m.flushes.count,
        if m.flushes.count == 0 {
            0.0
        } else {
            m.flushes.seconds * 1000.0 / m.flushes.count as f64
        },
        per_flush,
        m.cpu
    );
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// 12345.6 → "12 346" (thin groups, as in BENCHMARKS.md).
fn group(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
