//! `baraza peers` and `baraza sync`: the node's peer protocol, seen and
//! driven through its API.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use super::Globals;
use crate::client::NodeClient;

/// `baraza peers`.
#[derive(Debug, Args)]
pub(crate) struct PeersArgs {
    /// Print the node's answer as JSON.
    #[arg(long)]
    json: bool,
}

/// `baraza sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// The peer, as a multiaddr ending in /p2p/<peer id>
    /// (e.g. /ip4/203.0.113.7/tcp/7071/p2p/12D3KooW…).
    #[arg(long, value_name = "MULTIADDR")]
    peer: String,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    timeout: u64,
    /// Print the session's report as JSON.
    #[arg(long)]
    json: bool,
}

fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// Shows the node's peer id, addresses, peers and sessions.
pub(crate) fn peers(globals: &Globals, args: &PeersArgs) -> anyhow::Result<ExitCode> {
    let client = NodeClient::new(&globals.node)?;
    let status = client.get_json("/v1/p2p")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("peer id   {}", text(&status, "peer_id"));
    println!("network   {}", text(&status, "network"));
    for addr in status["listen"].as_array().into_iter().flatten() {
        println!("listening {}", addr.as_str().unwrap_or_default());
    }
    println!(
        "store     {} objects, sync fingerprint {}",
        text(&status["index"], "keys"),
        text(&status["index"], "fingerprint")
    );
    let peers = status["peers"].as_array().cloned().unwrap_or_default();
    println!("\n{} connected peer(s)", peers.len());
    if !peers.is_empty() {
        println!("  {:<54} {:<9} {:>8}  ADDRESS", "PEER", "NETWORK", "SCORE");
        for p in &peers {
            let confirmed = if p["confirmed"].as_bool() == Some(true) {
                "same"
            } else {
                "pending"
            };
            let score = p["score"]
                .as_f64()
                .map_or("-".into(), |s| format!("{s:.1}"));
            println!(
                "  {:<54} {:<9} {:>8}  {}",
                text(p, "peer"),
                confirmed,
                score,
                text(p, "address")
            );
        }
    }
    for s in status["sessions"].as_array().into_iter().flatten() {
        println!(
            "syncing with {}: {}, {} of {} fetched, {} queued",
            text(s, "peer"),
            text(s, "phase"),
            text(&s["report"], "fetched"),
            text(&s["report"], "needed"),
            text(s, "queued")
        );
    }
    for b in status["blocked"].as_array().into_iter().flatten() {
        println!("blocked   {} (misbehaved)", b.as_str().unwrap_or_default());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one sync session with a peer, with a progress bar fed by polling
/// the node's session status.
pub(crate) fn sync(globals: &Globals, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let client = NodeClient::new(&globals.node)?;
    let peer_id = args
        .peer
        .rsplit_once("/p2p/")
        .map(|(_, id)| id.to_owned())
        .with_context(|| format!("{} must end in /p2p/<peer id>", args.peer))?;
    let done = Arc::new(AtomicBool::new(false));
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}] {wide_bar} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message("reconciling");
    bar.enable_steady_tick(Duration::from_millis(200));
    let watcher = {
        let (done, bar, url) = (done.clone(), bar.clone(), globals.node.clone());
        std::thread::spawn(move || watch(&url, &peer_id, &bar, &done))
    };
    let report = client.post_json(
        "/v1/p2p/sync",
        &json!({ "peer": args.peer }),
        Duration::from_secs(args.timeout),
    );
    done.store(true, Ordering::Relaxed);
    let _ = watcher.join();
    bar.finish_and_clear();
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("synced with {}", text(&report, "peer"));
        for (label, key) in [
            ("round trips", "rounds"),
            ("needed", "needed"),
            ("fetched", "fetched"),
            ("stored", "stored"),
            ("pending", "pending"),
            ("invalid", "invalid"),
            ("bytes in", "bytes_in"),
            ("bytes out", "bytes_out"),
            ("milliseconds", "millis"),
        ] {
            println!("  {label:<13} {}", text(&report, key));
        }
    }
    match report["error"].as_str() {
        Some(why) => {
            eprintln!("error: the session ended early: {why}");
            Ok(ExitCode::FAILURE)
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

fn watch(url: &str, peer: &str, bar: &ProgressBar, done: &AtomicBool) {
    let Ok(mut client) = NodeClient::new(url) else {
        return;
    };
    client.set_notice(|_| {});
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(300));
        let Ok(status) = client.get_json("/v1/p2p") else {
            continue;
        };
        let session = status["sessions"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["peer"].as_str() == Some(peer)).cloned());
        if let Some(s) = session {
            bar.set_message(text(&s, "phase"));
            bar.set_length(s["report"]["needed"].as_u64().unwrap_or(0));
            bar.set_position(s["report"]["fetched"].as_u64().unwrap_or(0));
        }
    }
}
