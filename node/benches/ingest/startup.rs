//! Scenario 3: start-up time and resident memory of a node whose store
//! holds a million objects.
//!
//! The store is filled once, directly through `Store::put` in large batches
//! (signing on every core meanwhile), and kept under the target dir for
//! later runs. Each measurement then starts the node in a fresh child
//! process (this binary, re-executed), so its RSS is the node's alone, not
//! the load generator's or the fill's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use baraza_node::run;
use baraza_node::store::{ObjectStore, Store, StoreOptions};
use baraza_protocol::SignedObject;

use crate::fixtures::{self, TextSize, SECTIONS};
use crate::procfs::{self, Memory};
use crate::{node_config, BenchResult};

/// The argument that makes this binary the measured child.
pub(crate) const CHILD_ARG: &str = "__startup-child";
/// Changes whenever the fixtures change, so a stale cached store is refilled.
const FIXTURE_VERSION: &str = "ingest-fixtures-1";
/// Objects signed and stored per batch while filling.
const FILL_BATCH: usize = 20_000;
/// Object ids kept for the child to read back.
const SAMPLE_IDS: usize = 1000;

/// The filled data dir.
#[derive(Debug)]
pub(crate) struct Filled {
    pub(crate) dir: PathBuf,
    /// Objects in the store (the charter and the comments).
    pub(crate) objects: u64,
    /// Bytes of the data dir on disk.
    pub(crate) disk_bytes: u64,
    /// How long filling took, if this run filled it.
    pub(crate) filled_in: Option<Duration>,
}

/// A data dir with `comments` comments (and their charter): the cached one
/// under the target dir if complete, else filled now.
pub(crate) fn prepare(comments: usize) -> BenchResult<Filled> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ingest-store-{comments}"));
    let marker = dir.join("complete");
    let expected = format!("{FIXTURE_VERSION} {comments}\n");
    let mut filled_in = None;
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(expected.as_str()) {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let started = Instant::now();
        fill(&dir, comments)?;
        filled_in = Some(started.elapsed());
        std::fs::write(&marker, expected)?;
    }
    Ok(Filled {
        objects: comments as u64 + 1,
        disk_bytes: disk_usage(&dir.join("store"))?,
        dir,
        filled_in,
    })
}

fn fill(dir: &Path, comments: usize) -> BenchResult<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let _context = runtime.enter();
    let store = Store::open(&dir.join("store"), StoreOptions::default())?;
    let charter = fixtures::charter();
    let charter_id = charter.id();
    runtime.block_on(store.put(&[charter]))?;
    let (tx, rx) = mpsc::sync_channel::<Vec<SignedObject>>(2);
    let signer = std::thread::spawn(move || {
        let mut start = 0;
        while start < comments {
            let end = (start + FILL_BATCH).min(comments);
            let batch =
                fixtures::sign_comments(charter_id, start as u64..end as u64, TextSize::Small);
            if tx.send(batch).is_err() {
                return;
            }
            start = end;
        }
    });
    let every = (comments / SAMPLE_IDS).max(1);
    let mut sample = String::new();
    let mut done = 0;
    let progress = Instant::now();
    for batch in rx {
        for (i, object) in batch.iter().enumerate() {
            if (done + i) % every == 0 {
                sample.push_str(&format!("{}\n", object.id()));
            }
        }
        for outcome in runtime.block_on(store.put(&batch))? {
            outcome?;
        }
        done += batch.len();
        if done % 200_000 == 0 {
            eprintln!(
                "  filled {done} of {comments} objects ({:.0} s)",
                progress.elapsed().as_secs_f64()
            );
        }
    }
    signer.join().map_err(|_| "the signing thread panicked")?;
    if store.len() != comments as u64 + 1 {
        return Err(format!("the filled store holds {} objects", store.len()).into());
    }
    std::fs::write(dir.join("sample-ids"), sample)?;
    std::fs::write(dir.join("charter-id"), charter_id.to_string())?;
    runtime.block_on(store.close())?;
    Ok(())
}

fn disk_usage(path: &Path) -> BenchResult<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            disk_usage(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// Drops the data dir's files from the page cache (`posix_fadvise`
/// DONTNEED, through `dd`), so the next start reads from the disk.
fn evict(path: &Path) -> BenchResult<()> {
    for entry in std::fs::read_dir(path)? {
        let path = entry?.path();
        if path.is_dir() {
            evict(&path)?;
        } else {
            // Dirty pages cannot be dropped: write them back first (after a
            // fresh fill, gigabytes are still being written back, and the
            // first start would measure the disk's writeback instead).
            std::fs::File::open(&path)?.sync_all()?;
            Command::new("dd")
                .arg(format!("if={}", path.display()))
                .args(["iflag=nocache", "count=0", "status=none"])
                .status()?;
        }
    }
    Ok(())
}

/// One start of the node in a child process.
#[derive(Debug, Clone)]
pub(crate) struct Start {
    /// Whether the store's files were evicted from the page cache first.
    pub(crate) cold: bool,
    /// From the child's first instruction until `run::start` returned.
    pub(crate) start_returned: Duration,
    /// Until `/healthz` answered 200.
    pub(crate) serving: Duration,
    pub(crate) at_start: Memory,
    pub(crate) after_reads: Memory,
    /// Objects read (by id, and in listing pages) before `after_reads`.
    pub(crate) objects_read: usize,
}

/// Starts the node on `filled` in a child process and reads what it measured.
pub(crate) fn measure(filled: &Filled, cold: bool) -> BenchResult<Start> {
    if cold {
        evict(&filled.dir)?;
    }
    let output = Command::new(std::env::current_exe()?)
        .arg(CHILD_ARG)
        .arg(&filled.dir)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the start-up child failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let value = |name: &str| -> BenchResult<u64> {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("the child did not report {name}: {stdout}"))?
            .trim()
            .parse::<u64>()
            .map_err(Into::into)
    };
    Ok(Start {
        cold,
        start_returned: Duration::from_micros(value("start_returned_us")?),
        serving: Duration::from_micros(value("serving_us")?),
        at_start: Memory {
            rss: value("rss_start")?,
            peak: value("hwm_start")?,
        },
        after_reads: Memory {
            rss: value("rss_reads")?,
            peak: value("hwm_reads")?,
        },
        objects_read: value("objects_read")? as usize,
    })
}

/// The child: start the node on `dir`, wait for `/healthz`, read some
/// objects over HTTP, report on stdout as `name=value` lines.
pub(crate) fn child(dir: &Path) -> BenchResult<()> {
    let t0 = Instant::now();
    let runtime = tokio::runtime::Runtime::new()?;
    let node = runtime.block_on(run::start(node_config(dir)))?;
    let start_returned = t0.elapsed();
    let addr = node.http_addr;
    let client = reqwest::Client::new();
    runtime.block_on(async {
        loop {
            let healthy = client
                .get(format!("http://{addr}/healthz"))
                .send()
                .await
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if healthy {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let serving = t0.elapsed();
    let at_start = procfs::memory();
    let ids = std::fs::read_to_string(dir.join("sample-ids"))?;
    let charter = std::fs::read_to_string(dir.join("charter-id"))?;
    let objects_read = runtime.block_on(async {
        let mut read = 0;
        for id in ids.lines() {
            let response = client
                .get(format!("http://{addr}/v1/objects/{id}"))
                .header("accept", "application/cbor")
                .send()
                .await?;
            if !response.status().is_success() {
                return Err(format!("GET {id}: {}", response.status()).into());
            }
            response.bytes().await?;
            read += 1;
        }
        for slug in SECTIONS {
            let page: serde_json::Value = client
                .get(format!(
                    "http://{addr}/v1/charters/{charter}/sections/{slug}/comments?limit=1000"
                ))
                .send()
                .await?
                .json()
                .await?;
            read += page["objects"].as_array().map_or(0, Vec::len);
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(read)
    })?;
    let after_reads = procfs::memory();
    runtime.block_on(node.shutdown())?;
    println!("start_returned_us={}", start_returned.as_micros());
    println!("serving_us={}", serving.as_micros());
    println!("rss_start={}", at_start.rss);
    println!("hwm_start={}", at_start.peak);
    println!("rss_reads={}", after_reads.rss);
    println!("hwm_reads={}", after_reads.peak);
    println!("objects_read={objects_read}");
    Ok(())
}
