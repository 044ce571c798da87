//! `baraza receipt verify` and `baraza receipt prove`: check a node's
//! receipt (its signed word that an object is entry N of its transparency
//! log), and that the entry is really in the log, against the node or
//! offline from a saved inclusion proof.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_api_types::InclusionProof;
use baraza_protocol::tlog::{self, Receipt, SignedCheckpoint};
use clap::{Args, Subcommand};
use serde_json::json;

use super::submit::read_json_file;
use super::Globals;
use crate::client::{ClientError, NodeClient};
use crate::logcheck::{check_inclusion, read_receipt};
use crate::time::iso8601_utc;

/// Largest saved inclusion proof read (a proof has at most 128 hashes).
const MAX_PROOF_FILE_BYTES: usize = 1024 * 1024;

/// `baraza receipt …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ReceiptCommand {
    /// Check a receipt: its signature always; that its entry is in the
    /// node's log when a node is given (--node or BARAZA_NODE) or a saved
    /// proof (--proof). Exits 1, naming the check, if any check fails.
    ///
    /// Example: baraza receipt verify comment.receipt --node https://igf.example
    Verify(VerifyArgs),
    /// Fetch the proof that a receipt's entry is in the node's latest
    /// checkpoint, verify it, and save it for `receipt verify --proof`.
    ///
    /// Example: baraza receipt prove comment.receipt -o comment.proof.json
    Prove(ProveArgs),
}

/// `baraza receipt verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The receipt file (as saved by `--receipt FILE`; `-` for stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Check inclusion offline against this saved proof (from `receipt
    /// prove`, or the JSON of GET /v1/log/inclusion with its checkpoint);
    /// the node is not contacted.
    #[arg(long, value_name = "PROOF.json")]
    proof: Option<PathBuf>,
    /// Check only the signature, even if BARAZA_NODE is set.
    #[arg(long, conflicts_with = "proof")]
    offline: bool,
    /// Require at least N witness cosignatures (other nodes' keys) on the
    /// checkpoint that includes the entry; fails (exit 1) with fewer.
    /// Needs a proof (--node or --proof).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        conflicts_with = "offline"
    )]
    quorum: usize,
    /// Print what was checked as JSON.
    #[arg(long)]
    json: bool,
}

/// `baraza receipt prove`.
#[derive(Debug, Args)]
pub(crate) struct ProveArgs {
    /// The receipt file (`-` for stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Write the proof to this file instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "PROOF.json")]
    out: Option<PathBuf>,
    /// Prove inclusion in the first checkpoint that includes the entry
    /// (whose cosignatures show how early it was witnessed), not the latest.
    #[arg(long)]
    first: bool,
}

/// Runs `baraza receipt …`.
pub(crate) fn run(globals: &Globals, command: &ReceiptCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReceiptCommand::Verify(args) => verify(globals, args),
        ReceiptCommand::Prove(args) => prove(globals, args),
    }
}

/// Where the inclusion proof checked came from.
enum Source {
    /// Fetched from the node at this URL.
    Node(String),
    /// Read from this file.
    File(PathBuf),
}

fn verify(globals: &Globals, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let receipt = &read_receipt(&args.file)?;
    let node_key = receipt.node()?;
    if !args.json {
        println!("object      {}", receipt.leaf.id);
        println!("log origin  {}", receipt.origin);
        println!("node key    {node_key}");
        println!("entry       {}", receipt.index);
        println!("node time   {}", iso8601_utc(receipt.leaf.time_ms));
        println!("signature   ok, by the node key");
    }
    let source = match (&args.proof, args.offline || !globals.node_given) {
        (Some(path), _) => Some(Source::File(path.clone())),
        (None, false) => Some(Source::Node(globals.node.clone())),
        (None, true) => None,
    };
    let checked = match &source {
        None => None,
        Some(Source::File(path)) => {
            let (proof, _) = read_json_file::<InclusionProof>(
                path,
                MAX_PROOF_FILE_BYTES,
                "inclusion-proof JSON",
            )?;
            let checkpoint = check_inclusion(receipt, &proof)
                .with_context(|| format!("the proof in {} fails", path.display()))?;
            Some(checkpoint)
        }
        Some(Source::Node(url)) => {
            let client = NodeClient::new(url)?;
            // With a quorum asked for, the first checkpoint that includes
            // the entry says how early it was witnessed; if it has too few
            // cosignatures (a witness was away), the latest is counted.
            let (_, first) = fetch_proof(&client, receipt, args.quorum > 0)?;
            if args.quorum > 0 && witnesses_of(&first, &node_key).len() < args.quorum {
                Some(fetch_proof(&client, receipt, false)?.1)
            } else {
                Some(first)
            }
        }
    };
    // The witnesses: cosignatures already checked with the note, other
    // than the node's own key.
    let witnesses = checked
        .as_ref()
        .map(|c| witnesses_of(c, &node_key))
        .unwrap_or_default();
    // When a quorum of them had cosigned: the quorum-th earliest time.
    let witnessed_at = (args.quorum > 0)
        .then(|| witnesses.get(args.quorum - 1).map(|(_, time)| *time))
        .flatten();
    if args.quorum > 0 {
        if checked.is_none() {
            bail!(
                "--quorum {} needs the inclusion proof: give --node URL (or set BARAZA_NODE), or --proof PROOF.json",
                args.quorum
            );
        }
        if witnesses.len() < args.quorum {
            bail!(
                "the checkpoint including entry {} has {} witness cosignature(s), {} required \
                 (the node's witnesses may not have cosigned it yet: try again after a checkpoint interval)",
                receipt.index,
                witnesses.len(),
                args.quorum
            );
        }
    }
    if args.json {
        let mut value = json!({
            "object": receipt.leaf.id.to_string(),
            "origin": receipt.origin,
            "node_key": node_key.to_did(),
            "index": receipt.index,
            "time_ms": receipt.leaf.time_ms,
            "time": iso8601_utc(receipt.leaf.time_ms),
            "signature": "ok",
            "inclusion": null,
        });
        if let (Some(checkpoint), Some(source)) = (&checked, &source) {
            value["inclusion"] = json!({
                "checked_against": match source {
                    Source::Node(url) => json!({ "node": url }),
                    Source::File(path) => json!({ "proof": path.display().to_string() }),
                },
                "checkpoint_size": checkpoint.checkpoint.size,
                "root": tlog::hash_hex(&checkpoint.checkpoint.root),
                "cosignatures": witnesses
                    .iter()
                    .map(|(witness, time)| json!({ "witness": witness, "time": time }))
                    .collect::<Vec<_>>(),
                "witnessed_at": witnessed_at,
            });
        }
        println!("{value:#}");
        return Ok(ExitCode::SUCCESS);
    }
    match (&checked, &source) {
        (Some(checkpoint), Some(source)) => {
            println!(
                "included in the checkpoint of {} entries signed by the node ({})",
                checkpoint.checkpoint.size,
                match source {
                    Source::Node(url) => format!("fetched from {url}"),
                    Source::File(path) => format!("proof {}", path.display()),
                }
            );
            println!("witnessed   {} cosignature(s)", witnesses.len());
            for (witness, time) in &witnesses {
                println!("  {witness} at {}", iso8601_utc(time.saturating_mul(1000)));
            }
            if let Some(at) = witnessed_at {
                println!(
                    "witnessed by a quorum of {} by {} (the witnesses' clocks)",
                    args.quorum,
                    iso8601_utc(at.saturating_mul(1000))
                );
            }
        }
        _ => eprintln!(
            "note: inclusion in the log was not checked; give --node URL (or set \
             BARAZA_NODE), or --proof PROOF.json"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn prove(globals: &Globals, args: &ProveArgs) -> anyhow::Result<ExitCode> {
    let receipt = read_receipt(&args.file)?;
    let client = globals.client()?;
    let (proof, checkpoint) = fetch_proof(&client, &receipt, args.first)?;
    let mut text = serde_json::to_string_pretty(&proof).context("cannot encode the proof")?;
    text.push('\n');
    match &args.out {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write to stdout")?;
        }
    }
    eprintln!(
        "entry {} is in the checkpoint of {} entries signed by the node{}",
        receipt.index,
        checkpoint.checkpoint.size,
        args.out
            .as_deref()
            .map(|p: &Path| format!("; proof saved to {}", p.display()))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

/// Asks the node for the proof that the receipt's entry is in its latest
/// checkpoint, and checks it. Fails early, and says so, if the node keeps
/// another log than the receipt's.
fn fetch_proof(
    client: &NodeClient,
    receipt: &Receipt,
    first: bool,
) -> anyhow::Result<(InclusionProof, SignedCheckpoint)> {
    let info = client
        .log_info()
        .with_context(|| format!("cannot read the log of the node at {}", client.url()))?;
    if info.origin != receipt.origin {
        bail!(
            "this receipt is from another node's log: it names {}, the node at {} keeps {}",
            receipt.origin,
            client.url(),
            info.origin
        );
    }
    let proof = client
        .log_inclusion(&receipt.leaf.id, first)
        .map_err(|e| inclusion_error(e, receipt, client.url(), info.checkpoint_interval_secs))?;
    let checkpoint = check_inclusion(receipt, &proof)
        .with_context(|| format!("the proof from {} fails", client.url()))?;
    Ok((proof, checkpoint))
}

/// What a refused inclusion request means for this receipt.
fn inclusion_error(
    error: ClientError,
    receipt: &Receipt,
    url: &str,
    interval_secs: u64,
) -> anyhow::Error {
    if error.code() == Some("not_in_checkpoint") {
        return anyhow!(
            "entry {} is not in the node's latest checkpoint yet; the node signs one every \
             {interval_secs}s while its log grows: retry after its next checkpoint",
            receipt.index
        );
    }
    if error.is_not_found() {
        return anyhow!(
            "the node at {url} has no log entry for object {}, although its receipt names \
             this node's log: {error}",
            receipt.leaf.id
        );
    }
    anyhow!(error).context(format!("cannot fetch the inclusion proof from {url}"))
}

/// The witness cosignatures on `checkpoint` (not the node's own key), as
/// (did:key, Unix seconds), earliest first.
fn witnesses_of(
    checkpoint: &SignedCheckpoint,
    node: &baraza_protocol::PublicKey,
) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = checkpoint
        .cosignatures
        .iter()
        .filter(|c| c.witness.key != *node)
        .map(|c| (c.witness.key.to_did(), c.time_secs))
        .collect();
    out.sort_by_key(|(_, time)| *time);
    out
}
