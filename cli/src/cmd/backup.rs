//! `baraza node export` and `baraza node import`: backups of a node's
//! objects as one CBOR-sequence file (RFC 8742), the same format as
//! `baraza get --cbor` and audit bundles.
//!
//! Export reads from the running node's API, page by page, up to the
//! event-log head at the moment it starts: the store is append-only, so
//! that is a consistent snapshot however long it takes. Every object is
//! verified before it is written, and the file appears (by rename) only
//! when complete. Import writes a file into a *stopped* node's data dir,
//! verifying every object; the node then reconciles with its peers.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use baraza_node::store::{ObjectStore, PutOutcome, Store, StoreOptions};
use baraza_protocol::limits::MAX_OBJECT_BYTES;
use baraza_protocol::{decode_batch, split_sequence};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cborseq::{Item, SequenceReader};
use crate::client::NodeClient;

/// An object-count bar, hidden when stderr is not a terminal.
fn objects_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} objects {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Writes every object of the node at `url` to `out`.
pub(crate) fn export(url: &str, out: &Path) -> anyhow::Result<ExitCode> {
    let client = NodeClient::new(url)?;
    let first = client.export_page(0, None)?;
    let upto = first.head;
    let partial = partial_path(out);
    let file =
        File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let mut writer = BufWriter::new(file);
    let progress = objects_bar(upto);
    let mut written = 0u64;
    let mut page = first;
    loop {
        let (ranges, error) = split_sequence(&page.bytes, usize::MAX);
        if let Some(e) = error {
            bail!(
                "the node sent a malformed page after event {}: {e}",
                page.last
            );
        }
        let items = ranges.len();
        for verdict in decode_batch(ranges.into_iter().map(|r| &page.bytes[r])) {
            let object = verdict.context("the node sent an invalid object")?;
            writer.write_all(object.bytes())?;
            written += 1;
        }
        progress.set_position(page.last.min(upto));
        if page.last >= upto || items == 0 {
            break;
        }
        page = client.export_page(page.last, Some(upto))?;
    }
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
        .context("cannot sync the export to disk")?;
    std::fs::rename(&partial, out)
        .with_context(|| format!("cannot move the export to {}", out.display()))?;
    progress.finish_and_clear();
    println!(
        "exported {written} objects (event log up to {upto}) to {}",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// Objects verified and stored per batch.
const IMPORT_BATCH: usize = 1000;

/// Counts of an import.
#[derive(Debug, Default)]
struct Tally {
    stored: u64,
    known: u64,
    pending: u64,
    invalid: u64,
}

/// Imports `file` into the store under `store_dir` (the node must be stopped).
pub(crate) fn import(file: &Path, store_dir: &Path) -> anyhow::Result<ExitCode> {
    let input = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let store = match Store::open(store_dir, StoreOptions::default()) {
        Ok(store) => store,
        Err(e) => bail!(
            "cannot open the store at {}: {e} (stop the node first)",
            store_dir.display()
        ),
    };
    let progress = super::import::progress_bar(size);
    let mut reader = SequenceReader::buffered(input, MAX_OBJECT_BYTES);
    let mut tally = Tally::default();
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let result: anyhow::Result<()> = runtime.block_on(async {
        loop {
            let item = reader
                .next_item()
                .with_context(|| format!("{} is not a CBOR sequence", file.display()))?;
            let done = item.is_none();
            match item {
                Some(Item::Complete(bytes)) => batch.push((reader.offset(), bytes)),
                Some(Item::TooLarge { size }) => {
                    tally.invalid += 1;
                    eprintln!("skipped an item of {size} bytes (over the object limit)");
                }
                None => {}
            }
            if batch.len() >= IMPORT_BATCH || (done && !batch.is_empty()) {
                let items = std::mem::take(&mut batch);
                let verdicts = decode_batch(items.iter().map(|(_, bytes)| bytes.as_slice()));
                let mut valid = Vec::with_capacity(items.len());
                for ((end, _), verdict) in items.iter().zip(verdicts) {
                    match verdict {
                        Ok(object) => valid.push(object),
                        Err(e) => {
                            tally.invalid += 1;
                            eprintln!("skipped an object ending at byte {end}: {e}");
                        }
                    }
                }
                for outcome in store.put(&valid).await? {
                    match outcome? {
                        PutOutcome::Stored { .. } => tally.stored += 1,
                        PutOutcome::Known => tally.known += 1,
                        PutOutcome::Pending { .. } | PutOutcome::Held { .. } => tally.pending += 1,
                    }
                }
                progress.set_position(reader.offset());
            }
            if done {
                return Ok(());
            }
        }
    });
    runtime.block_on(store.close())?;
    progress.finish_and_clear();
    result?;
    println!(
        "imported {}: {} stored, {} already held, {} waiting for references, {} invalid",
        file.display(),
        tally.stored,
        tally.known,
        tally.pending,
        tally.invalid
    );
    Ok(if tally.invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
