//! `baraza import`: submit signed objects from files and directories to the
//! node in bulk.
//!
//! Files are CBOR: one object each, or CBOR sequences of objects (bundles,
//! concatenations). They are read one item at a time and sent in batches
//! (`application/cbor-seq`), so memory holds one batch whatever the input
//! size. Every object is decoded and its signature verified here first: an
//! invalid one is reported with its file and the protocol's reason and never
//! sent, and the node only sees objects it should accept.
//!
//! Objects whose references the node does not have yet are held by it
//! ("pending") and released when the references arrive, so files may come in
//! any order; the summary re-checks those still pending at the end.

use std::collections::HashSet;
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{bail, Context};
use baraza_protocol::limits::MAX_OBJECT_BYTES;
use baraza_protocol::{verify_batch, ObjectId, UnverifiedObject};
use clap::Args;

use crate::files::{collect_object_files, show_paths};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::Globals;
use crate::cborseq::{Item, SequenceReader};
use baraza_api_types::ItemStatus;

use crate::client::{ClientError, ItemResult, NodeClient};

/// Default objects per request.
const DEFAULT_BATCH: usize = 500;
/// Most bytes per request, whatever the object count (the node's default
/// bulk limit is 64 MiB; staying well under it keeps memory small).
const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Pending objects re-checked at the end; beyond this they are reported
/// as pending without a check.
const MAX_PENDING_RECHECK: usize = 10_000;
/// Rejections listed in the human summary (all are in `--json`).
const MAX_LISTED_REJECTIONS: usize = 50;

/// Arguments of `baraza import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Files of signed objects (one object or a CBOR sequence each), or
    /// directories, read recursively for `*.cbor` and `*.cose` files.
    #[arg(value_name = "FILE|DIR", required = true)]
    paths: Vec<PathBuf>,
    /// Objects per request.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    batch: usize,
    /// Print the summary as JSON: {"files", "objects", "stored", "known",
    /// "pending", "rejected", "rejections": [{"file", "item", "id"?, "error", "message"}]}.
    #[arg(long)]
    json: bool,
}

/// Where an object came from.
#[derive(Debug, Clone)]
struct Origin {
    /// The file.
    file: Rc<Path>,
    /// Its position in the file (0 for a single object).
    item: usize,
}

/// One object refused, here or by the node.
#[derive(Debug)]
struct Rejection {
    origin: Origin,
    id: Option<ObjectId>,
    code: String,
    message: String,
}

/// What happened so far.
#[derive(Debug, Default)]
struct Tally {
    files: u64,
    objects: u64,
    stored: u64,
    known: u64,
    /// Ids the node held as pending when submitted.
    pending: Vec<ObjectId>,
    rejections: Vec<Rejection>,
}

/// An object read and checked, waiting for its batch.
struct Ready {
    origin: Origin,
    id: ObjectId,
    bytes: Vec<u8>,
}

/// Runs `baraza import`.
pub(crate) fn run(globals: &Globals, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let mut client = globals.client()?;
    let mut files = Vec::new();
    for path in &args.paths {
        collect_object_files(path, &mut files)?;
    }
    if files.is_empty() {
        bail!(
            "no .cbor or .cose files found in {}",
            show_paths(&args.paths)
        );
    }
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(total_bytes);
    {
        let bar = bar.clone();
        client.set_notice(move |line| {
            if bar.is_hidden() {
                eprintln!("{line}");
            } else {
                bar.println(line);
            }
        });
    }

    let mut tally = Tally::default();
    let mut importer = Importer {
        client: &client,
        batch_size: args.batch,
        batch: Vec::new(),
        batch_bytes: 0,
        seen: HashSet::new(),
        tally: &mut tally,
    };
    let outcome = (|| -> anyhow::Result<()> {
        for file in &files {
            importer.read_file(file, &bar)?;
            importer.tally.files += 1;
            bar.set_message(progress_message(importer.tally));
        }
        importer.flush()
    })();
    bar.finish_and_clear();
    if outcome.is_ok() {
        recheck_pending(&client, &mut tally);
    }
    write_summary(&tally, client.url(), args.json).context("cannot write to stdout")?;
    outcome?;
    Ok(if tally.rejections.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads files into batches and submits them.
struct Importer<'a> {
    client: &'a NodeClient,
    batch_size: usize,
    batch: Vec<Ready>,
    batch_bytes: usize,
    /// Ids already read in this import: a duplicate counts as known
    /// without being sent again.
    seen: HashSet<ObjectId>,
    tally: &'a mut Tally,
}

impl Importer<'_> {
    fn read_file(&mut self, path: &Path, bar: &ProgressBar) -> anyhow::Result<()> {
        let file: Rc<Path> = Rc::from(path);
        let reject_file = |tally: &mut Tally, item: usize, code: &str, message: String| {
            tally.rejections.push(Rejection {
                origin: Origin {
                    file: file.clone(),
                    item,
                },
                id: None,
                code: code.to_owned(),
                message,
            });
        };
        let handle = match File::open(path) {
            Ok(handle) => handle,
            Err(e) => {
                reject_file(self.tally, 0, "unreadable", e.to_string());
                return Ok(());
            }
        };
        let mut reader = SequenceReader::buffered(handle, MAX_OBJECT_BYTES);
        let mut index = 0usize;
        let mut reported = 0u64;
        loop {
            let item = match reader.next_item() {
                Ok(Some(item)) => item,
                Ok(None) => break,
                Err(e) => {
                    reject_file(self.tally, index, "malformed_file", e.to_string());
                    break;
                }
            };
            bar.inc(reader.offset() - reported);
            reported = reader.offset();
            let origin = Origin {
                file: file.clone(),
                item: index,
            };
            index += 1;
            self.tally.objects += 1;
            match item {
                Item::TooLarge { size } => self.tally.rejections.push(Rejection {
                    origin,
                    id: None,
                    code: "too_large".into(),
                    message: format!(
                        "object is {size} bytes, over the limit of {MAX_OBJECT_BYTES}"
                    ),
                }),
                Item::Complete(bytes) => {
                    self.batch_bytes += bytes.len();
                    self.batch.push(Ready {
                        origin,
                        id: ObjectId::of_bytes(&bytes),
                        bytes,
                    });
                    if self.batch.len() >= self.batch_size || self.batch_bytes >= MAX_BATCH_BYTES {
                        self.flush()?;
                        bar.set_message(progress_message(self.tally));
                    }
                }
            }
        }
        // Whatever the reader stopped at, the file is done.
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(reported);
        bar.inc(size.saturating_sub(reported));
        Ok(())
    }

    /// Checks the batch, drops duplicates, and submits what is left.
    fn flush(&mut self) -> anyhow::Result<()> {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        if batch.is_empty() {
            return Ok(());
        }
        let mut parsed = Vec::with_capacity(batch.len());
        let mut origins = Vec::with_capacity(batch.len());
        for ready in batch {
            match UnverifiedObject::parse(&ready.bytes) {
                Ok(object) => {
                    parsed.push(object);
                    origins.push((ready.origin, ready.id));
                }
                Err(e) => self.tally.rejections.push(Rejection {
                    origin: ready.origin,
                    id: Some(ready.id),
                    code: e.code().to_owned(),
                    message: e.to_string(),
                }),
            }
        }
        let mut valid = Vec::with_capacity(parsed.len());
        for (verdict, (origin, id)) in verify_batch(parsed).into_iter().zip(origins) {
            match verdict {
                // Sent once per import; a repeat is known by then.
                Ok(_) if !self.seen.insert(id) => self.tally.known += 1,
                Ok(object) => valid.push(Ready {
                    origin,
                    id,
                    bytes: object.bytes().to_vec(),
                }),
                Err(e) => self.tally.rejections.push(Rejection {
                    origin,
                    id: Some(id),
                    code: e.code().to_owned(),
                    message: e.to_string(),
                }),
            }
        }
        self.submit(valid)
    }

    /// Submits `objects`. On a 400, records each item's result; if the node
    /// named only the offending item, records it and resubmits the rest
    /// (submissions are idempotent); on 413, halves the batch.
    fn submit(&mut self, mut objects: Vec<Ready>) -> anyhow::Result<()> {
        while !objects.is_empty() {
            let mut sequence = Vec::with_capacity(objects.iter().map(|o| o.bytes.len()).sum());
            for object in &objects {
                sequence.extend_from_slice(&object.bytes);
            }
            match self.client.submit_seq(&sequence) {
                Ok(results) => {
                    self.record(&objects, &results)?;
                    return Ok(());
                }
                // A bulk 400 still stored the valid items and says what
                // became of each.
                Err(ClientError::Refused {
                    status: 400,
                    results,
                    ..
                }) if results.len() == objects.len() => {
                    self.record(&objects, &results)?;
                    return Ok(());
                }
                Err(ClientError::Refused {
                    status: 400..=499,
                    item: Some(index),
                    code,
                    message,
                    ..
                }) if index < objects.len() => {
                    let refused = objects.remove(index);
                    self.tally.rejections.push(Rejection {
                        origin: refused.origin,
                        id: Some(refused.id),
                        code,
                        message,
                    });
                }
                Err(ClientError::Refused { status: 413, .. }) if objects.len() > 1 => {
                    let second = objects.split_off(objects.len() / 2);
                    self.submit(objects)?;
                    return self.submit(second);
                }
                Err(e) => return Err(e).context("the import stopped"),
            }
        }
        Ok(())
    }

    fn record(&mut self, objects: &[Ready], results: &[ItemResult]) -> anyhow::Result<()> {
        if results.len() != objects.len() {
            bail!(
                "the node answered {} results for {} objects; the import stopped",
                results.len(),
                objects.len()
            );
        }
        for (object, result) in objects.iter().zip(results) {
            let id = object.id;
            if let Some(answered) = result.id.filter(|answered| *answered != id) {
                bail!(
                    "the node's results are not in the order of the objects sent \
                     ({answered} answered for {id}); the import stopped"
                );
            }
            match result.status {
                ItemStatus::Stored => self.tally.stored += 1,
                ItemStatus::Known => self.tally.known += 1,
                ItemStatus::Pending => self.tally.pending.push(object.id),
                _ => self.tally.rejections.push(Rejection {
                    origin: object.origin.clone(),
                    id: Some(object.id),
                    code: result
                        .error
                        .clone()
                        .unwrap_or_else(|| result.status.to_string()),
                    message: result.message.clone().unwrap_or_default(),
                }),
            }
        }
        Ok(())
    }
}

/// Asks the node about objects that were pending when submitted: their
/// references may have come later in the import.
fn recheck_pending(client: &NodeClient, tally: &mut Tally) {
    if tally.pending.is_empty() || tally.pending.len() > MAX_PENDING_RECHECK {
        return;
    }
    let pending = std::mem::take(&mut tally.pending);
    for id in pending {
        match client.object_bytes(&id) {
            Ok(bytes) if ObjectId::of_bytes(&bytes) == id => tally.stored += 1,
            _ => tally.pending.push(id),
        }
    }
}

/// A byte-based bar (the object count is not known before reading),
/// hidden when stderr is not a terminal.
pub(crate) fn progress_bar(total_bytes: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total_bytes);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

fn progress_message(tally: &Tally) -> String {
    format!(
        "{} read: {} stored, {} known, {} pending, {} rejected",
        tally.objects,
        tally.stored,
        tally.known,
        tally.pending.len(),
        tally.rejections.len()
    )
}

fn write_summary(tally: &Tally, node: &str, json: bool) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if json {
        let rejections: Vec<_> = tally
            .rejections
            .iter()
            .map(|r| {
                let mut value = json!({
                    "file": r.origin.file.display().to_string(),
                    "item": r.origin.item,
                    "error": r.code,
                    "message": r.message,
                });
                if let Some(id) = r.id {
                    value["id"] = json!(id.to_string());
                }
                value
            })
            .collect();
        let value = json!({
            "node": node,
            "files": tally.files,
            "objects": tally.objects,
            "stored": tally.stored,
            "known": tally.known,
            "pending": tally.pending.len(),
            "rejected": tally.rejections.len(),
            "rejections": rejections,
        });
        return writeln!(stdout, "{value:#}");
    }
    writeln!(
        stdout,
        "read {} object{} from {} file{}; sent to {node}",
        tally.objects,
        if tally.objects == 1 { "" } else { "s" },
        tally.files,
        if tally.files == 1 { "" } else { "s" },
    )?;
    writeln!(stdout, "  stored    {}", tally.stored)?;
    writeln!(stdout, "  known     {}", tally.known)?;
    writeln!(
        stdout,
        "  pending   {}{}",
        tally.pending.len(),
        if tally.pending.is_empty() {
            ""
        } else {
            "  (held by the node until the objects they reference arrive)"
        }
    )?;
    writeln!(stdout, "  rejected  {}", tally.rejections.len())?;
    for r in tally.rejections.iter().take(MAX_LISTED_REJECTIONS) {
        let at = if r.origin.item > 0 {
            format!(" item {}", r.origin.item)
        } else {
            String::new()
        };
        writeln!(
            stdout,
            "    {}{at}: {} [{}]",
            r.origin.file.display(),
            r.message,
            r.code
        )?;
    }
    if tally.rejections.len() > MAX_LISTED_REJECTIONS {
        writeln!(
            stdout,
            "    … and {} more (see --json)",
            tally.rejections.len() - MAX_LISTED_REJECTIONS
        )?;
    }
    Ok(())
}
