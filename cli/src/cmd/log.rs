//! `baraza log show` and `baraza log verify`: a node's transparency log
//! (PROTOCOL.md §14) for auditors. `verify` downloads every entry of the
//! latest signed checkpoint's tree and recomputes its RFC 9162 root, so a
//! node that rewrote, dropped or reordered an entry is caught.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_api_types::LogInfo;
use baraza_protocol::tlog::{self, LogLeaf, SignedCheckpoint};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::Globals;
use crate::client::NodeClient;
use baraza_protocol::tlog::MemoryLog;

/// Entries asked for per page (the node serves at most 1000).
const PAGE: usize = 1000;

/// `baraza log …`.
#[derive(Debug, Subcommand)]
pub(crate) enum LogCommand {
    /// Show the node's log: origin, verifier key, size, latest checkpoint
    /// (its signature checked) and checkpoint interval.
    Show(ShowArgs),
    /// Audit the node's log: verify its latest checkpoint's signature,
    /// download every entry, recompute the tree's root and compare it with
    /// the checkpoint's. Exits 1 on a mismatch or a bad signature.
    Verify(LogVerifyArgs),
}

/// `baraza log show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Print the node's answer (GET /v1/log) as JSON.
    #[arg(long)]
    json: bool,
}

/// `baraza log verify`.
#[derive(Debug, Args)]
pub(crate) struct LogVerifyArgs {
    /// Print the outcome as JSON: {"origin", "entries", "root",
    /// "checkpoint_root", "match"}.
    #[arg(long)]
    json: bool,
}

/// Runs `baraza log …`.
pub(crate) fn run(globals: &Globals, command: &LogCommand) -> anyhow::Result<ExitCode> {
    let client = globals.client()?;
    match command {
        LogCommand::Show(args) => show(&client, args),
        LogCommand::Verify(args) => verify(&client, args),
    }
}

fn show(client: &NodeClient, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let info = client.log_info()?;
    let checkpoint = latest_checkpoint(&info)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("origin        {}", info.origin);
    println!("verifier key  {}", info.verifier_key);
    println!("entries       {}", info.size);
    match &checkpoint {
        Some(signed) => println!(
            "checkpoint    {} entries, root {} (signature ok)",
            signed.checkpoint.size,
            tlog::hash_hex(&signed.checkpoint.root)
        ),
        None => println!("checkpoint    none signed yet"),
    }
    println!(
        "interval      a checkpoint every {}s while the log grows",
        info.checkpoint_interval_secs
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(client: &NodeClient, args: &LogVerifyArgs) -> anyhow::Result<ExitCode> {
    let info = client.log_info()?;
    let signed = latest_checkpoint(&info)?.ok_or_else(|| {
        anyhow!(
            "the node at {} has not signed a checkpoint yet (it signs one every {}s \
             while its log grows): retry later",
            client.url(),
            info.checkpoint_interval_secs
        )
    })?;
    let size = signed.checkpoint.size;
    let bar = progress_bar(size, args.json);
    let mut log = MemoryLog::new();
    while log.size() < size {
        let start = log.size();
        let want = usize::try_from(size - start).map_or(PAGE, |left| left.min(PAGE));
        let page = client
            .log_entries(start, want)
            .with_context(|| format!("cannot read the log's entries from {start}"))?;
        if page.entries.is_empty() {
            bail!(
                "the node serves {start} log entries, but its checkpoint is of {size}: \
                 the log is shorter than the node signed"
            );
        }
        for entry in page.entries.iter().take(want) {
            if entry.index != log.size() {
                bail!(
                    "the node served entry {} where entry {} belongs",
                    entry.index,
                    log.size()
                );
            }
            log.append(LogLeaf {
                id: entry.id,
                time_ms: entry.time_ms,
            })
            .map_err(|e| anyhow::anyhow!("cannot hash entry {}: {e}", entry.index))?;
        }
        bar.set_position(log.size());
    }
    bar.finish_and_clear();
    let root = log
        .root(log.size())
        .map_err(|e| anyhow::anyhow!("cannot compute the root: {e}"))?;
    let matches = root == signed.checkpoint.root;
    if args.json {
        println!(
            "{:#}",
            json!({
                "origin": signed.checkpoint.origin,
                "entries": size,
                "root": tlog::hash_hex(&root),
                "checkpoint_root": tlog::hash_hex(&signed.checkpoint.root),
                "match": matches,
            })
        );
    } else {
        println!("origin           {}", signed.checkpoint.origin);
        println!("entries          {size}");
        println!("computed root    {}", tlog::hash_hex(&root));
        println!(
            "checkpoint root  {}",
            tlog::hash_hex(&signed.checkpoint.root)
        );
    }
    if !matches {
        eprintln!(
            "error: MISMATCH: the root of the {size} entries the node serves is not the root \
             its checkpoint signs"
        );
        return Ok(ExitCode::FAILURE);
    }
    if !args.json {
        println!(
            "match: the node's {size} entries have the root its checkpoint signs (signature ok)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The latest checkpoint in `info`, its signature verified and its origin
/// the log's.
fn latest_checkpoint(info: &LogInfo) -> anyhow::Result<Option<SignedCheckpoint>> {
    let Some(note) = &info.checkpoint else {
        return Ok(None);
    };
    let signed = SignedCheckpoint::verify(note.as_bytes()).map_err(|e| {
        anyhow!(
            "the node's latest checkpoint does not verify: {e} [{}]",
            e.code()
        )
    })?;
    if signed.checkpoint.origin != info.origin {
        bail!(
            "the node's latest checkpoint is of another log ({}) than the node's ({})",
            signed.checkpoint.origin,
            info.origin
        );
    }
    if info
        .checkpoint_size
        .is_some_and(|s| s != signed.checkpoint.size)
    {
        eprintln!(
            "warning: the node says its checkpoint is of {} entries; the signed note says {}",
            info.checkpoint_size.unwrap_or_default(),
            signed.checkpoint.size
        );
    }
    Ok(Some(signed))
}

/// An entry-count bar, hidden for --json or when stderr is not a terminal.
fn progress_bar(len: u64, json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} entries")
    {
        bar.set_style(style);
    }
    bar
}
