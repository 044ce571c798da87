//! `baraza peers` and `baraza sync`: the node's peer protocol, seen and
//! driven through its API.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use baraza_api_types::{P2pStatus, PeerRequest, SyncReport};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

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

/// Shows the node's peer id, addresses, peers and sessions.
pub(crate) fn peers(globals: &Globals, args: &PeersArgs) -> anyhow::Result<ExitCode> {
    let client = NodeClient::new(&globals.node)?;
    let status = client.get_json("/v1/p2p")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    let status: P2pStatus = serde_json::from_value(status)
        .context("the node's /v1/p2p answer is not the status expected")?;
    println!("peer id   {}", status.peer_id);
    println!("network   {}", status.network);
    for addr in &status.listen {
        println!("listening {addr}");
    }
    println!(
        "store     {} objects, sync fingerprint {}",
        status
            .index
            .keys()
            .map_or_else(|| "-".to_owned(), |keys| keys.to_string()),
        status.index.fingerprint().unwrap_or("-")
    );
    println!("\n{} connected peer(s)", status.peers.len());
    if !status.peers.is_empty() {
        println!("  {:<54} {:<9} {:>8}  ADDRESS", "PEER", "NETWORK", "SCORE");
        for p in &status.peers {
            let confirmed = if p.confirmed { "same" } else { "pending" };
            let score = p.score.map_or("-".into(), |s| format!("{s:.1}"));
            println!(
                "  {:<54} {:<9} {:>8}  {}",
                p.peer, confirmed, score, p.address
            );
        }
    }
    for s in &status.sessions {
        println!(
            "syncing with {}: {}, {} of {} fetched, {} queued",
            s.peer, s.phase, s.report.fetched, s.report.needed, s.queued
        );
    }
    for b in &status.blocked {
        println!("blocked   {b} (misbehaved)");
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
        &serde_json::to_value(PeerRequest {
            peer: args.peer.clone(),
        })?,
        Duration::from_secs(args.timeout),
    );
    done.store(true, Ordering::Relaxed);
    let _ = watcher.join();
    bar.finish_and_clear();
    let report = report?;
    let typed: SyncReport = serde_json::from_value(report.clone())
        .context("the node's sync report is not the report expected")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("synced with {}", typed.peer);
        for (label, value) in [
            ("round trips", u64::from(typed.rounds)),
            ("needed", typed.needed),
            ("fetched", typed.fetched),
            ("stored", typed.stored),
            ("pending", typed.pending),
            ("invalid", typed.invalid),
            ("bytes in", typed.bytes_in),
            ("bytes out", typed.bytes_out),
            ("milliseconds", typed.millis),
        ] {
            println!("  {label:<13} {value}");
        }
    }
    match typed.error.as_deref() {
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
        let Ok(status) = client.p2p_status() else {
            continue;
        };
        if let Some(s) = status.sessions.iter().find(|s| s.peer == peer) {
            bar.set_message(s.phase.clone());
            bar.set_length(s.report.needed);
            bar.set_position(s.report.fetched);
        }
    }
}
