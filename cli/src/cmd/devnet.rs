//! `baraza devnet`: N nodes on loopback, for trying replication locally.
//!
//! Each node is this same binary running `baraza node run` in its own data
//! dir, with its API on `127.0.0.1:<base+10·i>` and its peer port one
//! above; node 0 is every other node's bootstrap peer and Kademlia lets
//! them find each other. With `--example` the example consultation is
//! written and imported into node 0, and gossip and sync carry it to the
//! rest. `--check` waits until every node holds the same objects, reports,
//! stops the nodes and exits (0 converged, 1 not) — for scripts and tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use serde_json::Value;

use crate::client::NodeClient;

/// `baraza devnet`.
#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// How many nodes (1 to 32).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=32))]
    nodes: u16,
    /// Where the nodes keep their data and logs [default: a fresh
    /// temporary directory, removed at exit].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The first node's API port; node i uses base+10·i, and the port above for peers.
    #[arg(long, value_name = "PORT", default_value_t = 7170)]
    base_port: u16,
    /// Load this example consultation into the first node.
    #[arg(long, value_name = "EXAMPLE")]
    example: Option<DevnetExample>,
    /// Wait until every node holds the same objects (at most --timeout
    /// seconds), print the result, stop the nodes and exit.
    #[arg(long)]
    check: bool,
    /// Seconds `--check` waits for convergence.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,
}

/// Examples `devnet` can load.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DevnetExample {
    /// "The Internet We Want" 2024 (see `baraza example`).
    #[value(name = "iww-2024")]
    Iww2024,
}

/// The nodes, killed when dropped.
struct Nodes {
    children: Vec<Child>,
    urls: Vec<String>,
    _temp: Option<tempfile::TempDir>,
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &mut self.children {
            // Every acknowledged write is already durable: a kill loses nothing.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `baraza devnet`.
pub(crate) fn run(args: &DevnetArgs) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let (dir, temp) = match &args.dir {
        Some(d) => (d.clone(), None),
        None => {
            let t = tempfile::Builder::new()
                .prefix("baraza-devnet-")
                .tempdir()
                .context("cannot create a temporary directory")?;
            (t.path().to_owned(), Some(t))
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if u32::from(args.base_port) + 10 * u32::from(args.nodes) + 1 > u32::from(u16::MAX) {
        bail!(
            "--base-port {} leaves no room for {} nodes",
            args.base_port,
            args.nodes
        );
    }
    let mut nodes = Nodes {
        children: Vec::new(),
        urls: Vec::new(),
        _temp: temp,
    };
    let mut bootstrap: Option<String> = None;
    println!("{:<5} {:<24} {:<54} LOG", "NODE", "API", "PEER ID");
    for i in 0..args.nodes {
        let http = args.base_port + 10 * i;
        let data = dir.join(format!("node{i}"));
        let log = dir.join(format!("node{i}.log"));
        let mut command = Command::new(&exe);
        command
            .args(["node", "run", "--network-id", "devnet", "--http"])
            .arg(format!("127.0.0.1:{http}"))
            .arg("--listen")
            .arg(format!("/ip4/127.0.0.1/tcp/{}", http + 1))
            .arg("--data-dir")
            .arg(&data)
            .env_remove("BARAZA_CONFIG")
            .stdin(Stdio::null())
            .stdout(log_file(&log)?)
            .stderr(log_file(&log)?);
        if let Some(b) = &bootstrap {
            command.arg("--bootstrap").arg(b);
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot start node {i}"))?;
        nodes.children.push(child);
        let url = format!("http://127.0.0.1:{http}");
        let status = wait_ready(&url, &mut nodes.children[i as usize], &log)?;
        let peer = status["peer_id"].as_str().unwrap_or_default().to_owned();
        if bootstrap.is_none() {
            bootstrap = status["listen"][0].as_str().map(str::to_owned);
        }
        println!("{i:<5} {url:<24} {peer:<54} {}", log.display());
        nodes.urls.push(url);
    }
    let mut expected = 0;
    if let Some(DevnetExample::Iww2024) = args.example {
        let out = dir.join("example-iww-2024");
        run_quiet(
            Command::new(&exe)
                .args(["example", "iww-2024", "--out"])
                .arg(&out),
        )
        .context("cannot write the example")?;
        run_quiet(
            Command::new(&exe)
                .arg("--node")
                .arg(&nodes.urls[0])
                .arg("import")
                .arg(out.join("objects")),
        )
        .context("cannot import the example into node 0")?;
        expected = NodeClient::new(&nodes.urls[0])?
            .p2p_status()?
            .index
            .keys()
            .map_or(0, |keys| keys as u64);
        println!("loaded the iww-2024 example into node 0: {expected} objects");
    }
    if args.check {
        return check(&nodes.urls, expected, Duration::from_secs(args.timeout));
    }
    println!(
        "\nTry: baraza --node {} peers    (Ctrl-C stops every node)",
        nodes.urls[0]
    );
    tokio::runtime::Runtime::new()
        .context("cannot start the async runtime")?
        .block_on(tokio::signal::ctrl_c())
        .context("cannot listen for Ctrl-C")?;
    println!("stopping {} nodes", nodes.children.len());
    Ok(ExitCode::SUCCESS)
}

fn log_file(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

fn run_quiet(command: &mut Command) -> anyhow::Result<()> {
    let out = command.output().context("cannot run")?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

fn wait_ready(url: &str, child: &mut Child, log: &Path) -> anyhow::Result<Value> {
    let mut client = NodeClient::new(url)?;
    client.set_notice(|_| {});
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            bail!("the node at {url} exited ({status}); see {}", log.display());
        }
        if let Ok(v) = client.get_json("/v1/p2p") {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!(
                "the node at {url} did not answer within 30 s; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn check(urls: &[String], expected: u64, timeout: Duration) -> anyhow::Result<ExitCode> {
    let deadline = Instant::now() + timeout;
    let clients = urls
        .iter()
        .map(|u| NodeClient::new(u))
        .collect::<Result<Vec<_>, _>>()?;
    loop {
        let states: Vec<(u64, String)> = clients
            .iter()
            .map(|c| {
                c.p2p_status().map(|status| {
                    (
                        status.index.keys().map_or(0, |keys| keys as u64),
                        status.index.fingerprint().unwrap_or_default().to_owned(),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        // A node still loading its sync index shows no fingerprint.
        let converged = states.windows(2).all(|w| w[0] == w[1])
            && !states[0].1.is_empty()
            && states[0].0 >= expected;
        if converged {
            println!(
                "converged: {} nodes hold {} objects (sync fingerprint {})",
                urls.len(),
                states[0].0,
                states[0].1
            );
            return Ok(ExitCode::SUCCESS);
        }
        if Instant::now() > deadline {
            for (url, (keys, fp)) in urls.iter().zip(&states) {
                eprintln!("{url}: {keys} objects, fingerprint {fp}");
            }
            eprintln!(
                "error: the nodes did not converge within {} s",
                timeout.as_secs()
            );
            return Ok(ExitCode::FAILURE);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
