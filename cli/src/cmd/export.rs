//! `baraza export`: every comment of a consultation, one row each, with
//! what a secretariat needs to collect and summarise the responses — who
//! (name, stakeholder group, region), where (section, language), what, and
//! what the editors did with it (disposition) — as CSV or JSON.
//!
//! Sources, all from the node: the charter (fetched by id and verified),
//! its attestations, and per section its drafts and comments; per author,
//! their objects (latest profile, retractions). Rows are written section by
//! section as comments are listed, so memory holds one page of comments and
//! per-author summaries, not the whole consultation.
//!
//! Group and region are the audit's: the author's standing at the comment's
//! time, from `protocol::audit::Roster` (attestations, their retractions and
//! revocations, each fetched as signed bytes and verified), so a comment by
//! a key revoked or whose NRI lost its accreditation is `unattested`, as in
//! `baraza audit`. A disposition counts only from a draft whose author was
//! an editor of that section when signing; the newest such draft (highest
//! version) that disposes the comment wins. Everything else a node lists is
//! taken as it says.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use baraza_protocol::audit::Roster;
use baraza_protocol::kinds::{Charter, Comment};
use baraza_protocol::{Body, ObjectId, PublicKey, SignedObject};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use super::{Globals, EXIT_CODES};
use crate::client::{Listed, NodeClient};
use crate::time::iso8601_utc;

/// What group and region say for an author without a holding attestation.
const UNATTESTED: &str = "unattested";

/// The columns, in order (CSV header; JSON keys).
const COLUMNS: [&str; 13] = [
    "id",
    "created_at",
    "author",
    "author_name",
    "stakeholder_group",
    "region",
    "section",
    "language",
    "text",
    "disposition",
    "rationale",
    "disposed_in",
    "retracted",
];

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Arguments of `baraza export`.
#[derive(Debug, Args)]
#[command(after_long_help = format!("{COLUMNS_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct ExportArgs {
    /// The consultation: its charter's id.
    #[arg(long, value_name = "ID")]
    charter: ObjectId,
    /// Output format.
    #[arg(long, value_enum)]
    format: Format,
    /// Write to FILE (replaced only once the export is complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Start the CSV with a UTF-8 byte-order mark (Excel needs it to read
    /// accented and non-Latin text correctly).
    #[arg(long)]
    bom: bool,
}

const COLUMNS_HELP: &str = "\
Columns (CSV header and JSON keys):
  id, created_at (ISO 8601 UTC), author (did:key), author_name (latest profile),
  stakeholder_group and region (as the audit attributes the author at the
  comment's time: a stakeholder's attested group, else nri, editor or steward;
  \"unattested\" when the chain of attestations does not hold or, for the
  region, names none), section, language, text,
  disposition (incorporated, partly, not_incorporated, out_of_scope) and
  rationale (from the newest editor's draft of the section that disposes the
  comment), disposed_in (that draft's id), retracted (yes/no; true/false in JSON).

In CSV, a cell starting with =, +, -, @, tab or CR gets a leading ' so that
spreadsheets do not run it as a formula; JSON keeps every text exact.";

/// One exported comment.
struct Row<'a> {
    comment: &'a Listed,
    body: &'a Comment,
    author: &'a AuthorInfo,
    standing: Option<(String, String)>,
    disposition: Option<&'a Disposed>,
}

/// Runs `baraza export`.
pub(crate) fn run(globals: &Globals, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let client = globals.client()?;
    let (charter_object, charter) = fetch_charter(&client, &args.charter)?;
    let bar = progress_bar();
    bar.set_message("attestations");
    let trust = fetch_roster(&client, &args.charter, charter_object)?;

    let (mut sink, partial) = open_output(args.out.as_deref())?;
    let written = write_rows(&client, args, &charter, &trust, &bar, &mut sink).and_then(|total| {
        sink.flush()
            .map(|()| total)
            .context("cannot write the export")
    });
    drop(sink);
    bar.finish_and_clear();
    let total = match written {
        Ok(total) => total,
        Err(e) => {
            // Leave no half export behind to be mistaken for a whole one.
            if let Some(partial) = &partial {
                let _ = std::fs::remove_file(partial);
            }
            return Err(e);
        }
    };
    if let (Some(out), Some(partial)) = (&args.out, partial) {
        std::fs::rename(&partial, out)
            .with_context(|| format!("cannot move {} to {}", partial.display(), out.display()))?;
        eprintln!(
            "exported {total} comments of {:?} to {}",
            charter.title,
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes every comment of every section to `sink`; returns how many.
fn write_rows(
    client: &NodeClient,
    args: &ExportArgs,
    charter: &Charter,
    trust: &Roster,
    bar: &ProgressBar,
    sink: &mut dyn Write,
) -> anyhow::Result<u64> {
    let mut writer = RowWriter::new(args.format);
    let mut authors: HashMap<PublicKey, AuthorInfo> = HashMap::new();
    if args.bom && args.format == Format::Csv {
        sink.write_all("\u{feff}".as_bytes())
            .context("cannot write the export")?;
    }
    writer.start(sink)?;
    let mut total = 0u64;
    for section in &charter.sections {
        bar.set_message(format!("section {}: drafts", section.slug));
        let dispositions = dispositions(client, &args.charter, &section.slug, trust)?;
        let path = format!(
            "/v1/charters/{}/sections/{}/comments",
            args.charter, section.slug
        );
        client.list_all(&path, &[], None, |page| {
            for listed in &page {
                let Body::Comment(body) = &listed.body else {
                    continue;
                };
                if body.charter != args.charter || body.section != section.slug {
                    continue; // not what was asked for: the node is wrong
                }
                let author = match authors.entry(listed.author) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(new) => {
                        bar.set_message(format!("section {}: authors", section.slug));
                        new.insert(AuthorInfo::fetch(client, &listed.author)?)
                    }
                };
                let row = Row {
                    comment: listed,
                    body,
                    author,
                    standing: standing(trust, &listed.author, body.created_at),
                    disposition: dispositions.get(&listed.id),
                };
                writer.row(sink, &row)?;
                total += 1;
            }
            bar.inc(page.len() as u64);
            bar.set_message(format!("section {}: comments", section.slug));
            Ok(())
        })?;
    }
    writer.finish(sink)?;
    Ok(total)
}

/// Fetches the charter by id and checks it (hash, signature, kind).
fn fetch_charter(client: &NodeClient, id: &ObjectId) -> anyhow::Result<(SignedObject, Charter)> {
    let object = match fetch_object(client, id) {
        Ok(object) => object,
        Err(e) if e.downcast_ref::<Absent>().is_some() => {
            bail!("{} has no charter {id}", client.url())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot fetch charter {id}")),
    };
    match object.body() {
        Body::Charter(charter) => {
            let charter = charter.clone();
            Ok((object, charter))
        }
        other => bail!("{id} is a {}, not a charter", other.kind()),
    }
}

/// The node has no object with the id asked for.
#[derive(Debug, thiserror::Error)]
#[error("no object {0}")]
struct Absent(ObjectId);

/// Fetches object `id` as signed bytes and checks its hash and signature.
fn fetch_object(client: &NodeClient, id: &ObjectId) -> anyhow::Result<SignedObject> {
    let bytes = match client.object_bytes(id) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Err(Absent(*id).into()),
        Err(e) => return Err(e).with_context(|| format!("cannot fetch object {id}")),
    };
    if ObjectId::of_bytes(&bytes) != *id {
        bail!(
            "{} answered with bytes that are not object {id}",
            client.url()
        );
    }
    SignedObject::decode(&bytes)
        .map_err(|e| anyhow!("object {id} from {} is invalid: {e}", client.url()))
}

/// The consultation's roster, judged by the audit's own rule
/// ([`Roster`]): the charter, its attestations, their retractions by their
/// issuers, and the revocations signed by the stewards and by every key
/// that issued or received an attestation — each fetched as signed bytes
/// and verified, so a node can hide objects but not forge them.
fn fetch_roster(
    client: &NodeClient,
    charter_id: &ObjectId,
    charter: SignedObject,
) -> anyhow::Result<Roster> {
    let mut keys: BTreeSet<PublicKey> = match charter.body() {
        Body::Charter(c) => c.stewards.iter().copied().collect(),
        _ => BTreeSet::new(),
    };
    let mut objects = vec![charter];
    let path = format!("/v1/objects/{charter_id}/referrers");
    let mut attestations = Vec::new();
    client.list_all(&path, &[("kind", "attestation")], None, |page| {
        attestations.extend(page);
        Ok(())
    })?;
    for listed in attestations {
        let Body::Attestation(body) = &listed.body else {
            continue;
        };
        if body.charter != *charter_id {
            continue;
        }
        keys.insert(body.subject);
        keys.insert(listed.author);
        objects.push(fetch_object(client, &listed.id)?);
        let path = format!("/v1/objects/{}/referrers", listed.id);
        let mut retractions = Vec::new();
        client.list_all(&path, &[("kind", "retraction")], None, |page| {
            retractions.extend(page.into_iter().filter(|r| {
                r.author == listed.author
                    && matches!(&r.body, Body::Retraction(x) if x.target == listed.id)
            }));
            Ok(())
        })?;
        for retraction in retractions {
            objects.push(fetch_object(client, &retraction.id)?);
        }
    }
    // Authorised revocations are signed by the key or by one of its
    // issuers, so they are among what these keys authored.
    for key in &keys {
        let path = format!("/v1/authors/{key}/objects");
        let mut revocations = Vec::new();
        client.list_all(&path, &[], None, |page| {
            revocations.extend(page.into_iter().filter(|r| {
                r.author == *key && matches!(&r.body, Body::Revocation(x) if keys.contains(&x.key))
            }));
            Ok(())
        })?;
        for revocation in revocations {
            objects.push(fetch_object(client, &revocation.id)?);
        }
    }
    Ok(Roster::new(*charter_id, objects))
}

/// (group, region) of `key` at `t`, as the audit attributes it: the
/// attested group for a stakeholder, else `nri`, `editor` or `steward`;
/// `None` when the key's chain does not hold.
fn standing(roster: &Roster, key: &PublicKey, t: u64) -> Option<(String, String)> {
    let standing = roster.standing_of(key, t);
    let group = standing.counted_as.clone()?;
    let region = standing
        .region()
        .map_or_else(|| UNATTESTED.to_owned(), |r| r.as_str().to_owned());
    Some((group, region))
}

/// A comment's disposition, from one draft.
struct Disposed {
    /// (version, created_at, draft id): the newest wins.
    rank: (u32, u64, ObjectId),
    outcome: &'static str,
    rationale: String,
}

/// Dispositions of the comments of one section, from its editors' drafts.
fn dispositions(
    client: &NodeClient,
    charter: &ObjectId,
    section: &str,
    trust: &Roster,
) -> anyhow::Result<HashMap<ObjectId, Disposed>> {
    let mut out: HashMap<ObjectId, Disposed> = HashMap::new();
    let path = format!("/v1/charters/{charter}/sections/{section}/drafts");
    client.list_all(&path, &[], None, |page| {
        for listed in page {
            let Body::Draft(draft) = &listed.body else {
                continue;
            };
            if draft.section != section
                || !trust.is_editor(&listed.author, section, draft.created_at)
            {
                continue;
            }
            let rank = (draft.version, draft.created_at, listed.id);
            for d in &draft.dispositions {
                if out.get(&d.comment).is_some_and(|old| old.rank >= rank) {
                    continue;
                }
                out.insert(
                    d.comment,
                    Disposed {
                        rank,
                        outcome: d.outcome.as_str(),
                        rationale: d.rationale.clone(),
                    },
                );
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// What the export needs to know about one author.
struct AuthorInfo {
    /// The name in their latest profile.
    name: Option<String>,
    /// The objects they retracted.
    retracted: HashSet<ObjectId>,
}

impl AuthorInfo {
    fn fetch(client: &NodeClient, author: &PublicKey) -> anyhow::Result<AuthorInfo> {
        let mut latest: Option<(u64, ObjectId, String)> = None;
        let mut retracted = HashSet::new();
        let path = format!("/v1/authors/{author}/objects");
        client.list_all(&path, &[], None, |page| {
            for listed in page {
                if listed.author != *author {
                    continue;
                }
                match &listed.body {
                    Body::Profile(p) => {
                        let rank = (p.created_at, listed.id);
                        if latest.as_ref().is_none_or(|(t, id, _)| (*t, *id) < rank) {
                            latest = Some((rank.0, rank.1, p.name.clone()));
                        }
                    }
                    Body::Retraction(r) => {
                        retracted.insert(r.target);
                    }
                    _ => {}
                }
            }
            Ok(())
        })?;
        Ok(AuthorInfo {
            name: latest.map(|(_, _, name)| name),
            retracted,
        })
    }
}

/// Writes rows in one format.
struct RowWriter {
    format: Format,
    rows: u64,
}

impl RowWriter {
    fn new(format: Format) -> RowWriter {
        RowWriter { format, rows: 0 }
    }

    fn start(&mut self, out: &mut dyn Write) -> anyhow::Result<()> {
        match self.format {
            Format::Csv => write_csv_line(out, COLUMNS.iter().map(|c| c.to_string())),
            Format::Json => out.write_all(b"[").context("cannot write the export"),
        }
    }

    fn row(&mut self, out: &mut dyn Write, row: &Row<'_>) -> anyhow::Result<()> {
        let (group, region) = row
            .standing
            .clone()
            .unwrap_or_else(|| (UNATTESTED.to_owned(), UNATTESTED.to_owned()));
        let retracted = row.author.retracted.contains(&row.comment.id);
        let id = row.comment.id.to_string();
        let created_at = iso8601_utc(row.body.created_at);
        let author = row.comment.author.to_did();
        match self.format {
            Format::Csv => {
                let (disposition, rationale, disposed_in) = match row.disposition {
                    Some(d) => (
                        d.outcome.to_owned(),
                        d.rationale.clone(),
                        d.rank.2.to_string(),
                    ),
                    None => Default::default(),
                };
                write_csv_line(
                    out,
                    [
                        id,
                        created_at,
                        author,
                        row.author.name.clone().unwrap_or_default(),
                        group,
                        region,
                        row.body.section.clone(),
                        row.body.language.clone(),
                        row.body.text.clone(),
                        disposition,
                        rationale,
                        disposed_in,
                        if retracted { "yes" } else { "no" }.to_owned(),
                    ],
                )?;
            }
            Format::Json => {
                let value: Value = json!({
                    "id": id,
                    "created_at": created_at,
                    "author": author,
                    "author_name": row.author.name,
                    "stakeholder_group": group,
                    "region": region,
                    "section": row.body.section,
                    "language": row.body.language,
                    "text": row.body.text,
                    "disposition": row.disposition.map(|d| d.outcome),
                    "rationale": row.disposition.map(|d| d.rationale.as_str()),
                    "disposed_in": row.disposition.map(|d| d.rank.2.to_string()),
                    "retracted": retracted,
                });
                let sep = if self.rows == 0 { "\n" } else { ",\n" };
                write!(out, "{sep}{value}").context("cannot write the export")?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> anyhow::Result<()> {
        if self.format == Format::Json {
            out.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })
                .context("cannot write the export")?;
        }
        Ok(())
    }
}

/// One CSV record (RFC 4180, CRLF line ends).
fn write_csv_line(
    out: &mut dyn Write,
    cells: impl IntoIterator<Item = String>,
) -> anyhow::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&csv_cell(&cell));
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
        .context("cannot write the export")
}

/// One CSV cell: quoted when it holds a comma, quote or line break (quotes
/// doubled); a leading ' when a spreadsheet would take it for a formula.
fn csv_cell(text: &str) -> String {
    let guarded;
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// stdout, or `FILE.partial` to be renamed to FILE once complete.
fn open_output(out: Option<&Path>) -> anyhow::Result<(Box<dyn Write>, Option<PathBuf>)> {
    match out {
        None => Ok((Box::new(BufWriter::new(std::io::stdout().lock())), None)),
        Some(path) => {
            let mut partial = path.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let file = File::create(&partial)
                .with_context(|| format!("cannot create {}", partial.display()))?;
            Ok((Box::new(BufWriter::new(file)), Some(partial)))
        }
    }
}

/// A comment counter, hidden when stderr is not a terminal.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} comments  {msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_guarded() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("-x, y"), "\"'-x, y\"");
        assert_eq!(csv_cell(""), "");
    }
}
