//! `baraza bundle`: builds the audit bundle of one object from signed
//! objects on disk, for anyone to audit offline with
//! `baraza audit --bundle FILE`.
//!
//! Inputs are files of signed objects — one object each, or RFC 8742 CBOR
//! sequences such as bundles and `baraza get --cbor` output — and
//! directories, read recursively for `*.cbor` and `*.cose` files. Every
//! read is bounded: each object by `MAX_OBJECT_BYTES`, all inputs together
//! by [`MAX_INPUT_BYTES`] and [`MAX_INPUT_OBJECTS`] (the objects are held
//! in memory while the bundle is gathered). Every object is decoded
//! strictly and its signature verified (in batches); if any input is
//! invalid nothing is written and each bad item is named.
//!
//! The bundle is what `baraza_protocol::audit::build_bundle` makes of the
//! verified objects: the target first, then every object its audit report
//! depends on, by (created_at, id). A bundle that lacks a dependency would
//! audit as `incomplete`; it is only written with `--allow-incomplete`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{anyhow, bail, Context};
use baraza_protocol::audit::{self, AuditOptions, AuditReport, BundleError, ObjectSet};
use baraza_protocol::limits::{MAX_BUNDLE_BYTES, MAX_BUNDLE_OBJECTS, MAX_OBJECT_BYTES};
use baraza_protocol::{verify_batch, ObjectId, UnverifiedObject, BATCH_CHUNK};
use clap::Args;

use crate::files::{collect_object_files, show_paths};

use crate::cborseq::{Item, SequenceReader};

/// Most bytes read from all inputs together (1 GiB): four times the
/// largest bundle, so a node's export much larger than the bundle fits.
pub(crate) const MAX_INPUT_BYTES: u64 = 4 * MAX_BUNDLE_BYTES as u64;
/// Most objects read from all inputs together.
pub(crate) const MAX_INPUT_OBJECTS: usize = 4 * MAX_BUNDLE_OBJECTS;
/// Objects verified per call of `verify_batch`: whole batch chunks, and a
/// bounded number of parsed-but-unverified objects at a time.
const VERIFY_SLICE: usize = 16 * BATCH_CHUNK;
/// Invalid items and missing ids listed in messages.
const MAX_LISTED: usize = 20;
/// Shortest id prefix `--target` accepts.
const MIN_PREFIX: usize = 8;

/// Arguments of `baraza bundle`.
#[derive(Debug, Args)]
pub(crate) struct BundleArgs {
    /// The object to audit (its full id, or a unique prefix of at least 8
    /// hex digits among the objects read). The bundle holds it and every
    /// object its audit report depends on.
    #[arg(long, value_name = "ID", value_parser = parse_target)]
    target: TargetArg,
    /// Where to write the bundle (`-` for stdout; the summary then goes to
    /// stderr). An existing file is replaced.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Write the bundle even when objects it depends on are not among the
    /// inputs; auditing it then reports them and the verdict `incomplete`.
    #[arg(long)]
    allow_incomplete: bool,
    /// Files of signed objects (one object or a CBOR sequence each), or
    /// directories, read recursively for `*.cbor` and `*.cose` files.
    #[arg(value_name = "FILE|DIR", required = true)]
    paths: Vec<PathBuf>,
}

/// `--target`: a full id, or a prefix resolved once the objects are read.
#[derive(Debug, Clone)]
enum TargetArg {
    Full(ObjectId),
    Prefix(String),
}

fn parse_target(text: &str) -> Result<TargetArg, String> {
    if let Ok(id) = text.parse::<ObjectId>() {
        return Ok(TargetArg::Full(id));
    }
    let hex = text.len() < 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex && text.len() >= MIN_PREFIX {
        return Ok(TargetArg::Prefix(text.to_owned()));
    }
    Err(format!(
        "expected an object id (64 lowercase hex digits) or a prefix of at least \
         {MIN_PREFIX} of them, got {:?}",
        text.chars().take(80).collect::<String>()
    ))
}

/// Where an object came from.
#[derive(Debug, Clone)]
struct Origin {
    file: Rc<Path>,
    /// Position in the file, from 0.
    item: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (object {})", self.file.display(), self.item)
    }
}

/// The verified objects of the inputs.
#[derive(Default)]
struct Loaded {
    set: ObjectSet,
    files: usize,
    items: usize,
    duplicates: usize,
    /// One line per invalid item.
    invalid: Vec<String>,
    /// Parsed objects waiting for verification.
    pending: Vec<(Origin, UnverifiedObject)>,
}

impl Loaded {
    fn reject(&mut self, line: String) {
        self.invalid.push(line);
    }

    /// Verifies the pending objects and adds the valid ones.
    fn flush(&mut self) {
        let (origins, objects): (Vec<Origin>, Vec<UnverifiedObject>) =
            std::mem::take(&mut self.pending).into_iter().unzip();
        for (origin, verdict) in origins.into_iter().zip(verify_batch(objects)) {
            match verdict {
                Ok(object) => {
                    if !self.set.insert(object) {
                        self.duplicates += 1;
                    }
                }
                Err(e) => self.reject(format!("{origin}: {e} [{}]", e.code())),
            }
        }
    }
}

/// Runs `baraza bundle`.
pub(crate) fn run(args: &BundleArgs) -> anyhow::Result<ExitCode> {
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
    let loaded = load(&files)?;
    if !loaded.invalid.is_empty() {
        eprintln!(
            "error: {} invalid object{} in the input; no bundle was written:",
            loaded.invalid.len(),
            if loaded.invalid.len() == 1 { "" } else { "s" }
        );
        for line in loaded.invalid.iter().take(MAX_LISTED) {
            eprintln!("  {line}");
        }
        if loaded.invalid.len() > MAX_LISTED {
            eprintln!("  … and {} more", loaded.invalid.len() - MAX_LISTED);
        }
        return Ok(ExitCode::FAILURE);
    }
    let target = resolve(&args.target, &loaded.set)?;
    let bundle = match audit::build_bundle(&loaded.set, &target) {
        Ok(bundle) => bundle,
        Err(BundleError::TargetMissing(id)) => bail!(
            "the target {id} is not among the {} objects read from {}; add the file that holds it",
            loaded.set.len(),
            show_paths(&args.paths)
        ),
        Err(e) => return Err(e).context("cannot build the bundle"),
    };
    // The bundle's report is the report over the inputs (gathering is a
    // fixpoint), so completeness is known without reading the bundle back.
    // No clock: the verdict shown is the one every auditor computes.
    let report = audit::audit(&loaded.set, &target, &AuditOptions::default());
    if !report.complete && !args.allow_incomplete {
        eprintln!(
            "error: the inputs lack {} object{} the audit of {} depends on; no bundle was written",
            report.missing.len(),
            if report.missing.len() == 1 { "" } else { "s" },
            target.short()
        );
        list_missing(&report, &mut std::io::stderr().lock())?;
        eprintln!(
            "add the files that hold them, or pass --allow-incomplete to write a bundle that \
             audits as incomplete"
        );
        return Ok(ExitCode::FAILURE);
    }
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&bundle)
            .and_then(|()| stdout.flush())
            .context("cannot write the bundle to stdout")?;
    } else {
        write_atomically(&args.out, &bundle)?;
    }
    let summary = summary(args, &loaded, &report, bundle.len());
    if to_stdout {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads and verifies every object of `files`.
fn load(files: &[PathBuf]) -> anyhow::Result<Loaded> {
    let mut size = 0u64;
    for file in files {
        size += std::fs::metadata(file)
            .with_context(|| format!("cannot read {}", file.display()))?
            .len();
    }
    if size > MAX_INPUT_BYTES {
        bail!(
            "the inputs hold {size} bytes, over the limit of {MAX_INPUT_BYTES}; pass fewer files"
        );
    }
    let mut loaded = Loaded::default();
    for path in files {
        loaded.files += 1;
        let file: Rc<Path> = Rc::from(path.as_path());
        let reader = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        // The size was checked above; `take` keeps a file that grows
        // meanwhile from going past the limit.
        let mut items = SequenceReader::buffered(
            std::io::Read::take(reader, MAX_INPUT_BYTES),
            MAX_OBJECT_BYTES,
        );
        for item in 0.. {
            let origin = Origin {
                file: file.clone(),
                item,
            };
            let next = match items.next_item() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(e) => {
                    loaded.reject(format!("{origin}: {e}; the rest of the file is skipped"));
                    break;
                }
            };
            loaded.items += 1;
            if loaded.items > MAX_INPUT_OBJECTS {
                bail!("the inputs hold more than {MAX_INPUT_OBJECTS} objects; pass fewer files");
            }
            match next {
                Item::Complete(bytes) => match UnverifiedObject::parse(&bytes) {
                    Ok(object) => loaded.pending.push((origin, object)),
                    Err(e) => loaded.reject(format!("{origin}: {e} [{}]", e.code())),
                },
                Item::TooLarge { size } => loaded.reject(format!(
                    "{origin}: {size} bytes, over the object limit of {MAX_OBJECT_BYTES} [too_large]"
                )),
            }
            if loaded.pending.len() >= VERIFY_SLICE {
                loaded.flush();
            }
        }
    }
    loaded.flush();
    Ok(loaded)
}

/// The id `--target` names.
fn resolve(target: &TargetArg, set: &ObjectSet) -> anyhow::Result<ObjectId> {
    let prefix = match target {
        TargetArg::Full(id) => return Ok(*id),
        TargetArg::Prefix(prefix) => prefix,
    };
    let matching: Vec<ObjectId> = set
        .iter()
        .map(|o| o.id())
        .filter(|id| id.to_string().starts_with(prefix.as_str()))
        .take(2)
        .collect();
    match matching.as_slice() {
        [id] => Ok(*id),
        [] => Err(anyhow!(
            "no object among the {} read has an id starting with {prefix}",
            set.len()
        )),
        _ => Err(anyhow!(
            "more than one object has an id starting with {prefix}; give more digits"
        )),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`, so a reader never sees half a bundle.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("--out {} names no file", path.display()))?;
    let mut temporary = name.to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    let temporary = path.with_file_name(temporary);
    let result = std::fs::write(&temporary, bytes)
        .and_then(|()| File::open(&temporary)?.sync_all())
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// The human summary.
fn summary(args: &BundleArgs, loaded: &Loaded, report: &AuditReport, size: usize) -> String {
    let mut out = String::new();
    let target = &report.target;
    let kind = target.kind.map_or("object", |k| k.as_str());
    let label = target
        .label
        .as_ref()
        .map(|l| format!(" {l:?}"))
        .or_else(|| target.section.as_ref().map(|s| format!(" section {s}")))
        .unwrap_or_default();
    let by_kind: Vec<String> = report
        .objects
        .by_kind
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    out.push_str(&format!(
        "bundle      {} ({size} bytes)\n",
        args.out.display()
    ));
    out.push_str(&format!("target      {kind} {}{label}\n", target.id));
    out.push_str(&format!(
        "objects     {} included ({}) of {} read from {} file{}{}\n",
        report.objects.total,
        by_kind.join(", "),
        loaded.set.len(),
        loaded.files,
        if loaded.files == 1 { "" } else { "s" },
        match loaded.duplicates {
            0 => String::new(),
            n => format!(", {n} duplicate{} ignored", if n == 1 { "" } else { "s" }),
        }
    ));
    if report.complete {
        out.push_str("complete    yes: every object the audit depends on is included\n");
    } else {
        out.push_str(&format!(
            "complete    NO: {} referenced object{} missing; the bundle audits as incomplete\n",
            report.missing.len(),
            if report.missing.len() == 1 {
                " is"
            } else {
                "s are"
            },
        ));
        let mut listed = Vec::new();
        let _ = list_missing(report, &mut listed);
        out.push_str(&String::from_utf8_lossy(&listed));
    }
    out.push_str(&format!(
        "verdict     {} (without an auditor's clock; check with `baraza audit --bundle {}`)\n",
        report.verdict.as_str(),
        args.out.display()
    ));
    out
}

fn list_missing(report: &AuditReport, out: &mut impl Write) -> std::io::Result<()> {
    for id in report.missing.iter().take(MAX_LISTED) {
        writeln!(out, "  missing {id}")?;
    }
    if report.missing.len() > MAX_LISTED {
        writeln!(out, "  … and {} more", report.missing.len() - MAX_LISTED)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_full_ids_or_long_enough_prefixes() {
        let full = "ab".repeat(32);
        assert!(matches!(parse_target(&full), Ok(TargetArg::Full(_))));
        assert!(matches!(
            parse_target("abcdef01"),
            Ok(TargetArg::Prefix(p)) if p == "abcdef01"
        ));
        for bad in ["abc", "ABCDEF0123", "xyz12345", &"a".repeat(65)] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }
}
