//! Writing an example to disk, always the same bytes for the same
//! scenario:
//!
//! ```text
//! DIR/objects/<kind>/<short-id>-<name>.cbor   every signed object, one per file
//! DIR/release.bundle                          the audit bundle of the target
//! DIR/release.report.json                     its audit report (no auditor clock), plus "\n"
//! DIR/index.tsv                               one line per object, by (created_at, name)
//! DIR/keys.tsv                                every key: handle, role, name, did:key
//! ```
//!
//! A directory that already holds files must be an earlier output of this
//! writer (its `index.tsv` starts with [`INDEX_HEADER`]); then `objects/`
//! is emptied of `.cbor` files first, so that objects which no longer
//! exist do not linger. Nothing else is ever deleted.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context};
use baraza_protocol::audit::{self, AuditOptions, AuditReport};
use baraza_protocol::{Kind, ObjectId, KINDS};

use super::Scenario;
use crate::time::iso8601_utc;

/// The first line of `index.tsv`; also how an earlier output is recognised.
pub(crate) const INDEX_HEADER: &str = "created_at\tkind\tid\tsigner\tname\tin_bundle\tfile";

/// What was written.
pub(crate) struct Written {
    /// Objects by kind.
    pub(crate) by_kind: BTreeMap<Kind, usize>,
    /// Objects in the bundle.
    pub(crate) bundled: usize,
    /// The audit report of the bundle.
    pub(crate) report: AuditReport,
}

/// The files of one variant, computed in memory.
pub(crate) struct Rendered {
    /// Relative path → contents.
    files: BTreeMap<String, Vec<u8>>,
    written: Written,
}

impl Rendered {
    /// The audit report the files contain.
    pub(crate) fn report(&self) -> &AuditReport {
        &self.written.report
    }
}

/// Renders `scenario` with the bundle and report of `target`.
pub(crate) fn render(scenario: &Scenario, target: &ObjectId) -> anyhow::Result<Rendered> {
    let set: audit::ObjectSet = scenario.entries.iter().map(|e| e.object.clone()).collect();
    let bundle = audit::build_bundle(&set, target).context("cannot bundle the example")?;
    // Audit what an auditor will hold: the bundle, read back and verified.
    let (bundle_target, bundled) =
        audit::read_bundle(&bundle).context("the example's bundle does not read back")?;
    if bundle_target != *target {
        bail!("the example's bundle starts with {bundle_target}, not {target}");
    }
    let report = audit::audit(&bundled, target, &AuditOptions::default());

    let mut files = BTreeMap::new();
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    for entry in &scenario.entries {
        let object = &entry.object;
        let id = object.id();
        let path = format!(
            "objects/{}/{}-{}.cbor",
            object.kind(),
            id.short(),
            entry.name
        );
        *by_kind.entry(object.kind()).or_default() += 1;
        rows.push((
            object.created_at(),
            entry.name.clone(),
            format!(
                "{}\t{}\t{id}\t{}\t{}\t{}\t{path}",
                iso8601_utc(object.created_at()),
                object.kind(),
                entry.signer,
                entry.name,
                if bundled.contains(&id) { "yes" } else { "no" },
            ),
        ));
        if files
            .insert(path.clone(), object.bytes().to_vec())
            .is_some()
        {
            bail!("two example objects would be written to {path}");
        }
    }
    rows.sort();
    let mut index = String::from(INDEX_HEADER);
    index.push('\n');
    for (_, _, row) in rows {
        index.push_str(&row);
        index.push('\n');
    }
    let mut keys = String::from("handle\trole\tname\tdid\n");
    for person in &scenario.people {
        keys.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            person.handle,
            person.role,
            person.display,
            person.public().to_did()
        ));
    }
    files.insert("index.tsv".into(), index.into_bytes());
    files.insert("keys.tsv".into(), keys.into_bytes());
    files.insert("release.bundle".into(), bundle);
    files.insert(
        "release.report.json".into(),
        format!("{}\n", report.to_json()).into_bytes(),
    );
    Ok(Rendered {
        files,
        written: Written {
            by_kind,
            bundled: bundled.len(),
            report,
        },
    })
}

/// Writes `rendered` into `dir` (see the module doc for what is replaced).
pub(crate) fn write(dir: &Path, rendered: Rendered) -> anyhow::Result<Written> {
    prepare(dir)?;
    for (relative, bytes) in &rendered.files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(rendered.written)
}

/// Makes `dir` ready: created if missing; if it holds files, checked to be
/// an earlier output and its `objects/` emptied of `.cbor` files.
fn prepare(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut entries =
        fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let index = dir.join("index.tsv");
    let earlier = fs::read_to_string(&index)
        .ok()
        .is_some_and(|text| text.lines().next() == Some(INDEX_HEADER));
    if !earlier {
        bail!(
            "{} is not empty and holds no earlier example output (no index.tsv written by \
             `baraza example`); choose a new or empty directory",
            dir.display()
        );
    }
    let objects = dir.join("objects");
    if !objects.exists() {
        return Ok(());
    }
    for kind in KINDS {
        let kind_dir = objects.join(kind.as_str());
        if !kind_dir.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&kind_dir)
            .with_context(|| format!("cannot list {}", kind_dir.display()))?
        {
            let path = entry
                .with_context(|| format!("cannot list {}", kind_dir.display()))?
                .path();
            if path.is_file() && path.extension().is_some_and(|e| e == "cbor") {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
        fs::remove_dir(&kind_dir).with_context(|| {
            format!(
                "{} holds files `baraza example` did not write; move them away",
                kind_dir.display()
            )
        })?;
    }
    Ok(())
}
