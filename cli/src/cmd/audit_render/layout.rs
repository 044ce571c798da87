//! Text layout for the audit report: headings, wrapped fields, aligned tables, short ids.

use std::io::{self, Write};

use baraza_protocol::audit::{AuditReport, ChainRole, NotCountedReason};
use baraza_protocol::kinds::Stance;
use baraza_protocol::{ObjectId, PublicKey};

use crate::time::date_utc;

use super::*;

pub(super) fn heading(out: &mut impl Write, title: &str, note: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{title}  {note}")
}

/// `  name      value`: a header field.
pub(super) fn field(out: &mut impl Write, name: &str, value: &str) -> io::Result<()> {
    writeln!(out, "{}", format!("  {name:<10}{value}").trim_end())
}

/// A header field whose items wrap onto further lines at [`WIDTH`].
pub(super) fn write_wrapped(
    out: &mut impl Write,
    name: &str,
    lead: &str,
    items: &[String],
    sep: &str,
) -> io::Result<()> {
    write_lines(out, format!("  {name:<10}{lead}"), 12, items, sep)
}

/// `first` then `items` joined by `sep`, wrapped at [`WIDTH`] onto lines
/// indented by `indent`.
pub(super) fn write_lines(
    out: &mut impl Write,
    first: String,
    indent: usize,
    items: &[String],
    sep: &str,
) -> io::Result<()> {
    let rest = " ".repeat(indent);
    let mut line = first;
    let mut empty = true;
    for item in items {
        let candidate = if empty {
            item.clone()
        } else {
            format!("{sep}{item}")
        };
        let room = WIDTH - sep.trim_end().chars().count();
        if !empty && line.chars().count() + candidate.chars().count() > room {
            line.push_str(sep.trim_end());
            writeln!(out, "{}", line.trim_end())?;
            line = format!("{rest}{item}");
        } else {
            line.push_str(&candidate);
        }
        empty = false;
    }
    writeln!(out, "{}", line.trim_end())
}

/// `items` joined by `sep` into lines of at most `width` characters (an
/// item longer than that gets a line of its own), the separator ending a
/// line that goes on.
pub(super) fn pack(items: &[String], sep: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for item in items {
        if line.is_empty() {
            line.clone_from(item);
        } else if line.chars().count() + sep.chars().count() + item.chars().count() > width {
            line.push_str(sep.trim_end());
            lines.push(std::mem::replace(&mut line, item.clone()));
        } else {
            line.push_str(sep);
            line.push_str(item);
        }
    }
    lines.push(line);
    lines
}

/// Table rows: `lead` then the first of `lines`, then blank cells and each
/// further line.
pub(super) fn continued(lead: &[String], lines: Vec<String>) -> Vec<Vec<String>> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let mut row: Vec<String> = if i == 0 {
                lead.to_vec()
            } else {
                vec![String::new(); lead.len()]
            };
            row.push(line);
            row
        })
        .collect()
}

/// The width of a table's widest line.
pub(super) fn table_width(header: &[String], rows: &[Vec<String>]) -> usize {
    let widths = column_widths(header, rows);
    2 + widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1)
}

pub(super) fn column_widths(header: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows.iter().filter(|r| r.len() == header.len()) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths
}

/// Writes a table indented by two spaces: the columns in `left` (labels,
/// free text) align left, the others (numbers) right. A row with fewer
/// cells than the header is a sub-heading, printed as is.
pub(super) fn write_table(
    out: &mut impl Write,
    header: &[String],
    rows: &[Vec<String>],
    left: &[usize],
) -> io::Result<()> {
    let widths = column_widths(header, rows);
    let line = |cells: &[String]| {
        let mut text = String::from(" ");
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            let pad = width.saturating_sub(cell.chars().count());
            text.push(' ');
            if i > 0 {
                text.push(' ');
            }
            if left.contains(&i) {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            }
        }
        text.trim_end().to_owned()
    };
    writeln!(out, "{}", line(header))?;
    for row in rows {
        if row.len() == header.len() {
            writeln!(out, "{}", line(row))?;
        } else {
            writeln!(out, "  {}", row.join(" "))?;
        }
    }
    Ok(())
}

/// `did:key:…` and the key's last 6 characters.
pub(super) fn did(key: &PublicKey) -> String {
    let did = key.to_did();
    let tail: String = did
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("did:key:…{tail}")
}

pub(super) fn short_ids(ids: &[ObjectId], max: usize) -> Vec<String> {
    let mut shown: Vec<String> = ids.iter().take(max).map(ObjectId::short).collect();
    if ids.len() > max {
        shown.push(format!("… and {} more", ids.len() - max));
    }
    shown
}

pub(super) fn mark(held: bool) -> &'static str {
    if held {
        "✓"
    } else {
        "✗"
    }
}

/// ` ✓` or ` ✗` for the signer of `id`, when its chain was evaluated.
pub(super) fn signed_mark(report: &AuditReport, id: &ObjectId) -> String {
    report
        .trust
        .chains
        .get(id)
        .map_or_else(String::new, |c| format!(" {}", mark(c.held)))
}

pub(super) fn dash(n: u64) -> String {
    if n == 0 {
        "-".to_owned()
    } else {
        n.to_string()
    }
}

pub(super) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub(super) fn role_name(role: ChainRole) -> String {
    match role {
        ChainRole::Steward => "steward",
        ChainRole::Nri => "NRI",
        ChainRole::Editor => "editor",
        ChainRole::Stakeholder => "stakeholder",
        ChainRole::Witness => "witness",
    }
    .to_owned()
}

pub(super) fn stance(stance: Stance) -> &'static str {
    match stance {
        Stance::Support => "support",
        Stance::Object => "objection",
    }
}

pub(super) fn not_counted(reason: NotCountedReason) -> &'static str {
    match reason {
        NotCountedReason::Superseded => "superseded by a later endorsement",
        NotCountedReason::Retracted => "retracted",
        NotCountedReason::ChainNotHeld => "signer's chain did not hold",
    }
}

/// `2024-01-15 10:00 UTC`.
pub(super) fn minute_utc(ms: u64) -> String {
    let minute = ms / 60_000 % 1440;
    format!("{} {:02}:{:02} UTC", date_utc(ms), minute / 60, minute % 60)
}

/// Text from signed objects, made safe to print: control and
/// bidirectional-formatting characters become spaces, and it is cut to
/// `max` characters.
pub(super) fn clean(text: &str, max: usize) -> String {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    let cleaned: String = text
        .chars()
        .map(|c| if unsafe_char(c) { ' ' } else { c })
        .collect();
    if cleaned.chars().count() <= max {
        cleaned
    } else {
        let mut cut: String = cleaned.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
