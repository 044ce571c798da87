//! `baraza ls …`: list charters, a section's comments or drafts, an
//! object's endorsements, or an author's objects, as a table or JSON.
//!
//! Listings follow the node's `next` cursors to the end (or `--limit`),
//! printing page by page, so memory stays bounded however long they are.
//! What the node lists is shown, not verified: `baraza get ID` checks one
//! object, `baraza audit ID` a whole history.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use baraza_protocol::kinds::Stance;
use baraza_protocol::{Body, ObjectId, PublicKey};
use clap::{Args, Subcommand};

use super::{Globals, EXIT_CODES};
use crate::client::Listed;
use crate::time::date_utc;

/// Flags of every listing.
#[derive(Debug, Args)]
pub(crate) struct ListFlags {
    /// Print a JSON array of {"id", "author", "kind", "body"} instead of a table.
    #[arg(long)]
    json: bool,
    /// Stop after N objects [default: all].
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

/// The `ls` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum LsCommand {
    /// The consultations (charters) the node holds.
    #[command(after_help = EXIT_CODES)]
    Charters {
        #[command(flatten)]
        flags: ListFlags,
    },
    /// The comments on one section of a consultation, oldest first.
    #[command(after_help = EXIT_CODES)]
    Comments {
        /// The consultation: its charter's id.
        #[arg(long, value_name = "ID")]
        charter: ObjectId,
        /// The section's slug.
        #[arg(long, value_name = "SLUG")]
        section: String,
        #[command(flatten)]
        flags: ListFlags,
    },
    /// The drafts of one section of a consultation, oldest first.
    #[command(after_help = EXIT_CODES)]
    Drafts {
        /// The consultation: its charter's id.
        #[arg(long, value_name = "ID")]
        charter: ObjectId,
        /// The section's slug.
        #[arg(long, value_name = "SLUG")]
        section: String,
        #[command(flatten)]
        flags: ListFlags,
    },
    /// The endorsements of (and objections to) one object.
    #[command(after_help = EXIT_CODES)]
    Endorsements {
        /// The endorsed object's id.
        #[arg(value_name = "ID")]
        target: ObjectId,
        #[command(flatten)]
        flags: ListFlags,
    },
    /// Every object signed by one key.
    #[command(after_help = EXIT_CODES)]
    Author {
        /// The author's did:key.
        #[arg(value_name = "DID")]
        author: PublicKey,
        #[command(flatten)]
        flags: ListFlags,
    },
}

/// One column of a table: its header and width (the last column is not padded).
type Columns = &'static [(&'static str, usize)];

const COMMENT_COLUMNS: Columns = &[
    ("ID", 12),
    ("DATE", 10),
    ("AUTHOR", 17),
    ("LANG", 6),
    ("TEXT", 0),
];
const CHARTER_COLUMNS: Columns = &[("ID", 12), ("DATE", 10), ("SECTIONS", 8), ("TITLE", 0)];
const DRAFT_COLUMNS: Columns = &[
    ("ID", 12),
    ("DATE", 10),
    ("AUTHOR", 17),
    ("VERSION", 7),
    ("DISPOSED", 8),
    ("TEXT", 0),
];
const ENDORSEMENT_COLUMNS: Columns = &[
    ("ID", 12),
    ("DATE", 10),
    ("AUTHOR", 17),
    ("STANCE", 7),
    ("ON BEHALF OF / STATEMENT", 0),
];
const AUTHOR_COLUMNS: Columns = &[("ID", 12), ("DATE", 10), ("KIND", 11), ("SUMMARY", 0)];

/// Characters of free text shown in a table cell.
const TEXT_PREVIEW_CHARS: usize = 60;

/// Runs an `ls` subcommand.
pub(crate) fn run(globals: &Globals, command: &LsCommand) -> anyhow::Result<ExitCode> {
    let (path, flags, columns, cells): (String, &ListFlags, Columns, Cells) = match command {
        LsCommand::Charters { flags } => {
            ("/v1/charters".into(), flags, CHARTER_COLUMNS, charter_cells)
        }
        LsCommand::Comments {
            charter,
            section,
            flags,
        } => (
            format!(
                "/v1/charters/{charter}/sections/{}/comments",
                slug_path(section)
            ),
            flags,
            COMMENT_COLUMNS,
            comment_cells,
        ),
        LsCommand::Drafts {
            charter,
            section,
            flags,
        } => (
            format!(
                "/v1/charters/{charter}/sections/{}/drafts",
                slug_path(section)
            ),
            flags,
            DRAFT_COLUMNS,
            draft_cells,
        ),
        LsCommand::Endorsements { target, flags } => (
            format!("/v1/objects/{target}/endorsements"),
            flags,
            ENDORSEMENT_COLUMNS,
            endorsement_cells,
        ),
        LsCommand::Author { author, flags } => (
            format!("/v1/authors/{author}/objects"),
            flags,
            AUTHOR_COLUMNS,
            |object| Some(summary_cells(object)),
        ),
    };
    let client = globals.client()?;
    let mut stdout = std::io::stdout().lock();
    let mut count = 0usize;
    if !flags.json {
        write_row(
            &mut stdout,
            columns,
            columns.iter().map(|(h, _)| h.to_string()),
        )
        .context("cannot write to stdout")?;
    }
    client.list_all(&path, &[], flags.limit, |objects| {
        for object in objects {
            if flags.json {
                let sep = if count == 0 { "[\n" } else { ",\n" };
                write!(stdout, "{sep}{:#}", object.to_json())
            } else {
                // A listing holds one kind; anything else the node sent
                // would not fit the columns.
                match cells(&object) {
                    Some(cells) => write_row(&mut stdout, columns, cells),
                    None => continue,
                }
            }
            .context("cannot write to stdout")?;
            count += 1;
        }
        Ok(())
    })?;
    if flags.json {
        writeln!(stdout, "{}", if count == 0 { "[]" } else { "\n]" })
    } else {
        Ok(())
    }
    .context("cannot write to stdout")?;
    if !flags.json && count == 0 {
        eprintln!("(nothing listed by {})", client.url());
    }
    Ok(ExitCode::SUCCESS)
}

/// A section slug for a URL path. Slugs are `[a-z0-9-]`; anything else is
/// percent-encoded so a typo cannot change the path.
fn slug_path(slug: &str) -> String {
    let mut out = String::with_capacity(slug.len());
    for byte in slug.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The table cells of one object of a listing, `None` when it is not of
/// the listing's kind.
type Cells = fn(&Listed) -> Option<Vec<String>>;

fn comment_cells(object: &Listed) -> Option<Vec<String>> {
    let Body::Comment(c) = &object.body else {
        return None;
    };
    Some(vec![
        object.id.short(),
        date_utc(c.created_at),
        object.author.short(),
        preview(&c.language),
        preview(&c.text),
    ])
}

fn charter_cells(object: &Listed) -> Option<Vec<String>> {
    let Body::Charter(c) = &object.body else {
        return None;
    };
    Some(vec![
        object.id.short(),
        date_utc(c.created_at),
        c.sections.len().to_string(),
        preview(&c.title),
    ])
}

fn draft_cells(object: &Listed) -> Option<Vec<String>> {
    let Body::Draft(d) = &object.body else {
        return None;
    };
    Some(vec![
        object.id.short(),
        date_utc(d.created_at),
        object.author.short(),
        d.version.to_string(),
        d.dispositions.len().to_string(),
        preview(&d.text),
    ])
}

fn endorsement_cells(object: &Listed) -> Option<Vec<String>> {
    let Body::Endorsement(e) = &object.body else {
        return None;
    };
    let stance = match e.stance {
        Stance::Support => "support",
        Stance::Object => "object",
    };
    let note = match (&e.on_behalf_of, &e.statement) {
        (Some(org), Some(s)) => format!("{org}: {s}"),
        (Some(org), None) => org.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => String::new(),
    };
    Some(vec![
        object.id.short(),
        date_utc(e.created_at),
        object.author.short(),
        stance.into(),
        preview(&note),
    ])
}

/// Any kind, for `ls author`.
fn summary_cells(object: &Listed) -> Vec<String> {
    vec![
        object.id.short(),
        date_utc(object.body.created_at()),
        object.body.kind().to_string(),
        summary(&object.body),
    ]
}

/// One line about an object of any kind (for `ls author`).
fn summary(body: &Body) -> String {
    let text = match body {
        Body::Charter(c) => c.title.clone(),
        Body::Profile(p) => format!("{} ({})", p.name, p.group),
        Body::Attestation(a) => format!("{:?} {}", a.role, a.subject.short()).to_lowercase(),
        Body::Comment(c) => format!("{}: {}", c.section, c.text),
        Body::Endorsement(e) => format!("{:?} {}", e.stance, e.target.short()).to_lowercase(),
        Body::Draft(d) => format!("{} v{}", d.section, d.version),
        Body::Release(r) => r.label.clone(),
        Body::Retraction(r) => format!("{}: {}", r.target.short(), r.reason),
        Body::Revocation(r) => format!("{}: {}", r.key.short(), r.reason),
    };
    preview(&text)
}

/// The first [`TEXT_PREVIEW_CHARS`] characters on one line, with control
/// characters (line breaks, and anything a hostile node might send to a
/// terminal) replaced by spaces.
pub(crate) fn preview(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(TEXT_PREVIEW_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(TEXT_PREVIEW_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn write_row(
    out: &mut impl Write,
    columns: Columns,
    cells: impl IntoIterator<Item = String>,
) -> std::io::Result<()> {
    let mut line = String::new();
    for ((_, width), cell) in columns.iter().zip(cells) {
        if *width == 0 {
            line.push_str(&cell);
        } else {
            let pad = width.saturating_sub(cell.chars().count());
            line.push_str(&cell);
            line.extend(std::iter::repeat_n(' ', pad + 2));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_one_line_and_short() {
        assert_eq!(preview("a\nb\tc"), "a b c");
        let long = "x".repeat(61);
        assert_eq!(preview(&long), format!("{}…", "x".repeat(60)));
        assert_eq!(preview(&"y".repeat(60)), "y".repeat(60));
    }

    #[test]
    fn slugs_cannot_escape_the_path() {
        assert_eq!(slug_path("whole-and-open"), "whole-and-open");
        assert_eq!(slug_path("../x"), "%2E%2E%2Fx");
    }
}
